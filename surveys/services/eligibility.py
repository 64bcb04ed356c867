"""How many people each organisation asked to answer a round: its N (MEASUREMENT §6.5)."""

from django.db import transaction

from surveys.models import (
    AuditAction,
    Eligibility,
    Organisation,
    Response,
    Survey,
    User,
)
from surveys.services.audit import record_event

# A board and its executive are tens of people; a number beyond this is a typing slip.
MAX_ELIGIBLE = 10_000


class EligibilityError(Exception):
    """The number of people asked cannot be recorded; the message says why."""


def submitted_count(*, survey: Survey, organisation: Organisation) -> int:
    """Return how many responses the organisation has submitted in the round so far."""
    return Response.objects.filter(
        survey=survey, organisation=organisation, submitted_at__isnull=False
    ).count()


@transaction.atomic
def set_eligible(
    *,
    survey: Survey,
    organisation: Organisation,
    eligible: int | None,
    actor: User | None,
) -> Eligibility:
    """Record how many people the organisation asked in the round (None: not known)."""
    if not survey.partnership.members.filter(pk=organisation.pk).exists():
        raise EligibilityError(f"{organisation.name} is not in this partnership.")
    if eligible is not None:
        if eligible < 1:
            raise EligibilityError("The number of people asked must be 1 or more.")
        if eligible > MAX_ELIGIBLE:
            raise EligibilityError(
                f"The number of people asked must be {MAX_ELIGIBLE:,} or fewer."
            )
        # A response submitted after this check can still leave N below n; the reports
        # then ignore N (scoring's finite-population factor), so no lock is needed.
        submitted = submitted_count(survey=survey, organisation=organisation)
        if eligible < submitted:
            raise EligibilityError(
                f"The number of people asked cannot be fewer than the {submitted} "
                f"{'response' if submitted == 1 else 'responses'} already submitted "
                f"from {organisation.short_name or organisation.name}."
            )
    previous = (
        Eligibility.objects.filter(survey=survey, organisation=organisation)
        .values_list("eligible", flat=True)
        .first()
    )
    record, _created = Eligibility.objects.update_or_create(
        survey=survey, organisation=organisation, defaults={"eligible": eligible}
    )
    record_event(
        partnership=survey.partnership,
        survey=survey,
        actor=actor,
        action=AuditAction.ELIGIBLE_RECORDED,
        detail={
            "organisation": organisation.name,
            "eligible": eligible,
            "previous": previous,
        },
    )
    return record
