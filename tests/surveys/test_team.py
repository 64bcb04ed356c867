"""A lead manages the team from the partnership page: change a role, remove a colleague, never
leave the partnership without a lead, and every change is in the activity list."""

import pytest
from django.urls import reverse

from surveys.models import AuditEvent, Membership
from surveys.services.partnerships import (
    LastLeadError,
    change_member_role,
    remove_member,
)
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

LEAD, CONSULTANT, ANALYST = (
    Membership.Role.LEAD,
    Membership.Role.CONSULTANT,
    Membership.Role.ANALYST,
)


def membership(team, user) -> Membership:
    return team.partnership.memberships.get(user=user)


def team_url(team) -> str:
    return reverse("surveys:team_detail", args=[team.partnership.public_id])


def role_url(team, user) -> str:
    return reverse(
        "surveys:member_role_edit",
        args=[team.partnership.public_id, membership(team, user).public_id],
    )


def remove_url(team, user) -> str:
    return reverse(
        "surveys:member_remove",
        args=[team.partnership.public_id, membership(team, user).public_id],
    )


def test_the_team_page_is_linked_from_the_partnership_page(lead_client, team):
    page = lead_client.get(team.partnership.get_absolute_url())
    assert team_url(team) in page.content.decode()


def test_the_team_page_lists_everyone_with_their_actions(
    lead_client, team, django_assert_max_num_queries
):
    with django_assert_max_num_queries(5):
        page = lead_client.get(team_url(team))
    html = page.content.decode()
    for user in (team.lead, team.consultant, team.analyst):
        assert user.get_full_name() in html
        assert role_url(team, user) in html
        assert remove_url(team, user) in html
    assert reverse("surveys:member_invite", args=[team.partnership.public_id]) in html


@pytest.mark.parametrize("reader", ["consultant", "analyst"])
def test_readers_cannot_manage_the_team(client, team, reader):
    client.force_login(getattr(team, reader))
    assert client.get(team_url(team)).status_code == 403
    page = client.post(role_url(team, team.lead), {"role": ANALYST})
    assert page.status_code == 403
    assert client.post(remove_url(team, team.lead)).status_code == 403
    assert membership(team, team.lead).role == LEAD


def test_an_outsider_gets_404(client, team):
    client.force_login(team.outsider)
    assert client.get(team_url(team)).status_code == 404
    assert client.post(role_url(team, team.analyst), {"role": LEAD}).status_code == 404


def test_a_lead_changes_a_colleagues_role_and_it_is_recorded(lead_client, team):
    page = lead_client.get(role_url(team, team.analyst))
    assert "What should Jo Analyst’s role be?" in page.content.decode()
    page = lead_client.post(role_url(team, team.analyst), {"role": CONSULTANT})
    assert page["Location"] == team_url(team)
    assert membership(team, team.analyst).role == CONSULTANT
    event = AuditEvent.objects.get(action="member_role_changed")
    assert (event.actor, event.partnership) == (team.lead, team.partnership)
    assert event.summary == "Changed Jo Analyst’s role from Analyst to Consultant"
    detail = lead_client.get(team.partnership.get_absolute_url()).content.decode()
    assert "Changed Jo Analyst’s role from Analyst to Consultant" in detail


def test_a_role_must_be_one_of_the_three(lead_client, team):
    page = lead_client.post(role_url(team, team.analyst), {"role": "owner"})
    assert page.status_code == 200
    assert "Select one of the roles" in page.content.decode()
    assert membership(team, team.analyst).role == ANALYST


def test_a_lead_removes_a_colleague_and_it_is_recorded(lead_client, team):
    page = lead_client.get(remove_url(team, team.consultant))
    assert "Are you sure you want to remove Jo Consultant" in page.content.decode()
    page = lead_client.post(remove_url(team, team.consultant))
    assert page["Location"] == team_url(team)
    assert not team.partnership.memberships.filter(user=team.consultant).exists()
    team.consultant.refresh_from_db()  # the account stays
    event = AuditEvent.objects.get(action="member_removed")
    assert event.summary == "Removed Jo Consultant (Consultant) from the team"
    assert event.actor == team.lead


def test_the_last_lead_can_neither_be_demoted_nor_removed(lead_client, team):
    page = lead_client.post(role_url(team, team.lead), {"role": ANALYST})
    assert page.status_code == 200
    assert "is the partnership’s only lead" in page.content.decode()
    assert (
        "cannot be removed"
        in lead_client.get(remove_url(team, team.lead)).content.decode()
    )
    page = lead_client.post(remove_url(team, team.lead), follow=True)
    assert "is the partnership’s only lead" in page.content.decode()
    assert membership(team, team.lead).role == LEAD
    assert not AuditEvent.objects.filter(
        action__in=["member_role_changed", "member_removed"]
    ).exists()


def test_with_a_second_lead_a_lead_may_step_down(lead_client, team):
    second = MembershipFactory(
        partnership=team.partnership, role=LEAD, user=UserFactory()
    ).user
    page = lead_client.post(remove_url(team, team.lead))
    assert page["Location"] == reverse("surveys:partnership_list")
    assert list(team.partnership.memberships.filter(role=LEAD)) == [
        membership(team, second)
    ]


def test_the_services_keep_a_lead_too(team):
    only = membership(team, team.lead)
    with pytest.raises(LastLeadError):
        change_member_role(membership=only, role=CONSULTANT, actor=team.lead)
    with pytest.raises(LastLeadError):
        remove_member(membership=only, actor=team.lead)
    promoted = change_member_role(
        membership=membership(team, team.analyst), role=LEAD, actor=team.lead
    )
    remove_member(membership=only, actor=promoted.user)
    assert list(team.partnership.memberships.filter(role=LEAD)) == [promoted]
