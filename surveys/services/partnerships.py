"""Partnerships, their member organisations and their team (leads, consultants, analysts)."""

from functools import partial

from django.db import transaction
from django.db.models import Q

from surveys.models import (
    Answer,
    AuditAction,
    Invitation,
    Membership,
    Organisation,
    Partnership,
    Response,
    Survey,
    User,
)
from surveys.services.audit import actor_display_name, record_event
from surveys.services.rounds import create_organisation_links
from surveys.tasks import send_member_invitation


class OrganisationInUseError(Exception):
    """The organisation has answers in this partnership, so it stays a member."""


class AlreadyMemberError(Exception):
    """The person already has a role on this partnership."""


@transaction.atomic
def create_partnership(*, name: str, kind: str, lead: User) -> Partnership:
    """Create a partnership with its creator as lead."""
    partnership = Partnership.objects.create(name=name, kind=kind)
    Membership.objects.create(
        user=lead, partnership=partnership, role=Membership.Role.LEAD
    )
    record_event(
        partnership=partnership,
        actor=lead,
        action=AuditAction.PARTNERSHIP_CREATED,
        detail={"name": name},
    )
    return partnership


@transaction.atomic
def update_partnership(
    *, partnership: Partnership, name: str, kind: str, actor: User
) -> Partnership:
    """Rename a partnership or change its kind."""
    partnership.name, partnership.kind = name, kind
    partnership.save(update_fields=["name", "kind", "updated_at"])
    record_event(
        partnership=partnership,
        actor=actor,
        action=AuditAction.PARTNERSHIP_UPDATED,
        detail={"name": name, "kind": kind},
    )
    return partnership


@transaction.atomic
def add_organisation(
    *, partnership: Partnership, organisation: Organisation, actor: User
) -> Organisation:
    """Make an organisation a member, with a link in every round not yet closed."""
    if partnership.members.filter(pk=organisation.pk).exists():
        return organisation
    partnership.members.add(organisation)
    linked = Invitation.objects.filter(
        organisation=organisation,
        kind=Invitation.Kind.ORGANISATION,
        revoked_at__isnull=True,
    ).values("survey_id")
    rounds = partnership.surveys.exclude(status=Survey.Status.CLOSED).exclude(
        pk__in=linked
    )
    for survey in rounds:
        create_organisation_links(survey=survey, organisations=[organisation])
    record_event(
        partnership=partnership,
        actor=actor,
        action=AuditAction.ORGANISATION_ADDED,
        detail={"organisation": organisation.name},
    )
    return organisation


@transaction.atomic
def create_organisation(
    *, partnership: Partnership, name: str, short_name: str, sector: str, actor: User
) -> Organisation:
    """Create a new organisation and make it a member of the partnership."""
    organisation = Organisation.objects.create(
        name=name, short_name=short_name, sector=sector
    )
    return add_organisation(
        partnership=partnership, organisation=organisation, actor=actor
    )


def organisation_has_answers(
    *, partnership: Partnership, organisation: Organisation
) -> bool:
    """Return whether anyone answered from or about the organisation in this partnership."""
    rounds = Survey.objects.filter(partnership=partnership)
    return (
        Response.objects.filter(survey__in=rounds, organisation=organisation).exists()
        or Answer.objects.filter(
            response__survey__in=rounds, subject_organisation=organisation
        ).exists()
    )


@transaction.atomic
def remove_organisation(
    *, partnership: Partnership, organisation: Organisation, actor: User
) -> None:
    """Remove a member that has no responses, deleting its unused links."""
    if organisation_has_answers(partnership=partnership, organisation=organisation):
        raise OrganisationInUseError(
            f"{organisation.name} cannot be removed because people have already "
            "answered the survey from or about it."
        )
    Invitation.objects.filter(
        survey__partnership=partnership, organisation=organisation
    ).delete()
    partnership.members.remove(organisation)
    record_event(
        partnership=partnership,
        actor=actor,
        action=AuditAction.ORGANISATION_REMOVED,
        detail={"organisation": organisation.name},
    )


def _find_user(email: str) -> User | None:
    return (
        User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email))
        .order_by("-is_active", "pk")
        .first()
    )


@transaction.atomic
def invite_member(
    *,
    partnership: Partnership,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    actor: User,
) -> Membership:
    """Give a colleague a role, creating their account if new, and email them a link."""
    email = email.strip()
    user = _find_user(email)
    if user is None:
        user = User(
            username=email.lower(),
            email=email,
            first_name=first_name,
            last_name=last_name,
        )
        user.set_unusable_password()  # they choose one through the emailed link
        user.save()
    elif Membership.objects.filter(user=user, partnership=partnership).exists():
        raise AlreadyMemberError(f"{email} already has a role on {partnership.name}.")
    membership = Membership.objects.create(
        user=user, partnership=partnership, role=role
    )
    record_event(
        partnership=partnership,
        actor=actor,
        action=AuditAction.MEMBER_INVITED,
        detail={"email": email, "role": membership.get_role_display()},
    )
    transaction.on_commit(
        partial(
            send_member_invitation.enqueue,
            membership_id=membership.pk,
            inviter_name=actor_display_name(actor),
        )
    )
    return membership
