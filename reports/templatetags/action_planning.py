"""Template tags that add the action-planning panel to the dashboard pages."""

from typing import Any

from django import template

from reports import planning
from reports.page_models import Partner
from reports.planning import UNKNOWN
from surveys.models import Survey

register = template.Library()


@register.simple_tag(takes_context=True)
def action_planning(
    context: template.Context,
    survey: Survey,
    role: str,
    a: Partner | None = None,
    b: Partner | None = None,
) -> dict[str, Any]:
    """Return the page's focus areas, last round's progress and (for a pair) prompts."""
    pair = None
    if a is not None and b is not None:
        pair = (a.organisation, b.organisation)
    return planning.planning(
        survey,
        role=role,
        pair=pair,
        earlier=context.get("previous", UNKNOWN),
        with_prompts=pair is not None and not context.get("suppressed", False),
        fingerprint=context.get("fingerprint", ""),
    )
