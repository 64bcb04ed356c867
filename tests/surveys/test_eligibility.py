"""How many people each organisation asked (its N, MEASUREMENT §6.5): recording it, and the rate."""

import pytest
from django.urls import reverse
from django.utils import timezone

from surveys.models import AuditEvent, Eligibility, Invitation, Survey
from surveys.services.eligibility import EligibilityError, set_eligible
from surveys.tracking import organisation_progress, round_totals
from tests.factories import InvitationFactory, OrganisationFactory, ResponseFactory

pytestmark = pytest.mark.django_db


def eligible_url(team, organisation=None) -> str:
    organisation = organisation or team.organisations[0]
    return reverse(
        "surveys:eligibility_edit",
        kwargs={
            "public_id": team.partnership.public_id,
            "round_id": team.round.public_id,
            "organisation_id": organisation.public_id,
        },
    )


def round_url(team) -> str:
    return team.round.get_absolute_url()


def submit(team, short_name: str, count: int, *, personal: bool = False) -> None:
    """Submit `count` responses from an organisation, by personal links or its shared link."""
    organisation = next(o for o in team.organisations if o.short_name == short_name)
    for _ in range(count):
        invitation = (
            InvitationFactory(survey=team.round, organisation=organisation)
            if personal
            else team.org_links[short_name]
        )
        ResponseFactory(invitation=invitation, submitted_at=timezone.now())


def personal_links(team, short_name: str, count: int) -> None:
    organisation = next(o for o in team.organisations if o.short_name == short_name)
    InvitationFactory.create_batch(count, survey=team.round, organisation=organisation)


def rows(team) -> dict:
    return {row.short_name: row for row in organisation_progress(survey=team.round)}


# The selector: N is the lead's number, else the personal links, else unknown


def test_n_defaults_to_the_personal_links_not_revoked(team):
    personal_links(team, "NHFT", 4)
    InvitationFactory(
        survey=team.round, organisation=team.organisations[0], revoked_at=timezone.now()
    )
    found = rows(team)
    assert (found["NHFT"].eligible, found["NHFT"].eligible_recorded) == (4, False)
    assert found["NCC"].eligible is None  # only its shared link: nobody knows N


def test_a_recorded_n_wins_and_a_recorded_unknown_stays_unknown(team):
    personal_links(team, "NHFT", 4)
    personal_links(team, "NCC", 3)
    set_eligible(
        survey=team.round, organisation=team.organisations[0], eligible=9, actor=None
    )
    set_eligible(
        survey=team.round, organisation=team.organisations[1], eligible=None, actor=None
    )
    found = rows(team)
    assert (found["NHFT"].eligible, found["NHFT"].eligible_recorded) == (9, True)
    assert (found["NCC"].eligible, found["NCC"].eligible_recorded) == (None, True)


def test_the_response_rate_is_submitted_out_of_n_whichever_link_was_used(team):
    set_eligible(
        survey=team.round, organisation=team.organisations[1], eligible=8, actor=None
    )
    submit(team, "NCC", 6)  # all through the shared link
    found = rows(team)
    assert found["NCC"].rate == 75
    assert found["NHFT"].rate is None  # N unknown
    totals = round_totals(survey=team.round)
    assert (totals.asked, totals.asked_submitted, totals.rate) == (8, 6, 75)
    assert totals.asked_partly  # NHFT is left out of the rate


def test_more_submitted_than_asked_leaves_n_out_of_the_rate(team):
    ncc = next(o for o in team.organisations if o.short_name == "NCC")
    set_eligible(survey=team.round, organisation=ncc, eligible=2, actor=team.lead)
    submit(team, "NCC", 3)  # more than the lead said were asked
    found = rows(team)["NCC"]
    assert found.over_eligible
    assert found.rate is None
    assert round_totals(survey=team.round).rate is None


def test_answers_through_the_shared_link_make_the_default_n_unknown(team):
    # Two personal links, but people also answered through the organisation's link:
    # the links no longer say how many were asked, and a guess too low would narrow
    # the intervals more than the data allow.
    Survey.objects.filter(pk=team.round.pk).update(
        release_rule=Survey.ReleaseRule.GROUPS
    )
    team.round.refresh_from_db()
    k = team.round.anonymity_threshold
    personal_links(team, "NCC", 2)
    submit(team, "NCC", k - 1)
    # Not yet in the figures: N must not move while no counted response has.
    assert rows(team)["NCC"].eligible == 2
    submit(team, "NCC", 1)
    found = rows(team)["NCC"]
    assert found.eligible is None
    assert found.rate is None


