"""Which language a page is shown in: the respondent's choice, within what the round offers."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode

from surveys.models import Invitation, Survey

ENGLISH = "en-gb"
# Pages whose text is English only (management, results, the accessibility statement, the
# admin): they stay English whatever the browser asks for, so that <html lang> tells the
# truth. The privacy notice is in both languages: respondents and emails link to it.
ENGLISH_ONLY_PREFIXES = (
    "/partnerships/",
    "/reports/",
    "/accessibility",
    "/admin/",
)


def is_english_only(path: str) -> bool:
    """Return whether a page's text exists in English only."""
    return path == "/" or path.startswith(ENGLISH_ONLY_PREFIXES)


def use_survey_language(
    request: HttpRequest,
    survey: Survey,
    *,
    choice: str = "",
    invitation: Invitation | None = None,
) -> str:
    """Show the rest of this request in one of the round's languages, and return it.

    In order, the first that the round offers: `choice`, a language just picked with the
    switcher; the collab_language cookie (picked earlier); the language the lead gave a
    personal invitee, which their emails are written in; the browser's Accept-Language; and
    the round's first language.
    """
    invited = (
        invitation.language
        if invitation is not None and invitation.kind == Invitation.Kind.PERSONAL
        else ""
    )
    candidates = (
        choice,
        request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, ""),
        invited,
        getattr(request, "LANGUAGE_CODE", ""),
    )
    offered = [c for c in candidates if c in survey.languages]
    language = offered[0] if offered else survey.language_for(ENGLISH)
    translation.activate(language)
    request.LANGUAGE_CODE = language
    return language


def privacy_url(language: str) -> str:
    """Return the privacy notice's address, in this language."""
    path = reverse("privacy")
    return path if language == ENGLISH else f"{path}?{urlencode({'lang': language})}"


def remember_language(response: HttpResponse, language: str) -> HttpResponse:
    """Keep a language picked with the switcher in the cookie Django reads it from."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
