"""The lead's pages for survey rounds: create, track, open, close and replace links."""

from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import dateformat
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST

from surveys.forms.eligibility import EligibleForm
from surveys.forms.partnerships import RoundForm
from surveys.forms.rounds import RoundDatesForm
from surveys.links import (
    links_csv,
    links_filename,
    organisation_links,
    qr_label,
    qr_svg,
    qr_svg_file,
)
from surveys.models import Membership, Survey
from surveys.services.data_protection import (
    PersonalDataError,
    delete_round_personal_data,
    deletion_due,
)
from surveys.services.eligibility import (
    EligibilityError,
    set_eligible,
    submitted_count,
)
from surveys.services.invitations import REMINDER_RULE, describe_schedule
from surveys.services.rounds import (
    RoundStateError,
    close_round,
    closing_date_problem,
    create_round,
    date_change_effect,
    move_closing_date,
    open_round,
    regenerate_organisation_link,
    update_round,
)
from surveys.tracking import (
    closing_outcomes,
    organisation_progress,
    recent_events,
    round_totals,
    with_eligible,
)
from surveys.views.access import (
    partnership_for,
    posted,
    round_for,
    sees_exact_counts,
)


@login_required
@require_http_methods(["GET", "POST"])
def round_create(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Set up a new draft round with its questionnaire, dates and threshold."""
    partnership, _role = partnership_for(request, public_id, manage=True)
    form = RoundForm(posted(request))
    if request.method == "POST" and form.is_valid():
        survey = create_round(
            partnership=partnership, actor=request.user, **form.cleaned_data
        )
        messages.success(
            request,
            f"‘{survey.title}’ created as a draft. Add people, then open the round.",
        )
        return redirect(survey)
    return render(
        request,
        "surveys/manage/round_form.html",
        {"partnership": partnership, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_edit(request: HttpRequest, public_id: UUID, round_id: UUID) -> HttpResponse:
    """Change a round's title, dates or (while a draft) anonymity threshold."""
    survey, _role = round_for(request, public_id, round_id, manage=True)
    form = RoundForm(posted(request), survey=survey, submit_label="Save changes")
    if request.method == "POST" and form.is_valid():
        try:
            update_round(survey=survey, **form.cleaned_data)
        except RoundStateError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Round details saved.")
        return redirect(survey)
    return render(
        request,
        "surveys/manage/round_form.html",
        {"partnership": survey.partnership, "survey": survey, "form": form},
    )


@login_required
def round_detail(request: HttpRequest, public_id: UUID, round_id: UUID) -> HttpResponse:
    """Track a round: responses per organisation, links, and who did what."""
    survey, role = round_for(request, public_id, round_id)
    exact_counts = sees_exact_counts(role)
    return render(
        request,
        "surveys/manage/round_detail.html",
        {
            "survey": survey,
            "partnership": survey.partnership,
            "role": role,
            "can_manage": role == Membership.Role.LEAD,
            "can_download": role in (Membership.Role.LEAD, Membership.Role.ANALYST),
            # Rows per response are for analysts alone (reports.exports.may_download).
            "can_download_responses": role == Membership.Role.ANALYST,
            "is_draft": survey.status == Survey.Status.DRAFT,
            "is_open": survey.status == Survey.Status.OPEN,
            "is_closed": survey.status == Survey.Status.CLOSED,
            "accepting": survey.is_accepting_answers(),
            "rows": list(organisation_progress(survey=survey)),
            "totals": round_totals(survey=survey, reached_only=not exact_counts),
            "exact_counts": exact_counts,
            "events": recent_events(partnership=survey.partnership, survey=survey),
            "site_url": settings.SITE_URL,
            "reminder_rule": REMINDER_RULE,
            "reminder_schedule": describe_schedule(survey.reminder_days),
            "can_reopen": role == Membership.Role.LEAD
            and survey.status == Survey.Status.CLOSED
            and survey.personal_data_deleted_at is None,
            "can_delete_personal_data": role == Membership.Role.LEAD
            and survey.has_closed()
            and survey.personal_data_deleted_at is None,
            "deletion_due": deletion_due(survey=survey),
            "retention_days": settings.PERSONAL_DATA_RETENTION_DAYS,
        },
    )


@login_required
@require_POST
def round_open(request: HttpRequest, public_id: UUID, round_id: UUID) -> HttpResponse:
    """Open a draft round so that its links take answers."""
    survey, _role = round_for(request, public_id, round_id, manage=True)
    try:
        survey = open_round(survey=survey, actor=request.user)
    except RoundStateError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"‘{survey.title}’ is open.")
    return redirect(survey)


