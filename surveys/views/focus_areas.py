"""Action planning: leads and consultants record focus areas; analysts only read them."""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from surveys.forms.focus_areas import FocusAreaForm
from surveys.models import FocusArea, Membership, Organisation, Survey
from surveys.services.focus_areas import (
    FocusAreaError,
    create_focus_area,
    delete_focus_area,
    update_focus_area,
)
from surveys.views.access import posted, round_for

PLANNERS = {Membership.Role.LEAD, Membership.Role.CONSULTANT}


def _planning_round(request: HttpRequest, public_id: UUID, round_id: UUID) -> Survey:
    """Return the round; 404 for outsiders, 403 for roles that may not plan actions."""
    survey, role = round_for(request, public_id, round_id)
    if role not in PLANNERS:
        raise PermissionDenied("Only leads and consultants can record focus areas.")
    return survey


def _member(survey: Survey, organisation_id: UUID) -> Organisation:
    return get_object_or_404(survey.partnership.members, public_id=organisation_id)


def _page_url(survey: Survey, pair: tuple[Organisation, Organisation] | None) -> str:
    if pair is None:
        return reverse("reports:survey_overview", args=[survey.public_id])
    return reverse(
        "reports:pair_detail",
        args=[survey.public_id, pair[0].public_id, pair[1].public_id],
    )


def _create(
    request: HttpRequest,
    survey: Survey,
    pair: tuple[Organisation, Organisation] | None,
) -> HttpResponse:
    back = _page_url(survey, pair)
    form = FocusAreaForm(posted(request), survey=survey, submit_label="Add focus area")
    if request.method == "POST" and form.is_valid():
        try:
            create_focus_area(
                survey=survey, pair=pair, actor=request.user, **form.cleaned_data
            )
        except FocusAreaError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Focus area added.")
        return redirect(f"{back}#focus-areas")
    return render(
        request,
        "surveys/focus_areas/form.html",
        {"survey": survey, "pair": pair, "form": form, "back": back},
    )


@login_required
@require_http_methods(["GET", "POST"])
def focus_area_create(
    request: HttpRequest, public_id: UUID, round_id: UUID
) -> HttpResponse:
    """Add a focus area for the whole partnership."""
    survey = _planning_round(request, public_id, round_id)
    return _create(request, survey, None)


@login_required
@require_http_methods(["GET", "POST"])
def pair_focus_area_create(
    request: HttpRequest, public_id: UUID, round_id: UUID, a_id: UUID, b_id: UUID
) -> HttpResponse:
    """Add a focus area for one pair of partners."""
    survey = _planning_round(request, public_id, round_id)
    pair = (_member(survey, a_id), _member(survey, b_id))
    if pair[0] == pair[1]:
        raise Http404("A pair needs two different organisations.")
    return _create(request, survey, pair)


def _focus_area(survey: Survey, focus_area_id: UUID) -> FocusArea:
    return get_object_or_404(
        FocusArea.objects.select_related(
            "survey", "dimension", "owner", "organisation_a", "organisation_b"
        ),
        survey=survey,
        public_id=focus_area_id,
    )


@login_required
@require_http_methods(["GET", "POST"])
def focus_area_edit(
    request: HttpRequest, public_id: UUID, round_id: UUID, focus_area_id: UUID
) -> HttpResponse:
    """Change a focus area's finding, action, owner or date."""
    survey = _planning_round(request, public_id, round_id)
    focus_area = _focus_area(survey, focus_area_id)
    form = FocusAreaForm(
        posted(request), survey=survey, instance=focus_area, submit_label="Save changes"
    )
    if request.method == "POST" and form.is_valid():
        try:
            update_focus_area(focus_area=focus_area, **form.cleaned_data)
        except FocusAreaError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Focus area saved.")
        return redirect(f"{focus_area.get_absolute_url()}#focus-areas")
    pair = (
        (focus_area.organisation_a, focus_area.organisation_b)
        if focus_area.is_pair
        else None
    )
    return render(
        request,
        "surveys/focus_areas/form.html",
        {
            "survey": survey,
            "pair": pair,
            "form": form,
            "focus_area": focus_area,
            "back": focus_area.get_absolute_url(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def focus_area_delete(
    request: HttpRequest, public_id: UUID, round_id: UUID, focus_area_id: UUID
) -> HttpResponse:
    """Confirm, then delete a focus area."""
    survey = _planning_round(request, public_id, round_id)
    focus_area = _focus_area(survey, focus_area_id)
    back = focus_area.get_absolute_url()
    if request.method == "POST":
        delete_focus_area(focus_area=focus_area)
        messages.success(request, "Focus area deleted.")
        return redirect(f"{back}#focus-areas")
    return render(
        request,
        "surveys/focus_areas/confirm_delete.html",
        {"survey": survey, "focus_area": focus_area, "back": back},
    )