# The service


def test_set_eligible_records_the_number_and_audits_it(team):
    set_eligible(
        survey=team.round,
        organisation=team.organisations[0],
        eligible=12,
        actor=team.lead,
    )
    set_eligible(
        survey=team.round,
        organisation=team.organisations[0],
        eligible=14,
        actor=team.lead,
    )
    record = Eligibility.objects.get(survey=team.round)
    assert record.eligible == 14
    event = AuditEvent.objects.filter(survey=team.round).first()
    assert event.action == AuditEvent.Action.ELIGIBLE_RECORDED
    assert event.actor == team.lead
    assert event.detail == {
        "organisation": "Northshire Hospitals NHS Foundation Trust",
        "eligible": 14,
        "previous": 12,
    }
    assert event.summary == (
        "Recorded people asked at Northshire Hospitals NHS Foundation Trust: 14 people"
    )


def test_set_eligible_refuses_fewer_than_already_submitted(team):
    submit(team, "NHFT", 3)
    with pytest.raises(EligibilityError, match="fewer than the 3 responses already"):
        set_eligible(
            survey=team.round,
            organisation=team.organisations[0],
            eligible=2,
            actor=team.lead,
        )
    assert not Eligibility.objects.exists()
    assert not AuditEvent.objects.exists()


def test_set_eligible_accepts_exactly_the_number_submitted(team):
    submit(team, "NHFT", 3)
    set_eligible(
        survey=team.round, organisation=team.organisations[0], eligible=3, actor=None
    )
    assert rows(team)["NHFT"].rate == 100


@pytest.mark.parametrize("eligible", [0, -1, 10_001])
def test_set_eligible_refuses_numbers_out_of_range(team, eligible):
    with pytest.raises(EligibilityError):
        set_eligible(
            survey=team.round,
            organisation=team.organisations[0],
            eligible=eligible,
            actor=None,
        )
    assert not Eligibility.objects.exists()


def test_set_eligible_refuses_an_organisation_outside_the_partnership(team):
    with pytest.raises(EligibilityError):
        set_eligible(
            survey=team.round,
            organisation=OrganisationFactory(),
            eligible=5,
            actor=None,
        )


# The form page: the triad, then each kind of bad input


def test_lead_records_people_asked_and_returns_to_the_round(lead_client, team):
    page = lead_client.get(eligible_url(team))
    assert page.status_code == 200
    assert page.templates[0].name == "surveys/manage/eligibility_form.html"
    assert "response rate" in page.content.decode()
    page = lead_client.post(eligible_url(team), {"eligible": "12"})
    assert page.status_code == 302
    assert page["Location"] == f"{round_url(team)}#organisation-progress"
    assert Eligibility.objects.get(survey=team.round).eligible == 12


def test_the_form_starts_from_the_personal_links(lead_client, team):
    personal_links(team, "NHFT", 7)
    form = lead_client.get(eligible_url(team)).context["form"]
    assert form["eligible"].value() == 7


def test_the_form_starts_blank_when_the_personal_links_are_too_few(lead_client, team):
    personal_links(team, "NHFT", 2)
    submit(team, "NHFT", 3)
    form = lead_client.get(eligible_url(team)).context["form"]
    assert form["eligible"].value() is None


def test_lead_can_say_the_number_is_not_known(lead_client, team):
    personal_links(team, "NHFT", 7)
    page = lead_client.post(eligible_url(team), {"eligible": "  "})
    assert page.status_code == 302
    assert Eligibility.objects.get(survey=team.round).eligible is None
    assert rows(team)["NHFT"].eligible is None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-1", "The number of people asked must be 1 or more"),
        ("0", "The number of people asked must be 1 or more"),
        ("abc", "Enter the number of people asked as a number, like 12"),
        ("3.5", "The number of people asked must be a whole number, like 12"),
        ("99999", "The number of people asked must be 10,000 or fewer"),
        ("2", "cannot be fewer than the 3 responses already submitted"),
    ],
)
def test_bad_input_is_shown_again_with_an_error_summary(
    lead_client, team, typed, message
):
    submit(team, "NHFT", 3)
    page = lead_client.post(eligible_url(team), {"eligible": typed})
    assert page.status_code == 200
    html = page.content.decode()
    assert "There is a problem" in html
    assert message in html
    assert f'value="{typed}"' in html
    assert not Eligibility.objects.exists()
    assert not AuditEvent.objects.exists()


