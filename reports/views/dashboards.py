"""Dashboards for consultants, analysts and leads: read-only views over the scoring engine."""

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from reports import pages
from reports.exports import DOWNLOAD_ROLES, RESPONSE_LEVEL_ROLES
from reports.page_models import as_context
from reports.views.preparing import released_survey_for_user, waits_for_analysis
from surveys.views.access import sees_exact_counts


@login_required
@require_GET
@waits_for_analysis
def survey_overview(request: HttpRequest, survey_id: UUID) -> HttpResponse:
    """Show the partnership overview for one survey round."""
    survey, role = released_survey_for_user(request, survey_id)
    context = as_context(pages.overview(survey))
    return render(
        request,
        "reports/overview.html",
        {
            **context,
            "survey": survey,
            "role": role,
            "tab": "overview",
            "can_download": role in DOWNLOAD_ROLES,
            "can_download_responses": role in RESPONSE_LEVEL_ROLES,
            "exact_counts": sees_exact_counts(role),
        },
    )


@login_required
@require_GET
@waits_for_analysis
def organisation_detail(
    request: HttpRequest, survey_id: UUID, organisation_id: UUID
) -> HttpResponse:
    """Show one organisation's readiness profile."""
    survey, role = released_survey_for_user(request, survey_id)
    try:
        context = as_context(pages.organisation(survey, str(organisation_id)))
    except LookupError as exc:
        raise Http404("No such organisation in this partnership") from exc
    return render(
        request,
        "reports/organisation.html",
        {
            **context,
            "survey": survey,
            "role": role,
            "tab": "organisation",
        },
    )


@login_required
@require_GET
@waits_for_analysis
def fit_matrix(request: HttpRequest, survey_id: UUID) -> HttpResponse:
    """Show the fit of every pair of partners, by the measure chosen."""
    survey, role = released_survey_for_user(request, survey_id)
    context = as_context(pages.fit_matrix(survey, request.GET.get("measure", "fit")))
    return render(
        request,
        "reports/fit_matrix.html",
        {
            **context,
            "survey": survey,
            "role": role,
            "tab": "fit",
        },
    )


@login_required
@require_GET
@waits_for_analysis
def pair_detail(
    request: HttpRequest, survey_id: UUID, a_id: UUID, b_id: UUID
) -> HttpResponse:
    """Show how two partners compare: profiles, gaps, trust both ways and culture."""
    survey, role = released_survey_for_user(request, survey_id)
    try:
        context = as_context(pages.pair(survey, str(a_id), str(b_id)))
    except LookupError as exc:
        raise Http404("No such pair in this partnership") from exc
    return render(
        request,
        "reports/pair.html",
        {
            **context,
            "survey": survey,
            "role": role,
            "tab": "fit",
        },
    )
