"""The lead's list of invitees: find one, correct their address, withdraw or resend."""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from surveys.forms.invitations import (
    InviteeEmailForm,
    InviteeLanguageForm,
    InviteeSearchForm,
)
from surveys.models import Invitation, Survey
from surveys.services.invitations import (
    InviteeError,
    SendingLimitError,
    change_invitee_language,
    correct_invitee,
    language_name,
    resend_invitation,
    withdraw_invitee,
)
from surveys.services.rounds import RoundStateError
from surveys.tracking import InviteeStatus, invitee_rows
from surveys.views.access import posted, round_for

INVITEES_PER_PAGE = 50
STATUS_TAGS = {
    InviteeStatus.NOT_SENT: "govuk-tag--grey",
    InviteeStatus.SENT: "govuk-tag--blue",
    InviteeStatus.UNDELIVERABLE: "govuk-tag--red",
    InviteeStatus.STARTED: "govuk-tag--yellow",
    InviteeStatus.SUBMITTED: "govuk-tag--green",
    InviteeStatus.WITHDRAWN: "govuk-tag--grey",
}
# People whose invitation can still be corrected, withdrawn or sent again.
CHANGEABLE = {
    InviteeStatus.NOT_SENT,
    InviteeStatus.SENT,
    InviteeStatus.UNDELIVERABLE,
    InviteeStatus.STARTED,
}


def _list_url(survey: Survey) -> str:
    return reverse(
        "surveys:invitee_list",
        kwargs={
            "public_id": survey.partnership.public_id,
            "round_id": survey.public_id,
        },
    )


def _invitee(survey: Survey, invitation_id: UUID) -> Invitation:
    return get_object_or_404(
        Invitation.objects.select_related("organisation", "survey__partnership"),
        survey=survey,
        kind=Invitation.Kind.PERSONAL,
        email__isnull=False,
        public_id=invitation_id,
    )


@login_required
def invitee_list(request: HttpRequest, public_id: UUID, round_id: UUID) -> HttpResponse:
    """List the round's invitees with their status, searchable and a page at a time."""
    survey, _role = round_for(request, public_id, round_id, manage=True)
    form = InviteeSearchForm(request.GET, statuses=InviteeStatus.LABELS)
    # A search that cannot be used shows everyone, with the form's errors saying why.
    refused = not form.is_valid()
    search = {"q": "", "status": ""} if refused else form.cleaned_data
    rows = invitee_rows(survey=survey, search=search["q"], status=search["status"])
    page = Paginator(rows, INVITEES_PER_PAGE).get_page(request.GET.get("page"))
    changeable = survey.status != Survey.Status.CLOSED
    for row in page:
        row.status_label = InviteeStatus.LABELS[row.status]
        row.status_tag = STATUS_TAGS[row.status]
        row.changeable = changeable and row.status in CHANGEABLE
    query = {k: v for k, v in search.items() if v}
    return render(
        request,
        "surveys/manage/invitee_list.html",
        {
            "survey": survey,
            "partnership": survey.partnership,
            "form": form,
            "page": page,
            "page_numbers": page.paginator.get_elided_page_range(page.number),
            "ellipsis": Paginator.ELLIPSIS,
            "query": query,
            "searching": bool(query),
            "refused": refused,
            "can_resend": survey.is_accepting_answers(),
        },
    )


def _report(request: HttpRequest, action: Any, success: str) -> bool:
    """Run a change, then say what happened; return whether it worked."""
    try:
        action()
    except (InviteeError, RoundStateError, SendingLimitError) as exc:
        messages.error(request, str(exc))
        return False
    messages.success(request, success)
    return True


@login_required
@require_http_methods(["GET", "POST"])
def invitee_correct(
    request: HttpRequest, public_id: UUID, round_id: UUID, invitation_id: UUID
) -> HttpResponse:
    """Replace a mistyped address: a new link for the new address, the old one cut."""
    survey, _role = round_for(request, public_id, round_id, manage=True)
    invitation = _invitee(survey, invitation_id)
    form = InviteeEmailForm(posted(request))
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        try:
            correct_invitee(invitation=invitation, email=email, actor=request.user)
        except (InviteeError, RoundStateError, SendingLimitError) as exc:
            form.add_error("email", str(exc).removesuffix("."))
        else:
            messages.success(
                request, f"Address corrected to {email}. The old link no longer works."
            )
            return redirect(_list_url(survey))
    return render(
        request,
        "surveys/manage/invitee_correct.html",
        {
            "survey": survey,
            "partnership": survey.partnership,
            "invitation": invitation,
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def invitee_language(
    request: HttpRequest, public_id: UUID, round_id: UUID, invitation_id: UUID
) -> HttpResponse:
    """Change the language an invitee's emails are written in; their link stays."""
    survey, _role = round_for(request, public_id, round_id, manage=True)
    invitation = _invitee(survey, invitation_id)
    form = InviteeLanguageForm(
        posted(request), initial={"language": invitation.language}
    )
    if request.method == "POST" and form.is_valid():
        language = form.cleaned_data["language"]
        try:
            change_invitee_language(
                invitation=invitation, language=language, actor=request.user
            )
        except (InviteeError, RoundStateError) as exc:
            form.add_error("language", str(exc).removesuffix("."))
        else:
            messages.success(
                request,
                f"Emails to {invitation.email} will be in {language_name(language)}.",
            )
            return redirect(_list_url(survey))
    return render(
        request,
        "surveys/manage/invitee_language.html",
        {
            "survey": survey,
            "partnership": survey.partnership,
            "invitation": invitation,
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def invitee_withdraw(
    request: HttpRequest, public_id: UUID, round_id: UUID, invitation_id: UUID
) -> HttpResponse:
    """Confirm, then withdraw an invitation: its link stops working."""
    survey, _role = round_for(request, public_id, round_id, manage=True)
    invitation = _invitee(survey, invitation_id)
    if request.method == "POST":
        _report(
            request,
            lambda: withdraw_invitee(invitation=invitation, actor=request.user),
            f"Invitation to {invitation.email} withdrawn. Their link no longer works.",
        )
        return redirect(_list_url(survey))
    return render(
        request,
        "surveys/manage/invitee_withdraw.html",
        {"survey": survey, "partnership": survey.partnership, "invitation": invitation},
    )


@login_required
@require_POST
def invitee_resend(
    request: HttpRequest, public_id: UUID, round_id: UUID, invitation_id: UUID
) -> HttpResponse:
    """Email one invitee their link again."""
    survey, _role = round_for(request, public_id, round_id, manage=True)
    invitation = _invitee(survey, invitation_id)
    _report(
        request,
        lambda: resend_invitation(invitation=invitation, actor=request.user),
        f"The invitation is being sent to {invitation.email} again.",
    )
    return redirect(_list_url(survey))
