"""What a report page shows while the task worker is still analysing a big round."""

import functools
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from reports.analysis import AnalysisPendingError
from surveys.models import Survey
from surveys.selectors import get_survey_for_user

RELOAD_SECONDS = 5


class ResultsNotReleasedError(Exception):
    """An at-close round has no figures until it closes (surveys.counting)."""

    def __init__(self, survey: Survey) -> None:
        super().__init__(survey.pk)
        self.survey = survey


def released_survey_for_user(
    request: HttpRequest, survey_id: object
) -> tuple[Survey, str]:
    """Return the round and the user's role, if its results are out (404 for outsiders)."""
    survey, role = get_survey_for_user(user=request.user, public_id=survey_id)
    if not survey.results_released:
        raise ResultsNotReleasedError(survey)
    return survey, role


def waits_for_analysis(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """Show a page that reloads itself while the round's analysis is being built.

    A round whose results come out only at its close gets a page saying so instead.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except AnalysisPendingError:
            response = render(
                request,
                "reports/preparing.html",
                {"reload_seconds": RELOAD_SECONDS},
                status=202,
            )
            response["Retry-After"] = str(RELOAD_SECONDS)
            response["Cache-Control"] = "no-store"
            return response
        except ResultsNotReleasedError as waiting:
            survey = waiting.survey
            return render(
                request,
                "reports/not_released.html",
                {"survey": survey, "partnership": survey.partnership},
            )

    return wrapper
