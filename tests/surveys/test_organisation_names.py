"""No two organisations of one partnership share a name or a short name: the form says so,
the database refuses it, and the invitation import names the line rather than guessing."""

from unittest import mock

import pytest
from django.urls import reverse

from surveys.forms.invitations import parse_invitations
from surveys.models import Membership, Organisation, PartnershipMember, Sector
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def add_url(team) -> str:
    return reverse("surveys:organisation_add", args=[team.partnership.public_id])


def new_organisation(name: str, short_name: str) -> dict[str, str]:
    return {
        "new-name": name,
        "new-short_name": short_name,
        "new-sector": Sector.LOCAL_AUTHORITY,
        "add_new": "",
    }


def test_a_second_wbc_is_refused_with_a_clear_error(lead_client, team):
    lead_client.post(
        add_url(team), new_organisation("Westshire Borough Council", "WBC")
    )
    page = lead_client.post(
        add_url(team), new_organisation("Wyre Bay Council", " wbc ")
    )
    assert page.status_code == 200
    form = page.context["new_form"]
    assert form.errors == {
        "short_name": [
            "Westshire Borough Council (WBC) in this partnership already uses ‘wbc’: "
            "give this organisation a different short name"
        ]
    }
    assert "There is a problem" in page.content.decode()
    assert not Organisation.objects.filter(name="Wyre Bay Council").exists()


def test_a_name_may_not_be_another_members_short_name(lead_client, team):
    page = lead_client.post(add_url(team), new_organisation("NCC", "NCC2"))
    assert page.context["new_form"].has_error("name")
    assert team.partnership.members.count() == 2


def test_an_existing_organisation_whose_short_name_clashes_is_refused(
    lead_client, team
):
    clash = OrganisationFactory(name="Northshire Care Collective", short_name="ncc")
    other = PartnershipFactory(members=[clash])
    MembershipFactory(partnership=other, user=team.lead, role=Membership.Role.LEAD)
    page = lead_client.post(
        add_url(team), {"existing-organisation": clash.pk, "add_existing": ""}
    )
    assert page.status_code == 200
    assert page.context["existing_form"].has_error("organisation")
    assert "Northshire County Council (NCC) in this partnership already uses" in (
        page.content.decode()
    )
    assert not team.partnership.members.filter(pk=clash.pk).exists()


def test_a_clash_created_a_moment_ago_is_caught_by_the_database(lead_client, team):
    # Two leads typing the same short name at once both pass the form's check; the
    # constraint refuses the second and the page says so instead of failing.
    with (
        mock.patch("surveys.forms.partnerships.name_clash", return_value=None),
        mock.patch("surveys.services.partnerships.name_clash", return_value=None),
    ):
        page = lead_client.post(
            add_url(team), new_organisation("Northshire Cycling Club", "NCC")
        )
    assert page.status_code == 200
    assert (
        "already uses the name ‘Northshire Cycling Club’ or the short name ‘NCC’"
        in (page.content.decode())
    )
    assert not Organisation.objects.filter(name="Northshire Cycling Club").exists()


def test_the_import_reports_a_word_two_organisations_use_with_its_line():
    organisations = [
        Organisation(pk=1, name="Westshire Borough Council", short_name="WBC"),
        Organisation(pk=2, name="WBC", short_name="WBCL"),  # from before the rule
    ]
    result = parse_invitations(
        text="email,organisation\njo@w.example,WBCL\nsam@w.example,wbc\n",
        organisations=organisations,
    )
    assert [row.organisation.pk for row in result.rows] == [2]
    assert result.errors == [
        "Line 3: ‘wbc’ could be WBC and Westshire Borough Council – use the "
        "organisation’s full name"
    ]


def test_a_rename_in_the_admin_into_a_clash_is_refused_not_a_crash(client, team):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    nhft = team.organisations[0]
    url = reverse("admin:surveys_organisation_change", args=[nhft.pk])
    form = {"name": nhft.name, "sector": nhft.sector}
    page = client.post(url, {**form, "short_name": "ncc"})
    assert page.status_code == 200
    assert "Northshire County Council (NCC) in this partnership already uses" in (
        page.content.decode()
    )
    page = client.post(url, {**form, "short_name": "NHS FT"})
    assert page.status_code == 302
    assert PartnershipMember.objects.get(organisation=nhft).short_name == "NHS FT"
