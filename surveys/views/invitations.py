"""The lead's pages for personal invitations: import a list, send, remind."""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from surveys.forms.invitations import (
    MAX_IMPORT_ROWS,
    InvitationImportForm,
)
from surveys.models import RespondentRole
from surveys.services.invitations import (
    import_invitations,
    send_invitations,
    send_reminders,
)
from surveys.services.rounds import RoundStateError
from surveys.views.access import posted, round_for


def _people(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'people'}"


@login_required
@require_http_methods(["GET", "POST"])
def invitation_import(
    request: HttpRequest, public_id: UUID, round_id: UUID
) -> HttpResponse:
    """Check a pasted or uploaded list of people, then add a personal link for each."""
    survey, _role = round_for(request, public_id, round_id, manage=True)
    organisations = list(survey.partnership.members.order_by("name"))
    form = InvitationImportForm(
        posted(request), request.FILES or None, organisations=organisations
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = import_invitations(
                survey=survey, rows=form.cleaned_data["rows"], actor=request.user
            )
        except RoundStateError as exc:
            messages.error(request, str(exc))
        else:
            skipped = (
                f" {_people(result.skipped)} skipped: already invited or listed twice."
                if result.skipped
                else ""
            )
            messages.success(request, f"{_people(result.created)} added.{skipped}")
        return redirect(survey)
    return render(
        request,
        "surveys/manage/invitation_import.html",
        {
            "survey": survey,
            "partnership": survey.partnership,
            "form": form,
            "organisations": organisations,
            "max_rows": MAX_IMPORT_ROWS,
            "role_labels": RespondentRole.labels,
        },
    )


@login_required
@require_POST
def invitations_send(
    request: HttpRequest, public_id: UUID, round_id: UUID
) -> HttpResponse:
    """Email every personal link that has not been sent yet."""
    survey, _role = round_for(request, public_id, round_id, manage=True)
    try:
        count = send_invitations(survey=survey, actor=request.user)
    except RoundStateError as exc:
        messages.error(request, str(exc))
    else:
        if count:
            messages.success(
                request, f"Invitations are being sent to {_people(count)}."
            )
        else:
            messages.info(
                request, "Everyone on the list has already been sent an invitation."
            )
    return redirect(survey)


@login_required
@require_POST
def reminders_send(
    request: HttpRequest, public_id: UUID, round_id: UUID
) -> HttpResponse:
    """Remind everyone invited who has not submitted their answers."""
    survey, _role = round_for(request, public_id, round_id, manage=True)
    try:
        count = send_reminders(survey=survey, actor=request.user)
    except RoundStateError as exc:
        messages.error(request, str(exc))
    else:
        if count:
            messages.success(request, f"Reminders are being sent to {_people(count)}.")
        else:
            messages.info(request, "Nobody needs a reminder at the moment.")
    return redirect(survey)
