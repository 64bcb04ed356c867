"""The lead's pages: who may see and change what, what each page does, and its query count."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from surveys.models import (
    AuditEvent,
    Invitation,
    Membership,
    Organisation,
    Partnership,
    PartnershipMember,
    Sector,
    Survey,
)
from tests.factories import (
    InstrumentFactory,
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    ResponseFactory,
    SurveyFactory,
)

pytestmark = pytest.mark.django_db


def url(name: str, team, **extra) -> str:
    """Reverse a management URL for the team's partnership, round and first organisation."""
    p, r = team.partnership.public_id, team.round.public_id
    o = team.organisations[0].public_id
    kwargs = {
        "partnership_detail": {"public_id": p},
        "partnership_edit": {"public_id": p},
        "organisation_add": {"public_id": p},
        "organisation_remove": {"public_id": p, "organisation_id": o},
        "member_invite": {"public_id": p},
        "round_create": {"public_id": p},
        "round_detail": {"public_id": p, "round_id": r},
        "round_edit": {"public_id": p, "round_id": r},
        "round_open": {"public_id": p, "round_id": r},
        "round_close": {"public_id": p, "round_id": r},
        "org_link_regenerate": {"public_id": p, "round_id": r, "organisation_id": o},
        "invitation_import": {"public_id": p, "round_id": r},
        "invitations_send": {"public_id": p, "round_id": r},
        "reminders_send": {"public_id": p, "round_id": r},
    }.get(name, {})
    return reverse(f"surveys:{name}", kwargs={**kwargs, **extra})


# Pages anyone with a role may read.
READ_PAGES = ["partnership_detail", "round_detail"]
# Forms and confirmation pages for leads only (readers get 403).
MANAGE_PAGES = [
    "partnership_edit",
    "organisation_add",
    "organisation_remove",
    "member_invite",
    "round_create",
    "round_edit",
    "round_close",
    "org_link_regenerate",
    "invitation_import",
]
# Everything that changes something.
CHANGES = [*MANAGE_PAGES, "round_open", "invitations_send", "reminders_send"]
PARTNERSHIP_PAGES = [*READ_PAGES, *MANAGE_PAGES]


# The triad, for every page


@pytest.mark.parametrize("name", PARTNERSHIP_PAGES)
def test_lead_can_open_every_page(lead_client, team, name):
    page = lead_client.get(url(name, team))
    assert page.status_code == 200
    assert b"There is a problem" not in page.content


@pytest.mark.parametrize("name", ["partnership_list", "partnership_create"])
def test_lead_can_open_the_pages_outside_a_partnership(lead_client, name):
    assert lead_client.get(reverse(f"surveys:{name}")).status_code == 200


@pytest.mark.parametrize("name", PARTNERSHIP_PAGES)
def test_outsider_gets_404_for_every_page(client, team, name):
    client.force_login(team.outsider)
    assert client.get(url(name, team)).status_code == 404


@pytest.mark.parametrize("name", CHANGES)
def test_outsider_gets_404_for_every_change(client, team, name):
    client.force_login(team.outsider)
    assert client.post(url(name, team)).status_code == 404
    assert not AuditEvent.objects.filter(partnership=team.partnership).exists()


@pytest.mark.parametrize(
    "name", [*PARTNERSHIP_PAGES, "partnership_list", "partnership_create"]
)
def test_anonymous_visitor_is_sent_to_sign_in(client, team, name):
    target = url(name, team)
    page = client.get(target)
    assert page.status_code == 302
    assert page["Location"] == f"{reverse('login')}?next={target}"


@pytest.mark.parametrize("name", CHANGES)
def test_anonymous_post_changes_nothing(client, team, name):
    page = client.post(url(name, team))
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("login"))
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("role", ["consultant", "analyst"])
@pytest.mark.parametrize("name", CHANGES)
def test_consultants_and_analysts_cannot_change_anything(client, team, role, name):
    client.force_login(getattr(team, role))
    before = (Invitation.objects.count(), team.round.status)
    assert client.post(url(name, team), {"name": "Renamed"}).status_code == 403
    team.round.refresh_from_db()
    assert (Invitation.objects.count(), team.round.status) == before
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("role", ["consultant", "analyst"])
@pytest.mark.parametrize("name", MANAGE_PAGES)
def test_consultants_and_analysts_do_not_get_management_forms(client, team, role, name):
    client.force_login(getattr(team, role))
    assert client.get(url(name, team)).status_code == 403


