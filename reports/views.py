"""Dashboards for consultants, analysts and leads: read-only views over the scoring engine."""

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from surveys.selectors import get_survey_for_user


@login_required
def survey_overview(request: HttpRequest, survey_id: UUID) -> HttpResponse:
    """Show the partnership overview for one survey round."""
    survey, role = get_survey_for_user(user=request.user, public_id=survey_id)
    return render(request, "reports/overview.html", {"survey": survey, "role": role})
