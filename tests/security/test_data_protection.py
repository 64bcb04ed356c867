"""Personal data: a lead deletes a closed round's addresses, retention purges old rounds, and
one invitee can be erased on request; answers always stay, anonymous."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.messages import get_messages
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from surveys.models import (
    Answer,
    AuditEvent,
    Invitation,
    Item,
    Membership,
    Response,
    Survey,
)
from surveys.services.data_protection import (
    PersonalDataError,
    delete_round_personal_data,
)
from surveys.services.invitations import send_invitations, send_reminders
from surveys.services.rounds import RoundStateError, close_round
from surveys.tracking import round_totals
from tests.factories import (
    InvitationFactory,
    MembershipFactory,
    ResponseFactory,
    SurveyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

JO = "Jo.Bloggs@example.org"


def answered(invitation: Invitation, *, submitted: bool = True) -> Response:
    """Give a link a response with one answer."""
    response = ResponseFactory(
        invitation=invitation, submitted_at=timezone.now() if submitted else None
    )
    item = Item.objects.filter(
        dimension__instrument=invitation.survey.instrument, response_format="likert"
    ).first()
    Answer.objects.create(response=response, item=item, value=4)
    return response


@pytest.fixture
def round_with_answers(survey_setup):
    """An open round: Jo's personal link answered, a colleague's not, and one shared link answer."""
    survey = survey_setup.survey
    jo = survey_setup.personal_link
    jo.email = JO
    jo.save()
    colleague = InvitationFactory(
        survey=survey, organisation=survey_setup.home, role="executive"
    )
    answered(jo)
    answered(survey_setup.org_link)
    answered(colleague, submitted=False)
    return survey


@pytest.fixture
def lead(round_with_answers):
    return MembershipFactory(
        partnership=round_with_answers.partnership, role=Membership.Role.LEAD
    ).user


def delete_url(survey: Survey) -> str:
    return reverse(
        "surveys:round_personal_data_delete",
        args=[survey.partnership.public_id, survey.public_id],
    )


def snapshot(survey: Survey) -> dict:
    """What must survive: answers, responses and the round's figures."""
    return {
        "answers": sorted(
            Answer.objects.filter(response__survey=survey).values_list(
                "response__public_id", "item_id", "value"
            )
        ),
        "responses": sorted(
            Response.objects.filter(survey=survey).values_list(
                "public_id", "organisation_id", "role", "submitted_at"
            )
        ),
        "totals": round_totals(survey=survey),
    }


def tokens(survey: Survey) -> set[str]:
    links = Invitation.objects.filter(survey=survey, kind="personal")
    return set(links.values_list("token", flat=True)) | set(
        Response.objects.filter(survey=survey).values_list("resume_token", flat=True)
    )


# A lead deletes a closed round's personal data


def test_a_lead_deletes_a_closed_rounds_addresses_and_keeps_every_answer(
    client, round_with_answers, lead
):
    survey = close_round(survey=round_with_answers, actor=lead)
    before, old_tokens = snapshot(survey), tokens(survey)
    old_link = survey.invitations.get(email=JO).token
    client.force_login(lead)

    confirm = client.get(delete_url(survey))
    assert confirm.status_code == 200
    assert "cannot undo" in confirm.content.decode()
    done = client.post(delete_url(survey))

    assert done.status_code == 302
    assert done["Location"] == survey.get_absolute_url()
    assert not Invitation.objects.filter(survey=survey, email__isnull=False).exists()
    assert not Invitation.objects.filter(survey=survey).exclude(role="").exists()
    assert snapshot(survey) == before
    assert not tokens(survey) & old_tokens  # the links are cut
    assert client.get(f"/s/{old_link}/").status_code == 404
    event = AuditEvent.objects.get(action=AuditEvent.Action.PERSONAL_DATA_DELETED)
    assert (event.actor, event.survey, event.detail["count"]) == (lead, survey, 2)
    page = client.get(survey.get_absolute_url()).content.decode()
    today = timezone.localdate().strftime("%-d %B %Y")
    assert f"Personal data deleted on {today}" in page
    assert "Delete personal data" not in page
    assert "Deleted the email addresses of 2 people" in page


