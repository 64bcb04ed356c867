"""What a report page shows while the task worker is still analysing a big round."""

import functools
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from reports.analysis import AnalysisPendingError

RELOAD_SECONDS = 5


def waits_for_analysis(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """Show a page that reloads itself while the round's analysis is being built."""

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

    return wrapper
