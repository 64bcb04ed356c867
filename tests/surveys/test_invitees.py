"""The invitee list: find people, see where each invitation stands, correct, withdraw, resend."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from surveys.models import AuditAction, AuditEvent, Invitation, Survey
from surveys.services.invitations import (
    InviteeError,
    correct_invitee,
    withdraw_invitee,
)
from surveys.tracking import organisation_progress
from tests.factories import InvitationFactory, ResponseFactory

pytestmark = pytest.mark.django_db


def url(team, name: str, invitation: Invitation | None = None) -> str:
    kwargs = {"public_id": team.partnership.public_id, "round_id": team.round.public_id}
    if invitation is not None:
        kwargs["invitation_id"] = invitation.public_id
    return reverse(f"surveys:{name}", kwargs=kwargs)


@pytest.fixture
def people(team) -> dict[str, Invitation]:
    """One invitee in each state, at the hospital trust or the council."""
    hospital, council = team.organisations
    now = timezone.now()
    made = {
        "unsent": InvitationFactory(
            survey=team.round, organisation=hospital, email="unsent@nhs.example"
        ),
        "sent": InvitationFactory(
            survey=team.round,
            organisation=hospital,
            email="sent@nhs.example",
            sent_at=now - timedelta(days=3),
            reminded_at=now - timedelta(days=1),
        ),
        "bounced": InvitationFactory(
            survey=team.round,
            organisation=council,
            email="bounced@council.example",
            sent_at=now - timedelta(days=3),
            bounced_at=now - timedelta(days=3),
        ),
        "started": InvitationFactory(
            survey=team.round,
            organisation=council,
            email="started@council.example",
            sent_at=now - timedelta(days=3),
        ),
        "submitted": InvitationFactory(
            survey=team.round,
            organisation=council,
            email="submitted@council.example",
            sent_at=now - timedelta(days=3),
        ),
        "withdrawn": InvitationFactory(
            survey=team.round,
            organisation=hospital,
            email="withdrawn@nhs.example",
            revoked_at=now,
        ),
    }
    ResponseFactory(invitation=made["started"])
    ResponseFactory(invitation=made["submitted"], submitted_at=now)
    return made


def rows(page) -> dict[str, str]:
    """Map each listed address to its status label."""
    return {row.email: row.status_label for row in page.context["page"]}


# Seeing the list


def test_the_round_page_links_to_the_invitee_list(lead_client, team):
    page = lead_client.get(team.round.get_absolute_url())
    assert url(team, "invitee_list") in page.content.decode()


def test_the_lead_sees_each_invitee_with_their_status_and_last_reminder(
    lead_client, team, people, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        page = lead_client.get(url(team, "invitee_list"))
    assert page.status_code == 200
    assert rows(page) == {
        "unsent@nhs.example": "Not sent",
        "sent@nhs.example": "Sent",
        "bounced@council.example": "Could not be delivered",
        "started@council.example": "Started",
        "submitted@council.example": "Submitted",
        "withdrawn@nhs.example": "Withdrawn",
    }
    html = page.content.decode()
    reminded = timezone.localtime(people["sent"].reminded_at)
    assert reminded.strftime("%-d %b %Y, %H:%M") in html
    # A status, never the answers or the moment of submission (which the exports hold).
    submitted_at = timezone.localtime(people["submitted"].responses.get().submitted_at)
    assert submitted_at.strftime("%-d %b %Y, %H:%M") not in html
    assert "/s/" not in html  # nor anyone's link


def test_search_by_address_or_organisation_and_filter_by_status(
    lead_client, team, people
):
    by_address = lead_client.get(url(team, "invitee_list"), {"q": "SENT@"})
    assert set(rows(by_address)) == {"sent@nhs.example", "unsent@nhs.example"}
    by_organisation = lead_client.get(url(team, "invitee_list"), {"q": "county"})
    assert set(rows(by_organisation)) == {
        "bounced@council.example",
        "started@council.example",
        "submitted@council.example",
    }
    by_status = lead_client.get(url(team, "invitee_list"), {"status": "started"})
    assert set(rows(by_status)) == {"started@council.example"}
    nobody = lead_client.get(url(team, "invitee_list"), {"q": "nobody-like-this"})
    assert "Nobody matches your search." in nobody.content.decode()


def test_a_long_list_comes_a_page_at_a_time_keeping_the_search(lead_client, team):
    hospital = team.organisations[0]
    Invitation.objects.bulk_create(
        Invitation(
            survey=team.round,
            organisation=hospital,
            kind=Invitation.Kind.PERSONAL,
            email=f"person{n:03d}@nhs.example",
        )
        for n in range(120)
    )
    first = lead_client.get(url(team, "invitee_list"), {"q": "nhs"})
    assert len(rows(first)) == 50
    assert "Showing 1 to 50." in first.content.decode()
    assert "q=nhs&amp;page=2" in first.content.decode()
    last = lead_client.get(url(team, "invitee_list"), {"q": "nhs", "page": 3})
    assert list(rows(last)) == [f"person{n:03d}@nhs.example" for n in range(100, 120)]


@pytest.mark.parametrize("who", ["consultant", "analyst"])
def test_only_leads_see_invitees(client, team, people, who):
    """Consultants see no counts of people below K, so no person's status either."""
    client.force_login(getattr(team, who))
    assert client.get(url(team, "invitee_list")).status_code == 403


def test_outsiders_and_visitors_cannot_see_invitees(client, team, people):
    client.force_login(team.outsider)
    assert client.get(url(team, "invitee_list")).status_code == 404
    client.logout()
    assert client.get(url(team, "invitee_list")).status_code == 302


