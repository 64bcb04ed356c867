"""Personal invitations: import them from a CSV, email them, remind those who have not answered."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from itertools import batched

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.utils import timezone

from surveys.models import (
    AuditAction,
    Invitation,
    Organisation,
    Response,
    Survey,
    User,
)
from surveys.services.audit import actor_display_name, record_event
from surveys.services.rounds import RoundStateError
from surveys.tasks import EMAIL_BATCH_SIZE, send_survey_emails

# Someone reminded less than this long ago is not reminded again.
REMINDER_INTERVAL = timedelta(hours=24)


@dataclass(frozen=True)
class InvitationRow:
    """One validated line of an invitation import."""

    line: int
    email: str
    organisation: Organisation
    role: str


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


def _enqueue_emails(*, invitation_ids: list[int], actor: User, reminder: bool) -> None:
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
            )
        )


def _live_personal_links(survey: Survey):
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
        _enqueue_emails(invitation_ids=ids, actor=actor, reminder=False)
        record_event(
            partnership=survey.partnership,
            survey=survey,
            actor=actor,
            action=AuditAction.INVITATIONS_SENT,
            detail={"count": len(ids)},
        )
    return len(ids)


@transaction.atomic
def send_reminders(*, survey: Survey, actor: User) -> int:
    """Remind everyone sent a personal link who has not submitted; return how many."""
    _require_accepting(survey)
    submitted = Response.objects.filter(
        invitation=OuterRef("pk"), submitted_at__isnull=False
    )
    recently = timezone.now() - REMINDER_INTERVAL
    ids = list(
        _live_personal_links(survey)
        .filter(sent_at__isnull=False)
        .exclude(Exists(submitted))
        .exclude(Q(reminded_at__gt=recently) | Q(sent_at__gt=recently))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if ids:
        _enqueue_emails(invitation_ids=ids, actor=actor, reminder=True)
        record_event(
            partnership=survey.partnership,
            survey=survey,
            actor=actor,
            action=AuditAction.REMINDERS_SENT,
            detail={"count": len(ids)},
        )
    return len(ids)
