"""Reads that decide what a visitor may see."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from hmac import compare_digest
from uuid import UUID

from django.db import connection
from django.db.models import F, Model, QuerySet
from django.http import Http404
from django.utils import timezone

from surveys.journey import partners_fingerprint
from surveys.models import (
    Invitation,
    Membership,
    Partnership,
    Response,
    RetiredLink,
    Survey,
    User,
    retired_link_digest,
)
from surveys.prepared import resume_candidates

# Link and resume tokens are URL-safe base64 (see models.new_token); anything else, such as a
# NUL that PostgreSQL would refuse, matches nothing and is never sent to the database.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True)
class LinkTarget:
    """What a survey link points at: an invitation to start, or a response to resume."""

    invitation: Invitation
    response: Response | None


# A link's token is found by its first characters, through the unique index; the rest, at
# least 128 bits, is compared in constant time. So neither the database nor Python ever
# compares the secret part byte by byte, and response times cannot tell an attacker how
# much of a guessed token was right.
TOKEN_LOOKUP_CHARS = 16
TOKEN_SECRET_CHARS = 22  # 22 URL-safe base64 characters = 132 bits


def match_token[M: Model](queryset: QuerySet[M], *, field: str, token: str) -> M | None:
    """Return the row whose `field` equals `token`, compared in constant time, or None."""
    if len(token) < TOKEN_LOOKUP_CHARS + TOKEN_SECRET_CHARS:
        return None
    candidates = queryset.filter(**{f"{field}__startswith": token[:TOKEN_LOOKUP_CHARS]})
    given = token.encode()
    for candidate in candidates:  # one at most, unless 96 random bits repeat
        if compare_digest(getattr(candidate, field).encode(), given):
            return candidate
    return None


def _invitation_link(token: str, lock: bool = False) -> LinkTarget | None:
    invitation = match_token(
        Invitation.objects.select_related(
            "survey__partnership", "survey__instrument", "organisation"
        )
        .filter(revoked_at__isnull=True)
        # The members with the link: the start page and the first page's address are
        # worked out without a query of their own for them (journey._members).
        .annotate(partners_key=partners_fingerprint(Invitation)),
        field="token",
        token=token,
    )
    if invitation is None:
        return None
    responses = invitation.responses.select_related("survey", "organisation")
    if lock:
        responses = responses.select_for_update(of=("self",))
    response = responses.first() if invitation.is_personal else None
    if response is not None:
        response.partners_key = invitation.partners_key  # the same round's members
    return LinkTarget(invitation=invitation, response=response)


def _resume_response(token: str, lock: bool) -> Response | None:
    """Return the response behind a resume token, with its round, questionnaire,
    organisation and link, or None; on PostgreSQL through a prepared statement."""
    if connection.vendor == "postgresql":
        if len(token) < TOKEN_LOOKUP_CHARS + TOKEN_SECRET_CHARS:
            return None
        given = token.encode()
        for candidate in resume_candidates(token[:TOKEN_LOOKUP_CHARS], lock=lock):
            if compare_digest(candidate.resume_token.encode(), given):
                return candidate
        return None
    responses = Response.objects.select_related(
        "invitation", "survey__instrument", "organisation"
    ).annotate(partners_key=partners_fingerprint())
    if lock:
        responses = responses.select_for_update(of=("self",))
    return match_token(responses, field="resume_token", token=token)


def _resume_link(token: str, lock: bool = False) -> LinkTarget | None:
    # A replaced organisation link stops new visitors, but someone part-way through keeps
    # their own private resume link: their answers so far are not stranded.
    response = _resume_response(token, lock)
    if response is None:
        return None
    # A response has its invitation's round and organisation: join them once, not twice
    # (every question page starts here, and each join costs the planner).
    invitation = response.invitation
    invitation.survey = response.survey
    invitation.organisation = response.organisation
    return LinkTarget(invitation=invitation, response=response)


def find_link(
    *, token: str, resume_first: bool = False, lock: bool = False
) -> LinkTarget | None:
    """Return what this token opens (an invitation or a response's resume link), or None.

    Question pages are addressed by resume links, so they look there first (`resume_first`):
    one query per page view instead of two. `lock` reads the response FOR UPDATE, inside
    the caller's transaction, so that a page save needs no second read to lock it.
    """
    if not TOKEN_PATTERN.fullmatch(token):
        return None  # never send a NUL byte or other junk to the database
    lookups = (
        (_resume_link, _invitation_link)
        if resume_first
        else (_invitation_link, _resume_link)
    )
    for lookup in lookups:
        target = lookup(token, lock)
        if target is not None:
            return target
    return None


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


def get_partnership_for_user(
    *, user: User, public_id: UUID, roles: Iterable[str] | None = None
) -> tuple[Partnership, str]:
    """Return the partnership and the user's role on it; 404 for anyone without a role.

    404 rather than 403, so that outsiders cannot tell that a partnership exists. `roles`
    narrows who may see it at all; callers raise PermissionDenied for actions a role
    cannot take.
    """
    membership = (
        Membership.objects.select_related("partnership")
        .filter(
            user_id=user.pk, partnership__public_id=public_id, accepted_at__isnull=False
        )
        .first()
    )
    if membership is None or (roles is not None and membership.role not in set(roles)):
        raise Http404("No such partnership")
    return membership.partnership, membership.role


def get_survey_for_user(
    *, user: User, public_id: UUID, roles: Iterable[str] | None = None
) -> tuple[Survey, str]:
    """Return a survey round and the user's role on its partnership; 404 for outsiders."""
    survey = (
        Survey.objects.select_related("partnership", "instrument")
        .filter(
            public_id=public_id,
            partnership__memberships__user_id=user.pk,
            partnership__memberships__accepted_at__isnull=False,
        )
        .first()
    )
    if survey is None:
        raise Http404("No such survey")
    _partnership, role = get_partnership_for_user(
        user=user, public_id=survey.partnership.public_id, roles=roles
    )
    return survey, role


def partnerships_for_user(*, user: User) -> QuerySet[Partnership]:
    """Return the partnerships the user has a role on, with that role as `user_role`.

    Invitations not yet accepted are not roles (pending_invitations lists them).
    """
    return (
        Partnership.objects.filter(
            memberships__user_id=user.pk, memberships__accepted_at__isnull=False
        )
        .annotate(user_role=F("memberships__role"))
        .order_by("name")
    )


def pending_invitations(*, user: User) -> QuerySet[Membership]:
    """Return the invitations to a team the user has yet to accept or decline."""
    return (
        Membership.objects.filter(user_id=user.pk, accepted_at__isnull=True)
        .select_related("partnership")
        .order_by("created_at")
    )


def is_known_link(*, token: str) -> bool:
    """Say whether the token was ever issued: any link or resume link, replaced ones too.

    The unknown-link lockout counts only tokens that never existed: a draft round's link,
    a replaced link, a resume link cut by withdrawing or correcting its invitation (known
    by its keyed hash) or a wrong page address of a real link is not a guess.
    """
    if not TOKEN_PATTERN.fullmatch(token):
        return False
    return (
        match_token(Invitation.objects.only("token"), field="token", token=token)
        is not None
        or match_token(
            Response.objects.only("resume_token"), field="resume_token", token=token
        )
        is not None
        # An HMAC of a guess is unpredictable, so a plain lookup reveals nothing by timing.
        or RetiredLink.objects.filter(digest=retired_link_digest(token)).exists()
    )
