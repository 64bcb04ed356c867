"""The privacy notice and the accessibility statement, linked from every page's footer."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

from surveys.legal import AccessibilityStatement, PrivacyNotice


def privacy_notice(request: HttpRequest) -> HttpResponse:
    """Say who holds respondents' data, why, for how long, and how to complain."""
    # Emails and Welsh pages link here with ?lang=cy: an invitee reads it in the language
    # their invitation was written in, whatever the browser says.
    language = request.GET.get("lang", "")
    if language in dict(settings.LANGUAGES):
        translation.activate(language)
        request.LANGUAGE_CODE = language
    return render(
        request, "legal/privacy.html", {"notice": PrivacyNotice.from_settings()}
    )


def accessibility_statement(request: HttpRequest) -> HttpResponse:
    """Show the accessibility statement the 2018 regulations require."""
    return render(
        request,
        "legal/accessibility.html",
        {"statement": AccessibilityStatement.from_settings()},
    )
