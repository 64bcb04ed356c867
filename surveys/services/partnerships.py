"""Partnerships, their member organisations and their team (leads, consultants, analysts)."""

import hashlib
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import get_language

from surveys.models import (
    Answer,
    AuditAction,
    AuditEvent,
    Invitation,
    Membership,
    Organisation,
    Partnership,
    PartnershipMember,
    Response,
    Survey,
    User,
)
from surveys.services.audit import actor_display_name, record_event
from surveys.services.rounds import create_organisation_links
from surveys.tasks import send_member_invitation
from surveys.tenancy import addable_organisations, may_create_partnerships

USERNAME_MAX_LENGTH = User._meta.get_field("username").max_length


class OrganisationInUseError(Exception):
    """The organisation has answers in this partnership, so it stays a member."""


class AlreadyMemberError(Exception):
    """The person already has a role on this partnership."""


class NotPermittedError(Exception):
    """The account may not do this (creating partnerships is a permission)."""


class OrganisationNotAvailableError(Exception):
    """The organisation is not one this lead may add (it belongs to another tenant)."""


class DuplicateNameError(Exception):
    """Another member of the partnership already has this name or short name."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


class LastLeadError(Exception):
    """The change would leave the partnership without a lead."""


class TeamInvitationLimitError(Exception):
    """The lead has used their daily allowance of team invitations; nothing was done."""


@transaction.atomic
def create_partnership(*, name: str, kind: str, lead: User) -> Partnership:
    """Create a partnership with its creator as lead, if they may create partnerships."""
    if not may_create_partnerships(lead):
        raise NotPermittedError("This account may not create partnerships.")
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


def name_clash(
    *,
    partnership: Partnership,
    field: str,
    value: str,
    organisation: Organisation | None = None,
) -> DuplicateNameError | None:
    """Return the error if another member already uses this name or short name, else None.

    Either is compared with members' names and short names alike, so that the invitation
    import (which takes either) never finds two organisations for one word.
    """
    wanted = value.strip().lower()
    members = PartnershipMember.objects.filter(partnership=partnership)
    if organisation is not None and organisation.pk:  # renaming it: not its own clash
        members = members.exclude(organisation=organisation)
    for member in members:
        if wanted in (member.name.strip().lower(), member.short_name.strip().lower()):
            what = "name" if field == "name" else "short name"
            return DuplicateNameError(
                f"{member.name} ({member.short_name}) in this partnership already uses "
                f"‘{value}’: give this organisation a different {what}",
                field=field,
            )
    return None


def refresh_member_names(*, organisation: Organisation) -> None:
    """Copy a renamed organisation's names to its member rows (PostgreSQL's key already
    cascades them; SQLite, the local demo, needs this)."""
    PartnershipMember.objects.filter(organisation=organisation).update(
        name=organisation.name, short_name=organisation.short_name
    )


@transaction.atomic
def add_organisation(
    *, partnership: Partnership, organisation: Organisation, actor: User
) -> Organisation:
    """Make an organisation a member, with a link in every round not yet closed.

    Only an organisation of another partnership the actor leads may be added; raises
    DuplicateNameError when a member already uses its name or short name.
    """
    if partnership.members.filter(pk=organisation.pk).exists():
        return organisation
    if (
        not addable_organisations(user=actor, partnership=partnership)
        .filter(pk=organisation.pk)
        .exists()
    ):
        raise OrganisationNotAvailableError("Choose an organisation from the list")
    _add_member(partnership=partnership, organisation=organisation)
    return _link_and_record(
        partnership=partnership, organisation=organisation, actor=actor
    )


def _add_member(*, partnership: Partnership, organisation: Organisation) -> None:
    for field in ("name", "short_name"):
        clash = name_clash(
            partnership=partnership, field=field, value=getattr(organisation, field)
        )
        if clash is not None:
            raise clash
    try:
        with transaction.atomic():
            PartnershipMember.objects.add(
                partnership=partnership, organisations=[organisation]
            )
    except IntegrityError as exc:  # the same name, added a moment ago by a colleague
        raise DuplicateNameError(
            f"Another organisation in this partnership already uses the name "
            f"‘{organisation.name}’ or the short name ‘{organisation.short_name}’",
            field="name",
        ) from exc


def _link_and_record(
    *, partnership: Partnership, organisation: Organisation, actor: User
) -> Organisation:
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
    """Create a new organisation and make it a member of the partnership.

    Raises DuplicateNameError when a member already uses the name or short name; names
    used in other tenants' partnerships are no obstacle (and so reveal nothing).
    """
    organisation = Organisation.objects.create(
        name=name, short_name=short_name, sector=sector
    )
    _add_member(partnership=partnership, organisation=organisation)
    return _link_and_record(
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
    PartnershipMember.objects.filter(
        partnership=partnership, organisation=organisation
    ).delete()
    record_event(
        partnership=partnership,
        actor=actor,
        action=AuditAction.ORGANISATION_REMOVED,
        detail={"organisation": organisation.name},
    )


def _lock_address(email: str) -> None:
    """Hold, until the transaction ends, a lock on the address in lower case.

    Two leads inviting the same new address at the same moment would otherwise both find no
    account and both create one: an error page for one (the username is taken) or two
    accounts with one address. The second now waits, then finds the first's account.
    """
    # SQLite (the local demo) writes one transaction at a time anyway.
    if connection.vendor != "postgresql":
        return
    digest = hashlib.blake2b(
        email.lower().encode(), digest_size=8, person=b"team-invite"
    ).digest()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s)",
            [int.from_bytes(digest, "big", signed=True)],
        )


def _find_user(email: str) -> User | None:
    # By address only: an address-shaped username may be someone else's account, whose
    # real address the team would then see.
    return User.objects.filter(email__iexact=email).order_by("-is_active", "pk").first()


def _free_username(email: str) -> str:
    """Return the new account's username: its address in lower case, unless an account
    already has that username (an address-shaped one), then the first free "-2", "-3"…"""
    base = email.lower()
    taken = {
        name.lower()
        for name in User.objects.filter(username__istartswith=base).values_list(
            "username", flat=True
        )
    }
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        suffix = f"-{n}"
        candidate = base[: USERNAME_MAX_LENGTH - len(suffix)] + suffix
    return candidate


def team_invitations_today(
    *,
    actor: User | None = None,
    partnership: Partnership | None = None,
    now: datetime | None = None,
) -> int:
    """Return how many colleagues were invited in the last 24 hours: by the lead, anywhere,
    or to the partnership, by any of its leads."""
    since = (now or timezone.now()) - timedelta(days=1)
    # The audit trail is the ledger, as for survey invitations: one event per email.
    events = AuditEvent.objects.filter(
        action=AuditAction.MEMBER_INVITED, created_at__gte=since
    )
    if actor is not None:
        events = events.filter(actor=actor)
    if partnership is not None:
        events = events.filter(partnership=partnership)
    return events.count()


def _check_team_allowance(actor: User, partnership: Partnership) -> None:
    """Refuse, before anything is written, an invitation past the lead's or the
    partnership's daily allowance.

    The lead's row, then the partnership's, is locked so that two invitations at once
    cannot both take the last one.
    """
    User.objects.select_for_update().filter(pk=actor.pk).first()
    Partnership.objects.select_for_update().filter(pk=partnership.pk).first()
    allowances = (
        (
            settings.TEAM_INVITATIONS_PER_LEAD_PER_DAY,
            team_invitations_today(actor=actor),
            "Each lead can invite up to {limit:,} colleagues in 24 hours; you have "
            "invited {used:,}",
        ),
        (
            settings.TEAM_INVITATIONS_PER_PARTNERSHIP_PER_DAY,
            team_invitations_today(partnership=partnership),
            "Each partnership can invite up to {limit:,} colleagues in 24 hours; its "
            "leads have invited {used:,}",
        ),
    )
    for limit, used, whose in allowances:
        if used >= limit:
            left = "no more" if used == limit else "none"
            raise TeamInvitationLimitError(
                f"Nothing was sent. {whose.format(limit=limit, used=used)}, so {left} "
                "can go now. Try again tomorrow, or ask the service team to raise the "
                "limit."
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
    """Give a colleague a role, creating their account if new, and email them a link.

    Every membership starts as an invitation, the role theirs once they accept it: a new
    account's holder accepts on their partnerships page after setting the emailed password,
    so that the inviting lead sees the same whether or not the address had an account.

    Raises TeamInvitationLimitError, having written nothing, past the lead's or the
    partnership's daily allowance.
    """
    email = email.strip()
    _check_team_allowance(actor, partnership)
    _lock_address(email)
    user = _find_user(email)
    # Joining takes consent: until they accept, the membership is only an invitation and
    # grants nothing (surveys.selectors). New accounts too, so that nothing the lead sees
    # (the team page, the trail, the message) tells whether the address had an account.
    if user is None:
        user = User(
            username=_free_username(email),
            email=email,
            first_name=first_name,
            last_name=last_name,
        )
        user.set_unusable_password()  # they choose one through the emailed link
        user.save()
    elif Membership.objects.filter(user=user, partnership=partnership).exists():
        raise AlreadyMemberError(
            f"{email} already has a role on {partnership.name}, or has been invited to."
        )
    membership = Membership.objects.create(
        user=user,
        partnership=partnership,
        role=role,
        invited_name=" ".join(f"{first_name} {last_name}".split()),
        invited_email=email,
        invited_by_name=actor_display_name(actor),
        accepted_at=None,
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
            # The worker has no request: the email goes in the inviter's language.
            language=get_language(),
        )
    )
    return membership


def _leads(partnership_id: int):
    # An invitation not yet accepted is nobody in charge.
    return Membership.objects.filter(
        partnership_id=partnership_id,
        role=Membership.Role.LEAD,
        accepted_at__isnull=False,
    )


def is_last_lead(*, membership: Membership) -> bool:
    """Return whether this member is the partnership's only lead."""
    return (
        membership.role == Membership.Role.LEAD
        and not membership.is_pending
        and not _leads(membership.partnership_id).exclude(pk=membership.pk).exists()
    )


