"""What a signed-in user may see and start beyond one partnership: the tenancy rules.

A partnership's leads, consultants and analysts are one tenant's people. An organisation
may belong to several partnerships (a trust in a place partnership and in a provider
collaborative), but a lead sees only the organisations of the partnerships they lead:
another tenant's organisations are never listed, confirmed or attachable, and their names
never stop anyone creating an organisation of their own.
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, Permission
from django.db.models import Q, QuerySet

from surveys.models import Membership, Organisation, Partnership, User


def create_partnership_permission() -> Permission:
    """Return the permission a site administrator grants to let an account create partnerships."""
    return Permission.objects.get(
        content_type__app_label="surveys", codename="create_partnership"
    )


def email_domain(email: str) -> str:
    """Return the part of an address after its last @, in lower case."""
    return email.rpartition("@")[2].strip().lower() if "@" in email else ""


def may_create_partnerships(user: User | AnonymousUser) -> bool:
    """Say whether the user may create a partnership (and so become its lead).

    Either a site administrator granted them "Can create partnerships", or their email
    address is at one of PARTNERSHIP_CREATOR_DOMAINS.
    """
    if not user.is_authenticated or not user.is_active:
        return False
    domain = email_domain(user.email or "")
    if user.is_superuser or (domain and domain in settings.PARTNERSHIP_CREATOR_DOMAINS):
        return True
    # One query for the user's own grant and their groups' (has_perm would take two).
    return (
        Permission.objects.filter(
            content_type__app_label="surveys", codename="create_partnership"
        )
        .filter(Q(user=user) | Q(group__user=user))
        .exists()
    )


def led_partnerships(*, user: User) -> QuerySet[Partnership]:
    """Return the partnerships the user leads."""
    return Partnership.objects.filter(
        memberships__user_id=user.pk,
        memberships__role=Membership.Role.LEAD,
        memberships__accepted_at__isnull=False,
    )


def addable_organisations(
    *, user: User, partnership: Partnership
) -> QuerySet[Organisation]:
    """Return the organisations the lead may add: members of their other partnerships."""
    return (
        Organisation.objects.filter(partnerships__in=led_partnerships(user=user))
        .exclude(partnerships=partnership)
        .distinct()
        .order_by("name")
    )
