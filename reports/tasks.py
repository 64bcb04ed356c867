"""Background tasks: keep each live round's analysis and board pack up to date off the request path."""

import logging

from django.conf import settings
from django.tasks import task

from reports.analysis import refresh
from surveys.models import Survey

logger = logging.getLogger(__name__)


@task()
def refresh_analysis(survey_id: int) -> None:
    """Build the round's analysis into the shared reports cache, then its board pack."""
    from reports.pack_cache import PackRequest, build_and_store

    survey = Survey.objects.filter(pk=survey_id).first()
    if survey is None:
        return
    refresh(survey)
    if settings.REPORTS_PACKS_AFTER_REFRESH and survey.results_released:
        build_and_store(survey, PackRequest(survey.pk))


@task()
def build_board_pack(
    survey_id: int, a_id: str = "", b_id: str = "", exact_counts: bool = False
) -> None:
    """Draw one board pack into the shared reports cache."""
    from reports.pack_cache import PackRequest, build_and_store

    survey = Survey.objects.filter(pk=survey_id).first()
    if survey is None:
        return
    try:
        build_and_store(survey, PackRequest(survey.pk, a_id, b_id, exact_counts))
    except LookupError:
        # A pair that left the partnership after the request: nothing to draw.
        logger.info(
            "No pair %s/%s in round %s to draw a pack for", a_id, b_id, survey_id
        )