def _ensure_another_lead(membership: Membership) -> None:
    """Raise LastLeadError unless the partnership keeps a lead without this membership."""
    # Lock every lead row of the partnership, so that two leads removing each other at
    # the same moment cannot both succeed and leave nobody in charge.
    leads = list(
        _leads(membership.partnership_id)
        .select_for_update()
        .values_list("pk", flat=True)
    )
    if membership.role == Membership.Role.LEAD and leads == [membership.pk]:
        raise LastLeadError(
            f"{membership.display_name} is the partnership’s only lead. Make someone "
            "else a lead first, so that somebody can still run the partnership."
        )


@transaction.atomic
def change_member_role(*, membership: Membership, role: str, actor: User) -> Membership:
    """Give a team member another role; the last lead keeps theirs."""
    if role not in Membership.Role.values:
        raise ValueError(f"Unknown role {role!r}")
    if role == membership.role:
        return membership
    if role != Membership.Role.LEAD:
        _ensure_another_lead(membership)
    previous = membership.get_role_display()
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    record_event(
        partnership=membership.partnership,
        actor=actor,
        action=AuditAction.MEMBER_ROLE_CHANGED,
        detail={
            "member": membership.display_name,
            "from": previous,
            "to": membership.get_role_display(),
        },
    )
    return membership


