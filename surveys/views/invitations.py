"""The lead's pages for personal invitations: import a list, send, remind, the message."""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from surveys.forms.invitations import (
    MAX_IMPORT_ROWS,
    InvitationImportForm,
    InviteeMessageForm,
)
from surveys.models import Invitation, RespondentRole, Survey, User
from surveys.services.audit import actor_display_name
from surveys.services.emails import INVITATION_SUBJECT, preview_survey_email
from surveys.services.invitations import (
    REMINDER_RULE,
    InviteeError,
    SendingLimitError,
    describe_schedule,
    import_invitations,
    reminder_plan,
    send_invitations,
    send_reminders,
    set_invitee_message,
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
    except (RoundStateError, SendingLimitError) as exc:
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
@require_http_methods(["GET", "POST"])
def reminders_send(
    request: HttpRequest, public_id: UUID, round_id: UUID
) -> HttpResponse:
    """Show who a reminder would reach, and why not the others; then remind them."""
    survey, _role = round_for(request, public_id, round_id, manage=True)
    if request.method == "POST":
        try:
            plan = send_reminders(survey=survey, actor=request.user)
        except (RoundStateError, SendingLimitError) as exc:
            messages.error(request, str(exc))
            return redirect(survey)
        skipped = f" Not reminded: {'; '.join(plan.skipped)}." if plan.skipped else ""
        if plan.count:
            messages.success(
                request, f"Reminders are being sent to {_people(plan.count)}.{skipped}"
            )
        else:
            messages.info(request, f"Nobody was reminded.{skipped}")
        return redirect(survey)
    return render(
        request,
        "surveys/manage/reminders_send.html",
        {
            "survey": survey,
            "partnership": survey.partnership,
            "plan": reminder_plan(survey=survey),
            "rule": REMINDER_RULE,
            "schedule": describe_schedule(survey.reminder_days),
            "accepting": survey.is_accepting_answers(),
        },
    )


def _sample_invitation(survey: Survey) -> Invitation:
    """Return an unsaved invitation to show the email with (no real person's link)."""
    organisation = survey.partnership.members.order_by("name").first()
    return Invitation(survey=survey, organisation=organisation, token="your-link")


def _previews(survey: Survey, user: User, message: str) -> dict[str, str]:
    if not survey.partnership.members.exists():
        return {}
    invitation = _sample_invitation(survey)
    name = actor_display_name(user)
    return {
        "subject": INVITATION_SUBJECT,
        "invitation": preview_survey_email(
            invitation=invitation, sender_name=name, message=message
        ),
        "reminder": preview_survey_email(
            invitation=invitation, sender_name=name, message=message, reminder=True
        ),
    }


@login_required
@require_http_methods(["GET", "POST"])
def invitee_message(
    request: HttpRequest, public_id: UUID, round_id: UUID
) -> HttpResponse:
    """Write, preview and save the lead's note quoted in invitations and reminders."""
    survey, _role = round_for(request, public_id, round_id, manage=True)
    form = InviteeMessageForm(
        posted(request), initial={"message": survey.invitee_message}
    )
    message = survey.invitee_message
    if request.method == "POST" and form.is_valid():
        message = form.cleaned_data["message"]
        if "save" in request.POST:
            try:
                set_invitee_message(survey=survey, message=message, actor=request.user)
            except (InviteeError, RoundStateError) as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, "Message saved. Emails from now on quote it.")
            return redirect(survey)
    return render(
        request,
        "surveys/manage/invitee_message.html",
        {
            "survey": survey,
            "partnership": survey.partnership,
            "form": form,
            "previews": _previews(survey, request.user, message),
        },
    )
