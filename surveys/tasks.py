"""Background tasks (django.tasks): emails go out from a worker, never from a request."""

import logging
from datetime import datetime

from django.core.mail import mailers
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from surveys.models import Invitation, Membership, Response, Survey
from surveys.services.emails import build_member_email, build_survey_email

logger = logging.getLogger(__name__)

# How many personal links one task emails; the service splits bigger rounds.
EMAIL_BATCH_SIZE = 100


def _claim(pk: int, *, reminder: bool, requested_at: datetime) -> Invitation | None:
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
    if not reminder:
        # A second click on "Send" before the worker ran must not email twice.
        return invitation if invitation.sent_at is None else None
    if invitation.sent_at is None or (
        invitation.reminded_at is not None and invitation.reminded_at >= requested_at
    ):
        return None
    answered = Response.objects.filter(
        invitation=invitation, submitted_at__isnull=False
    ).exists()
    return None if answered else invitation


@task()
def send_survey_emails(
    *,
    invitation_ids: list[int],
    sender_name: str,
    reminder: bool,
    requested_at: str,
    sender_email: str = "",
) -> int:
    """Email a batch of personal links (invitations or reminders); return how many went."""
    requested = datetime.fromisoformat(requested_at)
    sent = 0
    with mailers.default as mailer:
        for pk in invitation_ids:
            with transaction.atomic():
                invitation = _claim(pk, reminder=reminder, requested_at=requested)
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
                except Exception:  # one bad address must not stop the batch
                    logger.exception("Could not email invitation %s", pk)
                    continue
                field = "reminded_at" if reminder else "sent_at"
                setattr(invitation, field, timezone.now())
                invitation.save(update_fields=[field, "updated_at"])
                sent += 1
    return sent


@task()
def send_member_invitation(*, membership_id: int, inviter_name: str) -> bool:
    """Email a colleague that they have a role, with a link to set their password."""
    membership = (
        Membership.objects.select_related("user", "partnership")
        .filter(pk=membership_id)
        .first()
    )
    if membership is None or not membership.user.email:
        return False
    message = build_member_email(membership=membership, inviter_name=inviter_name)
    with mailers.default as mailer:
        mailer.send_messages([message])
    return True