@pytest.mark.parametrize("role", ["consultant", "analyst"])
def test_consultants_and_analysts_read_without_management_buttons(client, team, role):
    client.force_login(getattr(team, role))
    detail = client.get(url("partnership_detail", team)).content.decode()
    assert "Northshire County Council" in detail
    assert "Start a new round" not in detail
    assert "Invite a colleague" not in detail
    page = client.get(url("round_detail", team)).content.decode()
    assert reverse("reports:survey_overview", args=[team.round.public_id]) in page
    assert "Open round" not in page
    assert "Close round" not in page
    assert "Organisation links" not in page  # links are credentials: leads only
    assert team.org_links["NCC"].token not in page


def test_a_round_of_another_partnership_is_404_even_under_my_partnership(
    lead_client, team
):
    elsewhere = SurveyFactory(instrument=InstrumentFactory())
    target = url("round_detail", team, round_id=elsewhere.public_id)
    assert lead_client.get(target).status_code == 404


def test_removing_an_organisation_of_another_partnership_is_404(lead_client, team):
    stranger = OrganisationFactory()
    target = url("organisation_remove", team, organisation_id=stranger.public_id)
    assert lead_client.post(target).status_code == 404


# Partnerships


def test_partnership_list_shows_only_my_partnerships_with_my_role(client, team):
    client.force_login(team.consultant)
    page = client.get(reverse("surveys:partnership_list"))
    html = page.content.decode()
    assert "Northshire Place Partnership" in html
    assert "Elsewhere Partnership" not in html
    assert "Consultant" in html
    assert len(page.context["partnerships"]) == 1  # one row, however many members
    assert page.context["partnerships"][0].organisation_count == 2
    assert page.context["partnerships"][0].round_count == 1


def test_partnership_list_says_when_there_are_none(client, django_user_model):
    client.force_login(django_user_model.objects.create(username="new"))
    html = client.get(reverse("surveys:partnership_list")).content.decode()
    assert "You do not have any partnerships yet" in html


def test_partnership_list_query_count_does_not_grow(
    client, team, django_assert_max_num_queries
):
    for _ in range(15):
        partnership = PartnershipFactory(members=[OrganisationFactory()])
        MembershipFactory(user=team.lead, partnership=partnership)
        SurveyFactory(partnership=partnership, instrument=team.round.instrument)
    client.force_login(team.lead)
    # session, user, partnerships, invitations waiting, and whether they may create one
    with django_assert_max_num_queries(5):
        page = client.get(reverse("surveys:partnership_list"))
    assert len(page.context["partnerships"]) == 16


def test_creating_a_partnership_makes_me_its_lead(lead_client, team):
    page = lead_client.post(
        reverse("surveys:partnership_create"),
        {
            "name": "  Eastshire   Provider Collaborative ",
            "kind": "provider_collaborative",
        },
    )
    partnership = Partnership.objects.get(name="Eastshire Provider Collaborative")
    assert page.status_code == 302
    assert page["Location"] == url(
        "organisation_add", team, public_id=partnership.public_id
    )
    assert partnership.memberships.get().user == team.lead
    assert partnership.memberships.get().role == Membership.Role.LEAD
    assert partnership.audit_events.get().action == "partnership_created"


def test_creating_a_partnership_needs_a_name(lead_client):
    page = lead_client.post(reverse("surveys:partnership_create"), {"kind": "place"})
    assert page.status_code == 200
    assert "Enter the partnership’s name" in page.content.decode()
    assert page.context["form"].errors