@transaction.atomic
def remove_member(*, membership: Membership, actor: User) -> None:
    """Take a colleague off the team (their account stays); the last lead stays."""
    _ensure_another_lead(membership)
    detail = {
        "member": membership.display_name,
        "role": membership.get_role_display(),
    }
    partnership = membership.partnership
    membership.delete()
    record_event(
        partnership=partnership,
        actor=actor,
        action=AuditAction.MEMBER_REMOVED,
        detail=detail,
    )


class NotInvitedError(Exception):
    """There is no invitation of this person waiting to be answered."""


class RoleOfferedChangedError(Exception):
    """The lead changed the role offered since the invited person read it; nothing changed."""


def _waiting(membership: Membership, user: User) -> Membership:
    try:
        return (
            Membership.objects.select_for_update(of=("self",))
            .select_related("partnership")
            .get(pk=membership.pk, user_id=user.pk, accepted_at__isnull=True)
        )
    except Membership.DoesNotExist as exc:
        raise NotInvitedError("This invitation has already been answered.") from exc


def _audit_answer(membership: Membership, user: User, action: AuditAction) -> None:
    # Named as the partnership knows them: their account's own name may be another
    # tenant's business.
    name = membership.display_name if membership.invited_name else "A colleague"
    record_event(
        partnership=membership.partnership,
        actor=user,
        actor_name=name,
        action=action,
        detail={"member": name, "role": membership.get_role_display()},
    )


@transaction.atomic
def accept_invitation(*, membership: Membership, user: User, role: str) -> Membership:
    """Take up the role one was invited to (only the invited person can).

    `role` is the role they were shown: if a lead has changed it since, nothing is accepted,
    so nobody takes up a role they never saw.
    """
    membership = _waiting(membership, user)
    if role != membership.role:
        raise RoleOfferedChangedError(
            "The role offered has changed since you opened the page: it is now "
            f"{membership.get_role_display()}. Nothing was accepted. Read the invitation "
            "again, then accept or decline it."
        )
    membership.accepted_at = timezone.now()
    membership.save(update_fields=["accepted_at", "updated_at"])
    _audit_answer(membership, user, AuditAction.MEMBER_ACCEPTED)
    return membership


@transaction.atomic
def decline_invitation(*, membership: Membership, user: User) -> None:
    """Turn down an invitation to a team: it is deleted, and the account stays as it was."""
    membership = _waiting(membership, user)
    _audit_answer(membership, user, AuditAction.MEMBER_DECLINED)
    membership.delete()
