"""Background tasks: keep each live round's analysis up to date off the request path."""

from django.tasks import task

from reports.analysis import refresh
from surveys.models import Survey


@task()
def refresh_analysis(survey_id: int) -> None:
    """Build the round's analysis into the shared reports cache."""
    survey = Survey.objects.filter(pk=survey_id).first()
    if survey is not None:
        refresh(survey)