def test_lead_can_rename_the_partnership(lead_client, team):
    page = lead_client.post(
        url("partnership_edit", team), {"name": "Northshire Partnership", "kind": "ics"}
    )
    assert page["Location"] == url("partnership_detail", team)
    team.partnership.refresh_from_db()
    assert (team.partnership.name, team.partnership.kind) == (
        "Northshire Partnership",
        "ics",
    )


def test_partnership_page_lists_rounds_organisations_team_and_activity(
    lead_client, team, django_assert_max_num_queries
):
    for n in range(10):
        PartnershipMember.objects.add(
            partnership=team.partnership,
            organisations=[OrganisationFactory(name=f"Extra {n}")],
        )
        SurveyFactory(partnership=team.partnership, instrument=team.round.instrument)
    with django_assert_max_num_queries(7):
        page = lead_client.get(url("partnership_detail", team))
    html = page.content.decode()
    assert "Autumn round" in html
    assert "Northshire County Council" in html
    assert "Jo Consultant" in html
    assert len(page.context["rounds"]) == 11
    assert len(page.context["organisations"]) == 12


# Organisations


def lead_partnership_of(team, *organisations) -> Partnership:
    """Give the team's lead a second partnership holding these organisations."""
    other = PartnershipFactory(
        name="Easterby Provider Collaborative", members=organisations
    )
    MembershipFactory(user=team.lead, partnership=other, role=Membership.Role.LEAD)
    return other


def test_lead_adds_an_organisation_of_their_other_partnership(lead_client, team):
    known = OrganisationFactory(name="Easterby City Council")
    lead_partnership_of(team, known)
    page = lead_client.post(
        url("organisation_add", team),
        {"existing-organisation": known.pk, "add_existing": ""},
    )
    assert page.status_code == 302
    assert team.partnership.members.filter(pk=known.pk).exists()
    # The open round gives it an organisation link straight away.
    assert Invitation.objects.filter(
        survey=team.round, organisation=known, kind="organisation"
    ).exists()


def test_lead_creates_a_new_organisation(lead_client, team):
    page = lead_client.post(
        url("organisation_add", team),
        {
            "new-name": "Northshire Voluntary Action",
            "new-short_name": "NVA",
            "new-sector": Sector.VCSE,
            "add_new": "",
        },
    )
    assert page.status_code == 302
    created = Organisation.objects.get(name="Northshire Voluntary Action")
    assert created.sector == Sector.VCSE
    assert team.partnership.members.filter(pk=created.pk).exists()
    assert AuditEvent.objects.get().summary == (
        "Added an organisation: Northshire Voluntary Action"
    )


def test_a_new_organisation_with_a_members_name_is_refused(lead_client, team):
    page = lead_client.post(
        url("organisation_add", team),
        {
            "new-name": "northshire county council",
            "new-short_name": "NCC2",
            "new-sector": Sector.LOCAL_AUTHORITY,
            "add_new": "",
        },
    )
    assert page.status_code == 200
    assert "Northshire County Council (NCC) in this partnership already uses" in (
        page.content.decode()
    )
    assert page.context["new_form"].has_error("name")
    assert (
        Organisation.objects.filter(name__iexact="northshire county council").count()
        == 1
    )


def test_existing_organisation_list_leaves_out_current_members(lead_client, team):
    lead_partnership_of(
        team, OrganisationFactory(name="Easterby City Council"), *team.organisations
    )
    form = lead_client.get(url("organisation_add", team)).context["existing_form"]
    names = [o.name for o in form.fields["organisation"].queryset]
    assert names == ["Easterby City Council"]


def test_lead_removes_an_organisation_nobody_answered_from(lead_client, team):
    InvitationFactory(survey=team.round, organisation=team.organisations[0])
    target = url("organisation_remove", team)
    assert "Are you sure" in lead_client.get(target).content.decode()
    page = lead_client.post(target)
    assert page["Location"] == url("partnership_detail", team)
    assert not team.partnership.members.filter(pk=team.organisations[0].pk).exists()
    assert not Invitation.objects.filter(organisation=team.organisations[0]).exists()


