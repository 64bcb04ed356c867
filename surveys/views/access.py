"""Who may see and change a partnership's pages: outsiders get 404, readers 403 on changes."""

from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, QueryDict

from surveys.models import Membership, Partnership, Survey
from surveys.selectors import get_partnership_for_user, get_survey_for_user


def partnership_for(
    request: HttpRequest, public_id: UUID, *, manage: bool = False
) -> tuple[Partnership, str]:
    """Return the partnership and the user's role; 403 when `manage` and not its lead."""
    partnership, role = get_partnership_for_user(user=request.user, public_id=public_id)
    if manage and role != Membership.Role.LEAD:
        raise PermissionDenied("Only the partnership's leads can change it.")
    return partnership, role


def round_for(
    request: HttpRequest, public_id: UUID, round_id: UUID, *, manage: bool = False
) -> tuple[Survey, str]:
    """Return a round of the partnership and the user's role; 403 when `manage` and not lead."""
    survey, role = get_survey_for_user(user=request.user, public_id=round_id)
    if survey.partnership.public_id != public_id:
        raise Http404("No such round in this partnership")
    if manage and role != Membership.Role.LEAD:
        raise PermissionDenied("Only the partnership's leads can change its rounds.")
    return survey, role


def sees_exact_counts(role: str) -> bool:
    """Say whether a role sees response counts below the threshold (consultants do not).

    Consultants read results, not progress: a small organisation's count, or a total less
    the counts shown for larger ones, would be a group smaller than K.
    """
    return role != Membership.Role.CONSULTANT


def posted(request: HttpRequest) -> QueryDict | None:
    """Return the POST data (even when empty, so that the form shows errors), else None."""
    return request.POST if request.method == "POST" else None
