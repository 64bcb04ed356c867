"""Personal invitations: import them, email them, correct, withdraw or resend one, remind.

Reminders follow one rule, stated to the lead before they send (REMINDER_RULE), and go out
by hand or on the round's schedule (`Survey.reminder_days`) through the task queue.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from itertools import batched

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, Lower
from django.utils import timezone

from surveys.models import (
    INVITEE_MESSAGE_MAX_LENGTH,
    AuditAction,
    AuditEvent,
    Invitation,
    Organisation,
    Response,
    RetiredLink,
    Survey,
    User,
    new_token,
    retired_link_digest,
)
from surveys.services.audit import actor_display_name, record_event
from surveys.services.rounds import RoundStateError
from surveys.tasks import EMAIL_BATCH_SIZE, send_survey_emails

logger = logging.getLogger(__name__)

# Someone reminded less than this long ago is not reminded again.
REMINDER_INTERVAL = timedelta(hours=24)
REMINDER_RULE = (
    "Reminders go to everyone who has been sent an invitation and has not submitted "
    "their answers, except people reminded in the last 24 hours, people whose "
    "invitation was withdrawn and addresses that could not be delivered to."
)
# The schedules a lead can choose when setting up a round: days after each invitation.
REMINDER_SCHEDULES: dict[str, list[int]] = {
    "": [],
    "7": [7],
    "5,10": [5, 10],
    "3,7,14": [3, 7, 14],
}
# Sends that count towards a lead's daily allowance, each with its detail["count"]. Manual
# reminders count too; scheduled ones (no actor) follow invitations already counted.
_SENDING_ACTIONS = (
    AuditAction.INVITATIONS_SENT,
    AuditAction.INVITATION_RESENT,
    AuditAction.INVITEE_CORRECTED,
    AuditAction.REMINDERS_SENT,
)


class InviteeError(Exception):
    """That change cannot be made to this invitation; the message says why."""


class SendingLimitError(Exception):
    """Sending these would take the lead past their daily allowance; nothing was sent."""


@dataclass(frozen=True)
class InvitationRow:
    """One validated line of an invitation import."""

    line: int
    email: str
    organisation: Organisation
    role: str
    language: str = settings.LANGUAGE_CODE


@dataclass(frozen=True)
class ImportResult:
    created: int
    skipped: int  # duplicates: repeated in the file or already invited to this round


@transaction.atomic
def import_invitations(
    *, survey: Survey, rows: Sequence[InvitationRow], actor: User
) -> ImportResult:
    """Create a personal link for each new address; skip and count duplicates."""
    # Lock the round so two imports at once cannot both pass the duplicate check.
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status == Survey.Status.CLOSED:
        raise RoundStateError("People cannot be invited to a closed round.")
    existing = set(
        Invitation.objects.filter(survey=survey, email__isnull=False)
        .annotate(address=Lower("email"))
        .values_list("address", flat=True)
    )
    new: list[Invitation] = []
    for row in rows:
        address = row.email.lower()
        if address in existing:
            continue
        existing.add(address)
        new.append(
            Invitation(
                survey=survey,
                organisation=row.organisation,
                kind=Invitation.Kind.PERSONAL,
                email=row.email,
                role=row.role,
                language=row.language,
            )
        )
    Invitation.objects.bulk_create(new, batch_size=1000)
    result = ImportResult(created=len(new), skipped=len(rows) - len(new))
    record_event(
        partnership=survey.partnership,
        survey=survey,
        actor=actor,
        action=AuditAction.INVITATIONS_IMPORTED,
        detail={"created": result.created, "skipped": result.skipped},
    )
    return result


def describe_schedule(days: Sequence[int]) -> str:
    """Say in words when automatic reminders go, e.g. "5 and 10 days after the invitation"."""
    if not days:
        return "No automatic reminders"
    numbers = [str(d) for d in days]
    joined = (
        numbers[0]
        if len(numbers) == 1
        else ", ".join(numbers[:-1]) + " and " + numbers[-1]
    )
    return f"{joined} days after each invitation was sent"


def sent_today(*, actor: User, now: datetime | None = None) -> int:
    """Return how many invitations and reminders the lead has sent in the last 24 hours."""
    since = (now or timezone.now()) - timedelta(days=1)
    # The audit trail is the ledger: every send records how many emails it queued.
    return AuditEvent.objects.filter(
        actor=actor, action__in=_SENDING_ACTIONS, created_at__gte=since
    ).aggregate(total=Coalesce(Sum(Cast(KT("detail__count"), IntegerField())), 0))[
        "total"
    ]


def _check_allowance(*, actor: User, count: int) -> None:
    """Refuse, before anything is queued, a send that passes the lead's daily allowance.

    The lead's row is locked so that two sends at once cannot both fit in what is left.
    """
    if count == 0:
        return
    User.objects.select_for_update().filter(pk=actor.pk).first()
    limit = settings.INVITATIONS_PER_LEAD_PER_DAY
    used = sent_today(actor=actor)
    left = max(limit - used, 0)
    if count > left:
        raise SendingLimitError(
            f"Nothing was sent. Each lead can send up to {limit:,} invitations and "
            f"reminders in 24 hours; you have sent {used:,}, so {left:,} more can go now, and this would "
            f"send {count:,}. Try again later, or ask the service team to raise the limit."
        )


def _enqueue_emails(
    *,
    invitation_ids: list[int],
    actor: User,
    reminder: bool,
    resend: bool = False,
) -> None:
    """Queue the emails in batches once the transaction commits."""
    requested_at = timezone.now().isoformat()
    for batch in batched(invitation_ids, EMAIL_BATCH_SIZE):
        transaction.on_commit(
            partial(
                send_survey_emails.enqueue,
                invitation_ids=list(batch),
                sender_name=actor_display_name(actor),
                sender_email=actor.email,
                reminder=reminder,
                requested_at=requested_at,
                resend=resend,
            )
        )


def _schedule_reminders(
    *, survey: Survey, invitation_ids: list[int], actor: User
) -> int:
    """Queue the round's automatic reminders for these invitations; return how many batches.

    Each goes the chosen number of days from now; none is queued for after the round
    closes, and the task checks again when it runs (the dates may have moved).
    """
    backend = send_survey_emails.get_backend()
    if not survey.reminder_days or not invitation_ids:
        return 0
    if not backend.supports_defer:
        logger.warning(
            "The task backend cannot run tasks later: no automatic reminders"
        )
        return 0
    now = timezone.now()
    queued = 0
    for days in survey.reminder_days:
        due = now + timedelta(days=days)
        if survey.closes_at is not None and due >= survey.closes_at:
            continue
        for batch in batched(invitation_ids, EMAIL_BATCH_SIZE):
            transaction.on_commit(
                partial(
                    send_survey_emails.using(run_after=due).enqueue,
                    invitation_ids=list(batch),
                    sender_name=actor_display_name(actor),
                    sender_email=actor.email,
                    reminder=True,
                    after_days=days,
                    # Anyone reminded in the day before it is due is not reminded again.
                    requested_at=(due - REMINDER_INTERVAL).isoformat(),
                )
            )
            queued += 1
    return queued


def _live_personal_links(survey: Survey) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        survey=survey,
        kind=Invitation.Kind.PERSONAL,
        revoked_at__isnull=True,
        email__isnull=False,
    )


def _require_accepting(survey: Survey) -> None:
    if survey.status != Survey.Status.OPEN or survey.has_closed():
        raise RoundStateError(
            "Emails go out only while the round is open. Open the round first."
        )


@transaction.atomic
def send_invitations(*, survey: Survey, actor: User) -> int:
    """Email every personal link not yet sent; return how many were queued."""
    _require_accepting(survey)
    ids = list(
        _live_personal_links(survey)
        .filter(sent_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if ids:
        _check_allowance(actor=actor, count=len(ids))
        _enqueue_emails(invitation_ids=ids, actor=actor, reminder=False)
        _schedule_reminders(survey=survey, invitation_ids=ids, actor=actor)
        record_event(
            partnership=survey.partnership,
            survey=survey,
            actor=actor,
            action=AuditAction.INVITATIONS_SENT,
            detail={"count": len(ids)},
        )
    return len(ids)


@dataclass(frozen=True)
class ReminderPlan:
    """Who a reminder sent now would reach, and why the others would not get one."""

    due: list[int]
    not_sent: int
    submitted: int
    recently_reminded: int
    undeliverable: int
    waiting: int = 0  # a reminder asked for in the last 24 hours, not sent yet

    @property
    def count(self) -> int:
        return len(self.due)

    @property
    def skipped(self) -> list[str]:
        """Say, reason by reason, who is left out."""
        reasons = [
            (self.submitted, "submitted their answers"),
            (self.recently_reminded, "reminded in the last 24 hours"),
            (self.waiting, "a reminder asked for in the last 24 hours, not sent yet"),
            (self.not_sent, "not sent an invitation yet"),
            (self.undeliverable, "an address that could not be delivered to"),
        ]
        return [f"{_people(n)}: {why}" for n, why in reasons if n]


def reminder_plan(*, survey: Survey, now: datetime | None = None) -> ReminderPlan:
    """Apply REMINDER_RULE to the round's live personal links, without sending anything."""
    recently = (now or timezone.now()) - REMINDER_INTERVAL
    submitted = Response.objects.filter(
        invitation=OuterRef("pk"), submitted_at__isnull=False
    )
    links = _live_personal_links(survey).annotate(answered=Exists(submitted))
    is_submitted = Q(answered=True)
    not_sent = Q(answered=False, sent_at__isnull=True)
    undeliverable = Q(answered=False, sent_at__isnull=False, bounced_at__isnull=False)
    reachable = Q(answered=False, sent_at__isnull=False, bounced_at__isnull=True)
    recent = reachable & Q(reminded_at__gt=recently)
    # A reminder asked for and still waiting for the worker counts as sent: a second click
    # before it goes would otherwise count the same people against the allowance again.
    waiting = reachable & Q(reminder_requested_at__gt=recently) & ~recent
    counts = links.aggregate(
        submitted=Count("pk", filter=is_submitted),
        not_sent=Count("pk", filter=not_sent),
        undeliverable=Count("pk", filter=undeliverable),
        recently_reminded=Count("pk", filter=recent),
        waiting=Count("pk", filter=waiting),
    )
    due = list(
        links.exclude(is_submitted | not_sent | undeliverable | recent | waiting)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return ReminderPlan(due=due, **counts)


@transaction.atomic
def send_reminders(*, survey: Survey, actor: User) -> ReminderPlan:
    """Remind, by REMINDER_RULE, everyone sent a personal link who has not submitted.

    The round's row, then the lead's, is locked before the list is built: two requests at
    once (two leads, or a second click) then build theirs one after the other. The second
    finds the first's people asked for already (`reminder_requested_at`), even if the
    worker has not sent to them yet, so nobody counts twice against the allowance; and the
    worker, which skips anyone reminded since a request was made, reminds nobody twice.
    """
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    User.objects.select_for_update().filter(pk=actor.pk).first()
    _require_accepting(survey)
    plan = reminder_plan(survey=survey)
    if plan.due:
        _check_allowance(actor=actor, count=plan.count)
        Invitation.objects.filter(pk__in=plan.due).update(
            reminder_requested_at=timezone.now()
        )
        _enqueue_emails(invitation_ids=plan.due, actor=actor, reminder=True)
        record_event(
            partnership=survey.partnership,
            survey=survey,
            actor=actor,
            action=AuditAction.REMINDERS_SENT,
            detail={"count": plan.count},
        )
    return plan


def _locked(invitation: Invitation) -> Invitation:
    return (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("survey__partnership", "organisation")
        .get(pk=invitation.pk, kind=Invitation.Kind.PERSONAL)
    )


def _has_submitted(invitation: Invitation) -> bool:
    return invitation.responses.filter(submitted_at__isnull=False).exists()


def _cut_resume_links(invitation: Invitation) -> None:
    """Give unfinished responses behind this link new resume tokens: old emails lead nowhere.

    Each old token is remembered only as a keyed hash, so that opening it is "this link no
    longer works", not a guess counted towards the unknown-link lockout.
    """
    for response in invitation.responses.filter(submitted_at__isnull=True):
        RetiredLink.objects.get_or_create(
            digest=retired_link_digest(response.resume_token),
            defaults={"survey_id": response.survey_id},
        )
        response.resume_token = new_token()
        response.save(update_fields=["resume_token", "updated_at"])


def _require_changeable(invitation: Invitation) -> None:
    if invitation.survey.status == Survey.Status.CLOSED:
        raise RoundStateError("Invitations to a closed round cannot be changed.")
    if invitation.revoked_at is not None:
        raise InviteeError("This invitation has been withdrawn.")
    if invitation.email is None:
        raise InviteeError("This invitee’s email address has been deleted.")
    if _has_submitted(invitation):
        raise InviteeError(
            "This person has submitted their answers, which count, so their "
            "invitation stays as it is."
        )


def _audit_invitee(
    invitation: Invitation, *, actor: User, action: AuditAction, count: int = 0
) -> None:
    # The trail names the organisation, never the address: consultants read it too.
    record_event(
        partnership=invitation.survey.partnership,
        survey=invitation.survey,
        actor=actor,
        action=action,
        detail={
            "organisation": invitation.organisation.name,
            "invitation": str(invitation.public_id),
            "count": count,
        },
    )


@transaction.atomic
def correct_invitee(*, invitation: Invitation, email: str, actor: User) -> Invitation:
    """Replace a mistyped address: a new link for the new address, the old link cut.

    If the old address had been emailed, the new one is emailed at once (while the round
    is open); the old row keeps no address, so nothing leads from it to a person.
    """
    invitation = _locked(invitation)
    survey = invitation.survey
    _require_changeable(invitation)
    if email.strip().lower() == invitation.email.lower():
        raise InviteeError("That is the address the invitation already has.")
    taken = (
        Invitation.objects.filter(survey=survey)
        .annotate(address=Lower("email"))
        .filter(address=email.strip().lower())
    )
    if taken.exists():
        raise InviteeError(f"{email} is already invited to this round.")
    sending = invitation.sent_at is not None and survey.is_accepting_answers()
    if sending:
        _check_allowance(actor=actor, count=1)
    now = timezone.now()
    invitation.revoked_at, invitation.email = now, None
    invitation.save(update_fields=["revoked_at", "email", "updated_at"])
    _cut_resume_links(invitation)
    replacement = Invitation.objects.create(
        survey=survey,
        organisation=invitation.organisation,
        kind=Invitation.Kind.PERSONAL,
        email=email.strip(),
        role=invitation.role,
        language=invitation.language,
    )
    _audit_invitee(
        replacement,
        actor=actor,
        action=AuditAction.INVITEE_CORRECTED,
        count=1 if sending else 0,
    )
    if sending:
        _enqueue_emails(invitation_ids=[replacement.pk], actor=actor, reminder=False)
        _schedule_reminders(survey=survey, invitation_ids=[replacement.pk], actor=actor)
    return replacement


def language_name(code: str) -> str:
    """Return a language's own name ("English", "Cymraeg") from its Django code."""
    return dict(settings.LANGUAGES).get(code, code)


@transaction.atomic
def change_invitee_language(
    *, invitation: Invitation, language: str, actor: User
) -> Invitation:
    """Write this invitee's emails from now on in another language; the link stays."""
    if language not in dict(settings.LANGUAGES):
        raise InviteeError("Choose a language from the list.")
    invitation = _locked(invitation)
    _require_changeable(invitation)
    if language == invitation.language:
        raise InviteeError(
            f"This invitee’s emails are already in {language_name(language)}."
        )
    before, invitation.language = invitation.language, language
    invitation.save(update_fields=["language", "updated_at"])
    # The trail names the organisation and the languages, never the address.
    record_event(
        partnership=invitation.survey.partnership,
        survey=invitation.survey,
        actor=actor,
        action=AuditAction.INVITEE_LANGUAGE_CHANGED,
        detail={
            "organisation": invitation.organisation.name,
            "invitation": str(invitation.public_id),
            "from": language_name(before),
            "to": language_name(language),
        },
    )
    return invitation


@transaction.atomic
def withdraw_invitee(*, invitation: Invitation, actor: User) -> Invitation:
    """Cut a personal link that should not have been issued; it leaves the response rate."""
    invitation = _locked(invitation)
    _require_changeable(invitation)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at", "updated_at"])
    _cut_resume_links(invitation)
    _audit_invitee(invitation, actor=actor, action=AuditAction.INVITEE_WITHDRAWN)
    return invitation


@transaction.atomic
def resend_invitation(*, invitation: Invitation, actor: User) -> Invitation:
    """Email one person their link again (or for the first time), with the same link."""
    invitation = _locked(invitation)
    _require_changeable(invitation)
    _require_accepting(invitation.survey)
    _check_allowance(actor=actor, count=1)
    first_time = invitation.sent_at is None
    _audit_invitee(
        invitation, actor=actor, action=AuditAction.INVITATION_RESENT, count=1
    )
    _enqueue_emails(
        invitation_ids=[invitation.pk], actor=actor, reminder=False, resend=True
    )
    if first_time:
        _schedule_reminders(
            survey=invitation.survey, invitation_ids=[invitation.pk], actor=actor
        )
    return invitation


@transaction.atomic
def set_invitee_message(*, survey: Survey, message: str, actor: User) -> Survey:
    """Save the lead's note that invitations and reminders quote from now on."""
    message = message.strip()
    if len(message) > INVITEE_MESSAGE_MAX_LENGTH:
        raise InviteeError(
            f"The message must be {INVITEE_MESSAGE_MAX_LENGTH} characters or fewer."
        )
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status == Survey.Status.CLOSED:
        raise RoundStateError("A closed round sends no more emails.")
    survey.invitee_message = message
    survey.save(update_fields=["invitee_message", "updated_at"])
    record_event(
        partnership=survey.partnership,
        survey=survey,
        actor=actor,
        action=AuditAction.INVITEE_MESSAGE_CHANGED,
        detail={"length": len(message)},
    )
    return survey


def _people(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'people'}"