@login_required
@require_http_methods(["GET", "POST"])
def round_close(request: HttpRequest, public_id: UUID, round_id: UUID) -> HttpResponse:
    """Confirm, then close a round: its links stop taking answers."""
    survey, _role = round_for(request, public_id, round_id, manage=True)
    if request.method == "POST":
        try:
            survey = close_round(survey=survey, actor=request.user)
        except RoundStateError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"‘{survey.title}’ is closed.")
        return redirect(survey)
    return render(
        request,
        "surveys/manage/round_close.html",
        {
            "survey": survey,
            "partnership": survey.partnership,
            "outcomes": closing_outcomes(survey=survey),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_dates(request: HttpRequest, public_id: UUID, round_id: UUID) -> HttpResponse:
    """Extend an open round or reopen a closed one: a date, a confirmation, then the move."""
    survey, _role = round_for(request, public_id, round_id, manage=True)
    if survey.status == Survey.Status.DRAFT:
        return redirect("surveys:round_edit", public_id=public_id, round_id=round_id)
    reopening = survey.status == Survey.Status.CLOSED
    form = RoundDatesForm(posted(request), submit_label="Continue")
    context = {"survey": survey, "partnership": survey.partnership, "form": form}
    context["reopening"] = reopening
    if request.method == "POST" and form.is_valid():
        closes_on = form.cleaned_data["closes_on"]
        problem = closing_date_problem(survey=survey, closes_on=closes_on)
        if problem is None and "confirm" in request.POST:
            try:
                survey = move_closing_date(
                    survey=survey, closes_on=closes_on, actor=request.user
                )
            except RoundStateError as exc:  # changed since the confirmation page
                messages.error(request, str(exc))
                return redirect(survey)
            done = "reopened" if reopening else "extended"
            until = dateformat.format(closes_on, "j F Y")
            messages.success(request, f"‘{survey.title}’ {done}: it closes on {until}.")
            return redirect(survey)
        if problem is None:
            context |= {
                "closes_on": closes_on,
                "effect": date_change_effect(survey=survey),
                "carried": [
                    (k, v) for k, v in request.POST.items() if k.startswith("closes_on")
                ],
            }
            return render(request, "surveys/manage/round_dates_confirm.html", context)
        form.add_error("closes_on", problem.removesuffix("."))
    return render(request, "surveys/manage/round_dates.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def org_link_regenerate(
    request: HttpRequest, public_id: UUID, round_id: UUID, organisation_id: UUID
) -> HttpResponse:
    """Confirm, then replace an organisation's link: the old one stops working."""
    survey, _role = round_for(request, public_id, round_id, manage=True)
    organisation = get_object_or_404(
        survey.partnership.members, public_id=organisation_id
    )
    if request.method == "POST":
        try:
            regenerate_organisation_link(
                survey=survey, organisation=organisation, actor=request.user
            )
        except RoundStateError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                f"New link created for {organisation.name}. The old link no longer works.",
            )
        return redirect(f"{survey.get_absolute_url()}#links")
    return render(
        request,
        "surveys/manage/link_regenerate.html",
        {
            "survey": survey,
            "partnership": survey.partnership,
            "organisation": organisation,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def eligibility_edit(
    request: HttpRequest, public_id: UUID, round_id: UUID, organisation_id: UUID
) -> HttpResponse:
    """Record how many people an organisation asked to answer the round (its N)."""
    survey, _role = round_for(request, public_id, round_id, manage=True)
    organisation = get_object_or_404(
        with_eligible(survey.partnership.members, survey=survey),
        public_id=organisation_id,
    )
    submitted = submitted_count(survey=survey, organisation=organisation)
    form = EligibleForm(
        posted(request),
        organisation=organisation,
        submitted=submitted,
        # A default below the responses so far could not be saved: start blank then.
        initial={"eligible": organisation.eligible}
        if (organisation.eligible or 0) >= submitted
        else {},
    )
    if request.method == "POST" and form.is_valid():
        eligible = form.cleaned_data["eligible"]
        try:
            set_eligible(
                survey=survey,
                organisation=organisation,
                eligible=eligible,
                actor=request.user,
            )
        except EligibilityError as exc:  # a response arrived since the page loaded
            form.add_error("eligible", str(exc).removesuffix("."))
        else:
            asked = "not known" if eligible is None else f"{eligible}"
            messages.success(request, f"People asked at {organisation.name}: {asked}.")
            return redirect(f"{survey.get_absolute_url()}#organisation-progress")
    return render(
        request,
        "surveys/manage/eligibility_form.html",
        {
            "survey": survey,
            "partnership": survey.partnership,
            "organisation": organisation,
            "submitted": submitted,
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_personal_data_delete(
    request: HttpRequest, public_id: UUID, round_id: UUID
) -> HttpResponse:
    """Confirm, then delete a closed round's invitee email addresses; answers are kept."""
    survey, _role = round_for(request, public_id, round_id, manage=True)
    if request.method == "POST":
        try:
            count = delete_round_personal_data(survey=survey, actor=request.user)
        except PersonalDataError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                f"Personal data deleted: {count} email "
                f"address{'' if count == 1 else 'es'}. The answers are kept.",
            )
        return redirect(survey)
    if not survey.has_closed() or survey.personal_data_deleted_at is not None:
        messages.error(
            request,
            "Personal data can be deleted once, after the round has closed.",
        )
        return redirect(survey)
    return render(
        request,
        "surveys/manage/round_personal_data_delete.html",
        {
            "survey": survey,
            "partnership": survey.partnership,
            "deletion_due": deletion_due(survey=survey),
        },
    )


@login_required
def round_links_sheet(
    request: HttpRequest, public_id: UUID, round_id: UUID
) -> HttpResponse:
    """Show a printable sheet of the organisation links: one block per organisation, QR."""
    survey, _role = round_for(request, public_id, round_id, manage=True)
    links = [
        (link, qr_svg(url=link.url, label=qr_label(link.organisation)))
        for link in organisation_links(survey=survey)
    ]
    return render(
        request,
        "surveys/manage/round_links_sheet.html",
        {
            "survey": survey,
            "partnership": survey.partnership,
            "links": links,
            "is_closed": survey.status == Survey.Status.CLOSED,
        },
    )


@login_required
def round_links_csv(
    request: HttpRequest, public_id: UUID, round_id: UUID
) -> HttpResponse:
    """Download every organisation link of the round as CSV (UTF-8 with BOM)."""
    survey, _role = round_for(request, public_id, round_id, manage=True)
    body = links_csv(survey=survey, links=organisation_links(survey=survey))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    name = links_filename(survey=survey, extension="csv")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def round_link_qr(
    request: HttpRequest, public_id: UUID, round_id: UUID, organisation_id: UUID
) -> HttpResponse:
    """Download one organisation link's QR code as an SVG file, for a slide."""
    survey, _role = round_for(request, public_id, round_id, manage=True)
    link = next(
        (
            link
            for link in organisation_links(survey=survey)
            if link.organisation.public_id == organisation_id
        ),
        None,
    )
    if link is None:
        raise Http404("This organisation has no link in this round")
    org = link.organisation
    response = HttpResponse(
        qr_svg_file(url=link.url, label=qr_label(org)), content_type="image/svg+xml"
    )
    name = links_filename(survey=survey, extension="svg").replace(
        "-links.svg", f"-{slugify(org.short_name) or 'organisation'}-qr.svg"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
