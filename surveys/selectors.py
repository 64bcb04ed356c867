"""Reads that decide what a visitor may see."""

from dataclasses import dataclass

from django.utils import timezone

from surveys.models import Invitation, Response


@dataclass(frozen=True)
class LinkTarget:
    """What a survey link points at: an invitation to start, or a response to resume."""

    invitation: Invitation
    response: Response | None


def find_link(*, token: str) -> LinkTarget | None:
    """Return what this token opens (an invitation or a response's resume link), or None."""
    invitation = (
        Invitation.objects.select_related(
            "survey__partnership", "survey__instrument", "organisation"
        )
        .filter(token=token, revoked_at__isnull=True)
        .first()
    )
    if invitation is not None:
        response = (
            invitation.responses.select_related("survey", "organisation").first()
            if invitation.is_personal
            else None
        )
        return LinkTarget(invitation=invitation, response=response)
    response = (
        Response.objects.select_related(
            "invitation__survey__partnership",
            "invitation__survey__instrument",
            "invitation__organisation",
            "survey",
            "organisation",
        )
        .filter(resume_token=token, invitation__revoked_at__isnull=True)
        .first()
    )
    if response is None:
        return None
    return LinkTarget(invitation=response.invitation, response=response)


def link_unavailable_reason(*, target: LinkTarget) -> str | None:
    """Return why the link cannot take answers ("submitted", "closed", "not_open"), or None."""
    survey = target.invitation.survey
    now = timezone.now()
    if target.response is not None and target.response.is_submitted:
        return "submitted"
    if survey.has_closed(now=now):
        return "closed"
    if not survey.is_accepting_answers(now=now):
        return "not_open"
    return None
