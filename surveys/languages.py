"""Which language a page is shown in: the respondent's choice, within what the round offers."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from surveys.models import Survey

ENGLISH = "en-gb"
# Pages whose text is English only (management, results, the legal pages, the admin):
# they stay English whatever the browser asks for, so that <html lang> tells the truth.
ENGLISH_ONLY_PREFIXES = (
    "/partnerships/",
    "/reports/",
    "/privacy",
    "/accessibility",
    "/admin/",
)


def is_english_only(path: str) -> bool:
    """Return whether a page's text exists in English only."""
    return path == "/" or path.startswith(ENGLISH_ONLY_PREFIXES)


def use_survey_language(
    request: HttpRequest, survey: Survey, *, choice: str = ""
) -> str:
    """Show the rest of this request in one of the round's languages, and return it.

    `choice` is a language just picked with the switcher; otherwise the browser's choice
    (the collab_language cookie, else Accept-Language, as LocaleMiddleware read it) counts
    when the round offers it, and the round's first language when it does not.
    """
    preferred = choice or getattr(request, "LANGUAGE_CODE", "") or ENGLISH
    language = survey.language_for(preferred)
    translation.activate(language)
    request.LANGUAGE_CODE = language
    return language


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
