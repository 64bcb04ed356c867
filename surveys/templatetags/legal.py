"""The privacy summary that every survey's start page and every email carries."""

from django import template
from django.utils.translation import get_language

from surveys.languages import privacy_url
from surveys.legal import PrivacyNotice

register = template.Library()


@register.inclusion_tag("includes/_privacy_summary.html")
def privacy_summary() -> dict[str, PrivacyNotice]:
    """Render who holds the respondent's data, why, for how long, and how to complain."""
    return {"notice": PrivacyNotice.from_settings()}


@register.simple_tag
def privacy_notice_url() -> str:
    """Return the privacy notice's address in the page's language."""
    return privacy_url(get_language())