# Correcting an address


def audit(action: AuditAction) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


def test_correcting_an_address_cuts_the_old_link_and_emails_the_new_one(
    client, lead_client, team, people, django_capture_on_commit_callbacks
):
    wrong = people["sent"]
    with django_capture_on_commit_callbacks(execute=True):
        page = lead_client.post(
            url(team, "invitee_correct", wrong), {"email": "right@nhs.example"}
        )
    assert page["Location"] == url(team, "invitee_list")
    new = Invitation.objects.get(email="right@nhs.example")
    assert new.token != wrong.token
    assert new.organisation == wrong.organisation
    [message] = mail.outbox
    assert message.to == ["right@nhs.example"]
    assert f"/s/{new.token}/" in message.body
    assert client.get(f"/s/{wrong.token}/").status_code == 404  # the old link is cut
    wrong.refresh_from_db()
    assert wrong.revoked_at is not None
    assert wrong.email is None
    [event] = audit(AuditAction.INVITEE_CORRECTED)
    assert event.actor == team.lead
    assert "sent@nhs.example" not in str(event.detail)  # the trail holds no address
    listed = rows(lead_client.get(url(team, "invitee_list")))
    assert "sent@nhs.example" not in listed
    assert listed["right@nhs.example"] == "Sent"


def test_a_correction_to_an_address_already_invited_is_refused(
    lead_client, team, people
):
    page = lead_client.post(
        url(team, "invitee_correct", people["unsent"]),
        {"email": "Started@Council.example"},
    )
    assert page.status_code == 200
    assert "is already invited to this round" in page.content.decode()
    assert audit(AuditAction.INVITEE_CORRECTED) == []


def test_someone_who_submitted_can_be_neither_corrected_nor_withdrawn(team, people):
    with pytest.raises(InviteeError, match="submitted"):
        correct_invitee(
            invitation=people["submitted"], email="x@example.org", actor=team.lead
        )
    with pytest.raises(InviteeError, match="submitted"):
        withdraw_invitee(invitation=people["submitted"], actor=team.lead)


# Withdrawing and resending


def test_withdrawing_cuts_the_link_and_leaves_the_response_rate(
    client, lead_client, team, people
):
    council = team.organisations[1]

    def council_figures():
        row = organisation_progress(survey=team.round).get(pk=council.pk)
        return row.issued, row.rate

    assert council_figures() == (3, 33)  # 1 submitted of 3 asked
    page = lead_client.post(url(team, "invitee_withdraw", people["bounced"]))
    assert page["Location"] == url(team, "invitee_list")
    assert council_figures() == (2, 50)
    assert client.get(f"/s/{people['bounced'].token}/").status_code == 404
    [event] = audit(AuditAction.INVITEE_WITHDRAWN)
    assert event.detail["organisation"] == council.name
    assert rows(lead_client.get(url(team, "invitee_list")))[
        "bounced@council.example"
    ] == ("Withdrawn")


def test_withdrawing_cuts_the_resume_link_of_answers_begun(client, team, people):
    response = people["started"].responses.get()
    old_resume = response.resume_token
    withdraw_invitee(invitation=people["started"], actor=team.lead)
    response.refresh_from_db()
    assert response.resume_token != old_resume


def test_resending_emails_the_same_link_again_once(
    lead_client, team, people, django_capture_on_commit_callbacks
):
    invitee = people["bounced"]
    for _ in range(2):  # asked twice, a while apart: sent twice
        with django_capture_on_commit_callbacks(execute=True):
            lead_client.post(url(team, "invitee_resend", invitee))
    assert [m.to for m in mail.outbox] == [[invitee.email]] * 2
    assert f"/s/{invitee.token}/" in mail.outbox[0].body
    invitee.refresh_from_db()
    assert invitee.bounced_at is None  # delivered this time
    assert len(audit(AuditAction.INVITATION_RESENT)) == 2


def test_a_queued_resend_run_twice_sends_once(
    team, people, django_capture_on_commit_callbacks
):
    from surveys.services.invitations import resend_invitation

    with django_capture_on_commit_callbacks() as callbacks:
        resend_invitation(invitation=people["sent"], actor=team.lead)
    callbacks[0]()
    callbacks[0]()  # the same task again: a worker took it over
    assert len(mail.outbox) == 1


def test_a_closed_round_offers_no_changes(lead_client, team, people):
    Survey.objects.filter(pk=team.round.pk).update(status=Survey.Status.CLOSED)
    page = lead_client.get(url(team, "invitee_list"))
    assert url(team, "invitee_withdraw", people["sent"]) not in page.content.decode()
    refused = lead_client.post(
        url(team, "invitee_withdraw", people["sent"]), follow=True
    )
    assert "closed round cannot be changed" in refused.content.decode()
    people["sent"].refresh_from_db()
    assert people["sent"].revoked_at is None


def test_an_address_the_mail_server_refuses_is_marked_and_not_reminded(
    team, monkeypatch, django_capture_on_commit_callbacks
):
    import smtplib

    from django.core.mail.backends.locmem import EmailBackend

    from surveys.services.invitations import reminder_plan, send_invitations

    [bad] = [
        InvitationFactory(
            survey=team.round,
            organisation=team.organisations[0],
            email="nobody@nowhere.example",
        )
    ]

    def refuse(self, messages):
        raise smtplib.SMTPRecipientsRefused({bad.email: (550, b"No such user")})

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        send_invitations(survey=team.round, actor=team.lead)
    bad.refresh_from_db()
    assert bad.bounced_at is not None
    assert bad.sent_at is None  # not sent: a resend may still try again
    assert reminder_plan(survey=team.round).count == 0