def test_an_organisation_with_responses_cannot_be_removed(lead_client, team):
    ResponseFactory(invitation=team.org_links["NHFT"])
    target = url("organisation_remove", team)
    assert "cannot be removed" in lead_client.get(target).content.decode()
    page = lead_client.post(target, follow=True)
    assert "cannot be removed" in page.content.decode()
    assert team.partnership.members.filter(pk=team.organisations[0].pk).exists()


# Rounds


def test_lead_creates_a_draft_round_with_links_for_every_organisation(
    lead_client, team
):
    instrument = team.round.instrument
    page = lead_client.post(
        url("round_create", team),
        {
            "title": "Spring 2027",
            "instrument": instrument.pk,
            "opens_on_0": "2",
            "opens_on_1": "3",
            "opens_on_2": str(timezone.localdate().year + 1),
            "closes_on_0": "30",
            "closes_on_1": "4",
            "closes_on_2": str(timezone.localdate().year + 1),
            "anonymity_threshold": "6",
        },
    )
    survey = Survey.objects.get(title="Spring 2027")
    assert page["Location"] == survey.get_absolute_url()
    assert survey.status == Survey.Status.DRAFT
    assert survey.anonymity_threshold == 6
    assert timezone.localtime(survey.opens_at).strftime("%d/%m %H:%M") == "02/03 00:00"
    assert timezone.localtime(survey.closes_at).strftime("%d/%m %H:%M") == "30/04 23:59"
    assert survey.invitations.filter(kind="organisation").count() == 2


def test_new_round_defaults_to_a_threshold_of_five(lead_client, team):
    form = lead_client.get(url("round_create", team)).context["form"]
    assert form["anonymity_threshold"].value() == 5


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"anonymity_threshold": "2"}, "must be 3 or more"),
        ({"anonymity_threshold": "many"}, "must be a whole number"),
        ({"title": ""}, "Enter a title for the round"),
        (
            {
                "opens_on_0": "10",
                "opens_on_1": "5",
                "closes_on_0": "9",
                "closes_on_1": "5",
            },
            "Closing date must be the same as or after the opening date",
        ),
        ({"closes_on_0": "31", "closes_on_1": "2"}, "must be a real date"),
    ],
)
def test_round_form_explains_what_is_wrong(lead_client, team, data, error):
    year = str(timezone.localdate().year + 1)
    payload = {
        "title": "Spring",
        "instrument": team.round.instrument.pk,
        "anonymity_threshold": "5",
        "opens_on_2": year if "opens_on_0" in data else "",
        "closes_on_2": year if "closes_on_0" in data else "",
        **data,
    }
    page = lead_client.post(url("round_create", team), payload)
    assert page.status_code == 200
    assert error in page.content.decode()
    assert Survey.objects.count() == 1


def test_lead_changes_a_rounds_dates(lead_client, team):
    next_year = timezone.localdate().year + 1
    page = lead_client.post(
        url("round_edit", team),
        {
            "title": "Autumn round (extended)",
            "closes_on_0": "1",
            "closes_on_1": "12",
            "closes_on_2": str(next_year),
            "anonymity_threshold": "5",
        },
    )
    assert page.status_code == 302
    team.round.refresh_from_db()
    assert team.round.title == "Autumn round (extended)"
    assert timezone.localtime(team.round.closes_at).date().year == next_year


def test_opening_a_draft_round(lead_client, team):
    Survey.objects.filter(pk=team.round.pk).update(status=Survey.Status.DRAFT)
    page = lead_client.post(url("round_open", team), follow=True)
    team.round.refresh_from_db()
    assert team.round.status == Survey.Status.OPEN
    assert team.round.opens_at is not None
    assert team.round.is_accepting_answers()
    assert "is open" in page.content.decode()


def test_opening_an_open_round_says_why_not(lead_client, team):
    page = lead_client.post(url("round_open", team), follow=True)
    assert "cannot be opened" in page.content.decode()