def test_thousands_separators_are_accepted(lead_client, team):
    lead_client.post(eligible_url(team), {"eligible": "1,200"})
    assert Eligibility.objects.get(survey=team.round).eligible == 1200


def test_people_asked_can_be_recorded_after_the_close(lead_client, team):
    Survey.objects.filter(pk=team.round.pk).update(status=Survey.Status.CLOSED)
    lead_client.post(eligible_url(team), {"eligible": "6"})
    assert Eligibility.objects.get(survey=team.round).eligible == 6


@pytest.mark.parametrize("role", ["consultant", "analyst"])
def test_consultants_and_analysts_cannot_record_it(client, team, role):
    client.force_login(getattr(team, role))
    assert client.get(eligible_url(team)).status_code == 403
    assert client.post(eligible_url(team), {"eligible": "5"}).status_code == 403
    assert not Eligibility.objects.exists()


def test_outsider_gets_404(client, team):
    client.force_login(team.outsider)
    assert client.get(eligible_url(team)).status_code == 404
    assert client.post(eligible_url(team), {"eligible": "5"}).status_code == 404
    assert not Eligibility.objects.exists()


def test_anonymous_visitor_is_sent_to_sign_in(client, team):
    page = client.post(eligible_url(team), {"eligible": "5"})
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("login"))


def test_an_organisation_of_another_partnership_is_404(lead_client, team):
    assert lead_client.get(eligible_url(team, OrganisationFactory())).status_code == 404


# The round page


def test_round_page_shows_people_asked_with_a_change_link_for_leads(lead_client, team):
    personal_links(team, "NHFT", 4)
    set_eligible(
        survey=team.round, organisation=team.organisations[1], eligible=10, actor=None
    )
    submit(team, "NCC", 6)
    html = lead_client.get(round_url(team)).content.decode()
    assert eligible_url(team) in html
    assert eligible_url(team, team.organisations[1]) in html
    assert "60%" in html  # NCC: 6 of 10
    assert "of 14 people asked" in html


def test_consultant_sees_n_but_not_the_rate_of_a_small_group(client, team):
    set_eligible(
        survey=team.round, organisation=team.organisations[0], eligible=10, actor=None
    )
    set_eligible(
        survey=team.round, organisation=team.organisations[1], eligible=8, actor=None
    )
    submit(team, "NHFT", 3)  # below the threshold of 5: its rate would give its count
    submit(team, "NCC", 6)
    client.force_login(team.consultant)
    page = client.get(round_url(team))
    html = page.content.decode()
    assert eligible_url(team) not in html  # read-only
    assert "30%" not in html
    assert "75%" in html  # NCC reached the threshold
    assert page.context["totals"].rate == 75  # totals add up shown organisations only
    assert "of 8 people asked" in html


def test_analyst_sees_every_rate_but_cannot_change_n(client, team):
    set_eligible(
        survey=team.round, organisation=team.organisations[0], eligible=10, actor=None
    )
    submit(team, "NHFT", 3)
    client.force_login(team.analyst)
    html = client.get(round_url(team)).content.decode()
    assert "30%" in html
    assert eligible_url(team) not in html


def test_round_page_says_when_more_submitted_than_asked(lead_client, team):
    ncc = next(o for o in team.organisations if o.short_name == "NCC")
    set_eligible(survey=team.round, organisation=ncc, eligible=2, actor=team.lead)
    submit(team, "NCC", 3)
    html = lead_client.get(round_url(team)).content.decode()
    assert "more than asked" in html


def test_round_page_query_count_stays_flat_with_n_recorded(
    lead_client, team, django_assert_max_num_queries
):
    for organisation in team.organisations:
        set_eligible(
            survey=team.round, organisation=organisation, eligible=9, actor=None
        )
    InvitationFactory(survey=team.round, organisation=team.organisations[0])
    assert Invitation.objects.filter(kind="personal").count() == 1
    with django_assert_max_num_queries(7):
        lead_client.get(round_url(team))
