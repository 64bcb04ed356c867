"""Background tasks (django.tasks): emails go out from a worker, never from a request.

Each email is claimed, sent and marked in one transaction per invitation, holding the
invitation's row lock: a batch run twice (a worker died mid-batch and another took it over,
see surveys.worker) skips every invitation the first run marked, so nobody gets it twice.
"""

import logging
import smtplib
from datetime import datetime

from django.conf import settings
from django.core.mail import mailers
from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django.utils.translation import override

from surveys.models import AuditAction, Invitation, Membership, Response, Survey
from surveys.services.audit import record_event
from surveys.services.emails import build_member_email, build_survey_email

logger = logging.getLogger(__name__)

# How many personal links one task emails; the service splits bigger rounds.
EMAIL_BATCH_SIZE = 100
SCHEDULED_REMINDER_ACTOR = "Automatic reminder"


def _claim(
    pk: int,
    *,
    reminder: bool,
    resend: bool,
    requested_at: datetime,
    after_days: int | None = None,
) -> Invitation | None:
    """Lock one personal link and return it if it still needs this email."""
    invitation = (
        Invitation.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("survey__partnership", "organisation")
        .filter(
            pk=pk,
            kind=Invitation.Kind.PERSONAL,
            revoked_at__isnull=True,
            email__isnull=False,
            survey__status=Survey.Status.OPEN,
        )
        .first()
    )
    if invitation is None or invitation.survey.has_closed():
        return None
    if after_days is not None and after_days not in invitation.survey.reminder_days:
        return None  # the lead has changed the round's schedule since it was queued
    answered = Response.objects.filter(
        invitation=invitation, submitted_at__isnull=False
    ).exists()
    if answered:
        return None
    if not reminder:
        # A second click on "Send" (or a batch run again) must not email twice.
        if invitation.sent_at is None:
            return invitation
        return invitation if resend and invitation.sent_at < requested_at else None
    if invitation.sent_at is None or invitation.bounced_at is not None:
        return None
    if invitation.reminded_at is not None and invitation.reminded_at >= requested_at:
        return None
    return invitation


def _mark(invitation: Invitation, *, reminder: bool) -> None:
    now = timezone.now()
    if reminder:
        invitation.reminded_at = now
        invitation.reminder_count += 1
        fields = ["reminded_at", "reminder_count"]
    else:
        invitation.sent_at, invitation.bounced_at = now, None
        fields = ["sent_at", "bounced_at"]
    invitation.save(update_fields=[*fields, "updated_at"])


@task()
def send_survey_emails(
    *,
    invitation_ids: list[int],
    sender_name: str,
    reminder: bool,
    requested_at: str,
    sender_email: str = "",
    resend: bool = False,
    after_days: int | None = None,
) -> int:
    """Email a batch of personal links (invitations or reminders); return how many went.

    `after_days` marks an automatic reminder, due that many days after the invitation.
    """
    requested = datetime.fromisoformat(requested_at)
    reached: list[int] = []
    survey = None
    with mailers.default as mailer:
        for pk in invitation_ids:
            with transaction.atomic():
                invitation = _claim(
                    pk,
                    reminder=reminder,
                    resend=resend,
                    requested_at=requested,
                    after_days=after_days,
                )
                if invitation is None:
                    continue
                message = build_survey_email(
                    invitation=invitation,
                    sender_name=sender_name,
                    sender_email=sender_email,
                    reminder=reminder,
                )
                try:
                    mailer.send_messages([message])
                except smtplib.SMTPRecipientsRefused:
                    logger.warning("The mail server refused invitation %s", pk)
                    invitation.bounced_at = timezone.now()
                    invitation.save(update_fields=["bounced_at", "updated_at"])
                    continue
                except Exception:  # one bad address must not stop the batch
                    logger.exception("Could not email invitation %s", pk)
                    continue
                _mark(invitation, reminder=reminder)
                survey = invitation.survey
                reached.append(pk)
    not_sent = set(invitation_ids) - set(reached)
    if reminder and after_days is None and not_sent:
        # A lead's request holds these people as reminded (reminder_plan) until it is sent;
        # those it did not reach can be reminded again at once. A later request is kept.
        Invitation.objects.filter(
            pk__in=not_sent, reminder_requested_at__lte=requested
        ).update(reminder_requested_at=None)
    if after_days is not None and reached:
        record_event(
            partnership=survey.partnership,
            survey=survey,
            actor=None,
            actor_name=SCHEDULED_REMINDER_ACTOR,
            action=AuditAction.REMINDERS_SENT,
            detail={"count": len(reached)},
        )
    return len(reached)


@task()
def send_member_invitation(
    *, membership_id: int, inviter_name: str, language: str = settings.LANGUAGE_CODE
) -> bool:
    """Email a colleague that they have a role, in the language the inviter was using."""
    membership = (
        Membership.objects.select_related("user", "partnership")
        .filter(pk=membership_id)
        .first()
    )
    if membership is None or not membership.user.email:
        return False
    with override(language):
        message = build_member_email(membership=membership, inviter_name=inviter_name)
    with mailers.default as mailer:
        mailer.send_messages([message])
    return True