def test_closing_a_round_stops_its_links(lead_client, client, team):
    assert "Are you sure" in lead_client.get(url("round_close", team)).content.decode()
    lead_client.post(url("round_close", team))
    team.round.refresh_from_db()
    assert team.round.status == Survey.Status.CLOSED
    assert team.round.closes_at <= timezone.now()
    page = client.get(team.org_links["NCC"].get_absolute_url())
    assert page.status_code == 410
    assert "This survey has closed" in page.content.decode()


def test_closing_a_round_that_had_not_reached_its_opening_date(lead_client, team):
    later = timezone.now() + timedelta(days=5)
    Survey.objects.filter(pk=team.round.pk).update(opens_at=later)
    lead_client.post(url("round_close", team))
    team.round.refresh_from_db()
    assert team.round.status == Survey.Status.CLOSED
    assert team.round.opens_at is None


def test_regenerating_a_link_revokes_the_old_one(lead_client, client, team):
    old = team.org_links["NHFT"]
    page = lead_client.post(url("org_link_regenerate", team))
    assert page["Location"] == team.round.get_absolute_url() + "#links"
    old.refresh_from_db()
    assert old.revoked_at is not None
    new = Invitation.objects.get(
        survey=team.round, organisation=old.organisation, revoked_at__isnull=True
    )
    assert new.token != old.token
    assert client.get(old.get_absolute_url()).status_code == 404
    round_page = lead_client.get(url("round_detail", team)).content.decode()
    assert new.token in round_page
    assert old.token not in round_page


# Response tracking


def test_round_page_counts_links_and_responses_per_organisation(
    lead_client, team, django_assert_max_num_queries
):
    nhft = team.organisations[0]
    personal = [
        InvitationFactory(survey=team.round, organisation=nhft, sent_at=timezone.now())
        for _ in range(4)
    ]
    now = timezone.now()
    ResponseFactory(invitation=personal[0], submitted_at=now)
    ResponseFactory(invitation=personal[1], submitted_at=now)
    ResponseFactory(invitation=personal[2])  # started, not submitted
    for _ in range(5):  # NCC uses only its organisation link
        ResponseFactory(invitation=team.org_links["NCC"], submitted_at=now)
    InvitationFactory(  # revoked links are not "issued"
        survey=team.round, organisation=nhft, revoked_at=now
    )
    with django_assert_max_num_queries(7):
        page = lead_client.get(url("round_detail", team))
    rows = {row.short_name: row for row in page.context["rows"]}
    assert (rows["NHFT"].issued, rows["NHFT"].started, rows["NHFT"].submitted) == (
        4,
        3,
        2,
    )
    assert rows["NHFT"].rate == 50
    assert not rows["NHFT"].reached
    assert rows["NHFT"].needed == 3
    assert (rows["NCC"].issued, rows["NCC"].submitted, rows["NCC"].rate) == (0, 5, None)
    assert rows["NCC"].reached
    totals = page.context["totals"]
    assert (totals.issued, totals.started, totals.submitted, totals.reached) == (
        4,
        8,
        7,
        1,
    )
    assert totals.rate == 50
    html = page.content.decode()
    assert '<progress class="app-meter__bar" max="4" value="2"' in html  # 2 of 4 links
    assert '<progress class="app-meter__bar" max="5" value="5"' in html  # NCC: 5 of 5
    assert "3 more needed" in html


def test_round_page_query_count_does_not_grow_with_organisations(
    lead_client, team, django_assert_max_num_queries
):
    now = timezone.now()
    for n in range(20):
        org = OrganisationFactory(name=f"Member {n}")
        PartnershipMember.objects.add(partnership=team.partnership, organisations=[org])
        link = InvitationFactory(survey=team.round, organisation=org)
        ResponseFactory(invitation=link, submitted_at=now)
    with django_assert_max_num_queries(7):
        page = lead_client.get(url("round_detail", team))
    assert len(page.context["rows"]) == 22


def test_round_page_links_to_results_for_every_role(client, team):
    results = reverse("reports:survey_overview", args=[team.round.public_id])
    for user in (team.lead, team.consultant, team.analyst):
        client.force_login(user)
        assert results in client.get(url("round_detail", team)).content.decode()