def test_personal_data_stays_while_the_round_is_open(client, round_with_answers, lead):
    survey = round_with_answers
    client.force_login(lead)
    assert client.get(delete_url(survey))["Location"] == survey.get_absolute_url()
    page = client.post(delete_url(survey), follow=True)
    assert "only once the round has closed" in page.content.decode()
    assert Invitation.objects.filter(survey=survey, email=JO).exists()
    assert not AuditEvent.objects.filter(action="personal_data_deleted").exists()


@pytest.mark.parametrize("role", [Membership.Role.CONSULTANT, Membership.Role.ANALYST])
def test_only_leads_may_delete_personal_data(client, round_with_answers, lead, role):
    survey = close_round(survey=round_with_answers, actor=lead)
    member = MembershipFactory(partnership=survey.partnership, role=role).user
    client.force_login(member)
    assert (
        "Delete personal data"
        not in client.get(survey.get_absolute_url()).content.decode()
    )
    assert client.post(delete_url(survey)).status_code == 403
    assert Invitation.objects.filter(survey=survey, email=JO).exists()


def test_personal_data_is_deleted_once(client, round_with_answers, lead):
    survey = close_round(survey=round_with_answers, actor=lead)
    client.force_login(lead)
    client.post(delete_url(survey))
    again = client.post(delete_url(survey))
    messages = [str(m) for m in get_messages(again.wsgi_request)]
    assert messages[-1] == "This round’s personal data has already been deleted."
    assert AuditEvent.objects.filter(action="personal_data_deleted").count() == 1


def test_nothing_can_be_sent_once_personal_data_is_gone(round_with_answers, lead):
    """A round past its closing date is closed for good when its addresses go."""
    survey = round_with_answers
    Survey.objects.filter(pk=survey.pk).update(
        closes_at=timezone.now() - timedelta(days=1)
    )
    survey.refresh_from_db()
    delete_round_personal_data(survey=survey, actor=lead)
    survey.refresh_from_db()
    assert survey.status == Survey.Status.CLOSED
    with pytest.raises(RoundStateError):
        send_invitations(survey=survey, actor=lead)
    with pytest.raises(RoundStateError):
        send_reminders(survey=survey, actor=lead)


def test_the_round_page_says_when_addresses_will_be_deleted(
    client, settings, round_with_answers, lead
):
    settings.PERSONAL_DATA_RETENTION_DAYS = 30
    client.force_login(lead)
    page = client.get(round_with_answers.get_absolute_url()).content.decode()
    assert "deleted 30 days after the round closes" in page
    assert "Delete personal data" not in page
    survey = close_round(survey=round_with_answers, actor=lead)
    due = timezone.localtime(survey.closes_at + timedelta(days=30))
    page = client.get(survey.get_absolute_url()).content.decode()
    assert f"kept until {due:%-d %B %Y}, then deleted automatically" in page
    assert "Delete personal data" in page


# The retention period


def closed_round(survey_setup, *, days_ago: int, status=Survey.Status.CLOSED) -> Survey:
    survey = SurveyFactory(
        partnership=survey_setup.survey.partnership,
        instrument=survey_setup.survey.instrument,
        status=status,
        closes_at=timezone.now() - timedelta(days=days_ago),
    )
    InvitationFactory(survey=survey, organisation=survey_setup.home, email=JO)
    return survey


def test_purge_deletes_only_rounds_closed_longer_than_the_retention(
    settings, survey_setup
):
    settings.PERSONAL_DATA_RETENTION_DAYS = 90
    old = closed_round(survey_setup, days_ago=91)
    lapsed = closed_round(survey_setup, days_ago=120, status=Survey.Status.OPEN)
    recent = closed_round(survey_setup, days_ago=89)
    still_open = survey_setup.survey  # no closing date

    out = StringIO()
    call_command("purge_personal_data", stdout=out)

    for survey in (old, lapsed):
        survey.refresh_from_db()
        assert survey.personal_data_deleted_at is not None
        assert survey.status == Survey.Status.CLOSED
        assert not survey.invitations.filter(email__isnull=False).exists()
    for survey in (recent, still_open):
        assert survey.invitations.filter(email__isnull=False).exists()
    assert "2 round(s) purged (retention: 90 days after closing)" in out.getvalue()
    events = AuditEvent.objects.filter(action="personal_data_deleted")
    assert {e.actor_name for e in events} == {"Retention policy (automatic)"}
    assert all(e.detail["automatic"] for e in events)


