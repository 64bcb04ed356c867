"""The privacy summary that every survey's start page and every email carries."""

from django import template

from surveys.legal import PrivacyNotice

register = template.Library()


@register.inclusion_tag("includes/_privacy_summary.html")
def privacy_summary() -> dict[str, PrivacyNotice]:
    """Render who holds the respondent's data, why, for how long, and how to complain."""
    return {"notice": PrivacyNotice.from_settings()}
