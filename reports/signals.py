"""Listen to the surveys app: a new submission asks for a fresh analysis."""

from django.conf import settings
from django.dispatch import receiver

from reports.analysis import request_refresh
from surveys.signals import response_submitted


@receiver(response_submitted, dispatch_uid="reports.refresh_on_submission")
def refresh_on_submission(sender: object, *, survey_id: int, **kwargs: object) -> None:
    """Queue a rebuild of the round's dashboards, unless one is already queued."""
    if settings.REPORTS_REFRESH_ON_SUBMIT:
        request_refresh(survey_id)
