"""The audit trail: who opened, closed, imported or sent what, and when."""

from typing import Any

from surveys.models import AuditAction, AuditEvent, Partnership, Survey, User


def actor_display_name(user: User) -> str:
    """Return the name to show for a user: their full name, else their username."""
    return user.get_full_name() or user.get_username()


def record_event(
    *,
    partnership: Partnership,
    actor: User | None,
    action: AuditAction,
    survey: Survey | None = None,
    detail: dict[str, Any] | None = None,
    actor_name: str = "",
) -> AuditEvent:
    """Append one event to the partnership's audit trail (inside the caller's transaction).

    `actor_name` names who acted when no user did (a scheduled job, a command), or names
    the user as the partnership knows them (an invited colleague, by the name typed).
    """
    return AuditEvent.objects.create(
        partnership=partnership,
        survey=survey,
        actor=actor,
        actor_name=actor_name
        or (actor_display_name(actor) if actor is not None else ""),
        action=action,
        detail=detail or {},
    )