def test_purge_can_run_again_and_again(survey_setup):
    closed_round(survey_setup, days_ago=365)
    call_command("purge_personal_data", stdout=StringIO())
    out = StringIO()
    call_command("purge_personal_data", stdout=out)
    assert "0 round(s) purged" in out.getvalue()
    assert AuditEvent.objects.filter(action="personal_data_deleted").count() == 1


def test_a_dry_run_lists_the_rounds_and_changes_nothing(survey_setup):
    survey = closed_round(survey_setup, days_ago=365)
    out = StringIO()
    call_command("purge_personal_data", "--dry-run", stdout=out)
    assert f"Would delete: {survey.partnership} – {survey.title}" in out.getvalue()
    assert survey.invitations.filter(email=JO).exists()


def test_the_service_refuses_an_open_round(round_with_answers):
    with pytest.raises(PersonalDataError):
        delete_round_personal_data(survey=round_with_answers, actor=None)


# Erasing one invitee


def test_erasing_an_invitee_cuts_every_link_and_keeps_their_answers(
    round_with_answers, survey_setup
):
    later = closed_round(survey_setup, days_ago=1)
    other = InvitationFactory(survey=later, organisation=survey_setup.home)
    jo_links = list(Invitation.objects.filter(email__iexact=JO))
    assert len(jo_links) == 2
    before, old_tokens = snapshot(round_with_answers), {i.token for i in jo_links}

    out = StringIO()
    call_command("erase_invitee", " JO.BLOGGS@example.org ", stdout=out)

    for link in jo_links:
        link.refresh_from_db()
        assert (link.email, link.role) == (None, "")
    assert old_tokens.isdisjoint({link.token for link in jo_links})
    assert snapshot(round_with_answers) == before  # the answers stay, anonymous
    other.refresh_from_db()
    assert other.email is not None
    text = out.getvalue()
    assert f"Erased from ‘{round_with_answers.title}’" in text
    assert "Done: 2 invitation(s) in 2 round(s)" in text
    events = AuditEvent.objects.filter(action="invitee_erased")
    assert events.count() == 2
    assert "example.org" not in json.dumps([e.detail for e in events]).lower()
    assert "jo.bloggs" not in "".join(e.summary for e in events).lower()


def test_an_erased_invitee_link_no_longer_opens_their_answers(
    client, round_with_answers
):
    link = Invitation.objects.get(survey=round_with_answers, email=JO)
    response = link.responses.get()
    old = (link.token, response.resume_token)
    call_command("erase_invitee", JO, stdout=StringIO())
    for token in old:
        assert client.get(f"/s/{token}/").status_code == 404
    assert Response.objects.filter(pk=response.pk, submitted_at__isnull=False).exists()


def test_erasing_twice_changes_nothing(round_with_answers):
    call_command("erase_invitee", JO, stdout=StringIO())
    out = StringIO()
    call_command("erase_invitee", JO, stdout=out)
    assert "No invitation holds that address: nothing to erase." in out.getvalue()
    assert AuditEvent.objects.filter(action="invitee_erased").count() == 1


def test_erasure_can_be_limited_to_one_round(round_with_answers, survey_setup):
    later = closed_round(survey_setup, days_ago=1)
    call_command(
        "erase_invitee", JO, "--survey", str(later.public_id), stdout=StringIO()
    )
    assert not later.invitations.filter(email__isnull=False).exists()
    assert round_with_answers.invitations.filter(email=JO).exists()


def test_erasure_rejects_a_bad_address_or_round(round_with_answers):
    with pytest.raises(CommandError, match="not an email address"):
        call_command("erase_invitee", "jo", stdout=StringIO())
    with pytest.raises(CommandError, match="No survey round"):
        call_command("erase_invitee", JO, "--survey", "nope", stdout=StringIO())
    assert round_with_answers.invitations.filter(email=JO).exists()


def test_erasure_points_at_a_team_account_with_the_same_address(round_with_answers):
    UserFactory(email=JO.lower())
    out = StringIO()
    call_command("erase_invitee", JO, stdout=out)
    assert "a team account (lead, consultant or analyst) uses this address" in (
        out.getvalue()
    )
