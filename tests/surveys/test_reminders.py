"""Reminders: on the round's schedule or by hand, by a rule the lead reads before sending;
the lead's own message in invitations and reminders; the daily sending allowance."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.tasks import TaskBackendHandler
from django.urls import reverse
from django.utils import timezone

from surveys.models import AuditAction, AuditEvent, Invitation, Survey
from surveys.services.invitations import (
    REMINDER_RULE,
    SendingLimitError,
    send_invitations,
    send_reminders,
    sent_today,
    set_invitee_message,
)
from tests.factories import (
    InvitationFactory,
    MembershipFactory,
    PartnershipFactory,
    ResponseFactory,
    SurveyFactory,
)

pytestmark = pytest.mark.django_db


def url(team, name: str) -> str:
    return reverse(
        f"surveys:{name}",
        kwargs={
            "public_id": team.partnership.public_id,
            "round_id": team.round.public_id,
        },
    )


def invitees(team, count: int, **fields) -> list[Invitation]:
    return [
        InvitationFactory(
            survey=team.round, organisation=team.organisations[0], **fields
        )
        for _ in range(count)
    ]


# Scheduled reminders


@pytest.fixture
def queue(monkeypatch):
    """A task backend that keeps what is queued (and when for), to run by hand."""
    handler = TaskBackendHandler(
        {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    )
    monkeypatch.setattr("django.tasks.task_backends", handler)
    return handler["default"]


def run(result, monkeypatch=None) -> int:
    """Run a queued task, at the time it was queued for (the clock moved on to it)."""
    if monkeypatch is not None and result.task.run_after is not None:
        moment = result.task.run_after + timedelta(minutes=1)
        monkeypatch.setattr("django.utils.timezone.now", lambda: moment)
    return result.task.call(*result.args, **result.kwargs)


def test_the_schedule_is_chosen_when_setting_up_the_round(lead_client, team):
    page = lead_client.post(
        reverse(
            "surveys:round_create", kwargs={"public_id": team.partnership.public_id}
        ),
        {
            "title": "Spring round",
            "instrument": team.round.instrument.pk,
            "anonymity_threshold": 5,
            "reminder_days": "5,10",
        },
    )
    assert page.status_code == 302, page.content.decode()
    assert Survey.objects.get(title="Spring round").reminder_days == [5, 10]


def test_reminders_are_queued_for_the_chosen_days_but_never_after_the_close(
    team, queue, django_capture_on_commit_callbacks
):
    Survey.objects.filter(pk=team.round.pk).update(
        reminder_days=[5, 10], closes_at=timezone.now() + timedelta(days=8)
    )
    team.round.refresh_from_db()
    invitees(team, 2)
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        send_invitations(survey=team.round, actor=team.lead)
    [invitations, reminders] = queue.results  # none for day 10: the round has closed
    assert invitations.task.run_after is None
    assert not invitations.kwargs["reminder"]
    assert reminders.kwargs["reminder"]
    assert reminders.kwargs["after_days"] == 5
    due = reminders.task.run_after - before
    assert timedelta(days=5) <= due < timedelta(days=5, minutes=1)


def test_a_scheduled_reminder_skips_those_who_submitted_and_nothing_goes_after_close(
    team, queue, django_capture_on_commit_callbacks, monkeypatch
):
    Survey.objects.filter(pk=team.round.pk).update(reminder_days=[5, 10])
    team.round.refresh_from_db()
    answered, silent = invitees(team, 2)
    with django_capture_on_commit_callbacks(execute=True):
        send_invitations(survey=team.round, actor=team.lead)
    invitations, day5, day10 = queue.results
    assert run(invitations) == 2
    ResponseFactory(invitation=answered, submitted_at=timezone.now())
    mail.outbox.clear()

    assert run(day5, monkeypatch) == 1
    assert [m.to for m in mail.outbox] == [[silent.email]]
    assert mail.outbox[0].subject.startswith("Reminder: ")
    # The same task again (a worker took it over): no repeat.
    assert run(day5, monkeypatch) == 0
    event = AuditEvent.objects.get(action=AuditAction.REMINDERS_SENT)
    assert event.actor is None
    assert event.actor_name == "Automatic reminder"

    Survey.objects.filter(pk=team.round.pk).update(status=Survey.Status.CLOSED)
    assert run(day10, monkeypatch) == 0
    assert len(mail.outbox) == 1


def test_a_reminder_queued_before_the_schedule_changed_is_not_sent(
    team, queue, django_capture_on_commit_callbacks
):
    Survey.objects.filter(pk=team.round.pk).update(reminder_days=[7])
    team.round.refresh_from_db()
    invitees(team, 1)
    with django_capture_on_commit_callbacks(execute=True):
        send_invitations(survey=team.round, actor=team.lead)
    invitations, day7 = queue.results
    run(invitations)
    Survey.objects.filter(pk=team.round.pk).update(reminder_days=[])
    assert run(day7) == 0


# Reminding by hand


def test_the_rule_and_who_it_reaches_are_shown_before_sending(lead_client, team):
    recently = timezone.now() - timedelta(hours=2)
    invitees(team, 2, sent_at=recently)  # invited just now: they can be reminded
    invitees(team, 1, sent_at=recently, reminded_at=recently)
    invitees(team, 1)  # not sent yet
    [done] = invitees(team, 1, sent_at=recently)
    ResponseFactory(invitation=done, submitted_at=timezone.now())

    page = lead_client.get(url(team, "reminders_send"))
    html = page.content.decode()
    assert REMINDER_RULE in html
    plan = page.context["plan"]
    assert (plan.count, plan.submitted, plan.recently_reminded, plan.not_sent) == (
        2,
        1,
        1,
        1,
    )
    assert "Send 2 reminders" in html


def test_the_result_says_how_many_were_reminded_and_why_not_the_others(
    lead_client, team, django_capture_on_commit_callbacks
):
    recently = timezone.now() - timedelta(hours=2)
    invitees(team, 2, sent_at=recently)
    invitees(team, 1, sent_at=recently, reminded_at=recently)
    invitees(team, 1)
    with django_capture_on_commit_callbacks(execute=True):
        page = lead_client.post(url(team, "reminders_send"), follow=True)
    assert (
        "Reminders are being sent to 2 people. Not reminded: 1 person: reminded in the "
        "last 24 hours; 1 person: not sent an invitation yet."
    ) in page.content.decode()
    assert len(mail.outbox) == 2


# The lead's message


def test_the_message_is_quoted_as_plain_text_with_no_links(
    team, django_capture_on_commit_callbacks
):
    set_invitee_message(
        survey=team.round,
        message='Please answer <b>today</b> & see https://evil.example/login or www.x.org "now"',
        actor=team.lead,
    )
    [_invitee] = invitees(team, 1)
    with django_capture_on_commit_callbacks(execute=True):
        send_invitations(survey=team.round, actor=team.lead)
    [message] = mail.outbox
    assert (
        "> Please answer <b>today</b> & see https[:]//evil[.]example/login or "
        'www[.]x[.]org "now"'
    ) in message.body
    html = message.alternatives[0][0]
    assert (
        "Please answer &lt;b&gt;today&lt;/b&gt; &amp; see https[:]//evil[.]example"
        in html
    )
    assert "evil.example" not in html
    assert "<b>" not in html
    assert "their words, not the service" in message.body


def test_a_message_longer_than_500_characters_is_refused_and_nothing_saved(
    lead_client, team
):
    page = lead_client.post(
        url(team, "invitee_message"), {"message": "x" * 501, "save": "Save"}
    )
    assert page.status_code == 200
    assert "must be 500 characters or fewer" in page.content.decode()
    team.round.refresh_from_db()
    assert team.round.invitee_message == ""


def test_the_message_is_previewed_before_it_is_saved(lead_client, team):
    page = lead_client.post(
        url(team, "invitee_message"),
        {"message": "Our board meets on <Friday>.", "preview": "Preview"},
    )
    html = page.content.decode()
    assert "&gt; Our board meets on &lt;Friday&gt;." in html  # escaped in the page
    assert "Subject: Collaboration survey: your personal link" in html
    team.round.refresh_from_db()
    assert team.round.invitee_message == ""  # previewing saves nothing
    lead_client.post(
        url(team, "invitee_message"),
        {"message": "Our board meets on <Friday>.", "save": "Save"},
    )
    team.round.refresh_from_db()
    assert team.round.invitee_message == "Our board meets on <Friday>."
    assert AuditEvent.objects.filter(
        action=AuditAction.INVITEE_MESSAGE_CHANGED
    ).exists()


# The daily allowance


def test_a_send_past_the_daily_allowance_is_refused_whole(
    lead_client, team, settings, django_capture_on_commit_callbacks
):
    settings.INVITATIONS_PER_LEAD_PER_DAY = 5
    invitees(team, 3)
    with django_capture_on_commit_callbacks(execute=True):
        lead_client.post(url(team, "invitations_send"))
    assert len(mail.outbox) == 3
    invitees(team, 3)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        page = lead_client.post(url(team, "invitations_send"), follow=True)
    assert callbacks == []  # nothing queued: not half the list
    assert len(mail.outbox) == 3
    assert (
        "Nothing was sent. Each lead can send up to 5 invitations and reminders in 24 "
        "hours; you have sent 3, so 2 more can go now, and this would send 3."
    ) in page.content.decode()
    assert Invitation.objects.filter(kind="personal", sent_at__isnull=True).count() == 3


def test_the_allowance_counts_every_partnership_of_the_lead(
    team, settings, django_capture_on_commit_callbacks
):
    settings.INVITATIONS_PER_LEAD_PER_DAY = 4
    other = SurveyFactory(
        partnership=PartnershipFactory(), instrument=team.round.instrument
    )
    MembershipFactory(partnership=other.partnership, user=team.lead)
    for _ in range(3):
        InvitationFactory(survey=other, organisation=team.organisations[0])
    with django_capture_on_commit_callbacks(execute=True):
        send_invitations(survey=other, actor=team.lead)
    invitees(team, 2)
    with pytest.raises(SendingLimitError):
        send_invitations(survey=team.round, actor=team.lead)
    # Yesterday's sends no longer count.
    AuditEvent.objects.update(created_at=timezone.now() - timedelta(hours=25))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_invitations(survey=team.round, actor=team.lead) == 2


def test_manual_reminders_count_towards_the_allowance_and_are_refused_whole(
    lead_client, team, settings, django_capture_on_commit_callbacks
):
    # A reminder is an email from the service's sender like an invitation; only those the
    # lead sends by hand count (scheduled ones follow invitations already counted).
    settings.INVITATIONS_PER_LEAD_PER_DAY = 5
    recently = timezone.now() - timedelta(hours=30)
    invitees(team, 3, sent_at=recently)
    with django_capture_on_commit_callbacks(execute=True):
        lead_client.post(url(team, "reminders_send"))
    assert len(mail.outbox) == 3
    invitees(team, 3)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        page = lead_client.post(url(team, "invitations_send"), follow=True)
    assert callbacks == []
    assert (
        "Nothing was sent. Each lead can send up to 5 invitations and reminders in 24 "
        "hours; you have sent 3, so 2 more can go now, and this would send 3."
    ) in page.content.decode()
    Invitation.objects.filter(sent_at__isnull=True).update(sent_at=recently)
    Invitation.objects.update(reminded_at=None, reminder_requested_at=None)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        page = lead_client.post(url(team, "reminders_send"), follow=True)
    assert callbacks == []
    assert len(mail.outbox) == 3
    assert "this would send 6" in page.content.decode()
    assert not Invitation.objects.filter(reminded_at__isnull=False).exists()


def test_a_second_reminder_request_before_the_worker_sends_counts_nobody_twice(
    lead_client, team, settings, django_capture_on_commit_callbacks
):
    # Two clicks on "Send reminders" before the worker has sent the first batch: the
    # second list was the same people again, and both counted against the allowance.
    settings.INVITATIONS_PER_LEAD_PER_DAY = 5
    invitees(team, 3, sent_at=timezone.now() - timedelta(hours=30))
    with django_capture_on_commit_callbacks(execute=False) as first:
        assert send_reminders(survey=team.round, actor=team.lead).count == 3
    preview = lead_client.get(url(team, "reminders_send")).content.decode()
    assert re.search(r"Would be reminded now</dt>\s*<dd[^>]*>0<", preview)
    assert re.search(r"not sent yet</dt>\s*<dd[^>]*>3<", preview)
    with django_capture_on_commit_callbacks(execute=False) as second:
        page = lead_client.post(url(team, "reminders_send"), follow=True)
    assert second == []
    assert (
        "Nobody was reminded. Not reminded: 3 people: a reminder asked for in the last "
        "24 hours, not sent yet."
    ) in page.content.decode()
    assert sent_today(actor=team.lead) == 3
    # The worker then sends the first request's batch, once.
    assert len(first) == 1
    first[0]()
    assert len(mail.outbox) == 3
    assert sent_today(actor=team.lead) == 3


def test_a_reminder_the_worker_could_not_send_can_be_asked_for_again(
    team, monkeypatch, django_capture_on_commit_callbacks
):
    # Found by the review: a request holds its people as reminded until the worker sends;
    # one the worker could not send (the mail server down) held them for a day.
    invitees(team, 3, sent_at=timezone.now() - timedelta(hours=30))

    def mail_server_down(self, messages):
        raise ConnectionRefusedError("the mail server is down")

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", mail_server_down)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders(survey=team.round, actor=team.lead).count == 3
    assert mail.outbox == []
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders(survey=team.round, actor=team.lead).count == 3
    assert len(mail.outbox) == 3


def test_manual_reminders_lock_the_round_before_building_the_list(team):
    # Found by the review: the list was built before any lock was taken, so two requests at
    # once each built the same list and each counted it against the allowance.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    invitees(team, 2, sent_at=timezone.now() - timedelta(hours=30))
    with CaptureQueriesContext(connection) as queries:
        plan = send_reminders(survey=team.round, actor=team.lead)
    assert plan.count == 2
    sql = [q["sql"] for q in queries.captured_queries]
    round_locked = next(
        n for n, q in enumerate(sql) if "FOR UPDATE" in q and '"surveys_survey"' in q
    )
    list_built = next(n for n, q in enumerate(sql) if '"surveys_invitation"' in q)
    assert round_locked < list_built
