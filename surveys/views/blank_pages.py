"""Questionnaire pages nobody has answered yet, rendered once per process (issue 17).

A blank page of questions is the same HTML for every respondent of a round who reaches it
in the same language, except for three values of their own: the CSRF token, the Back link
and their private resume link (both carry their resume token). So the page is rendered once
with a random placeholder in each of those three places, kept, and each request gets a
copy with its own values put in, escaped as the template would have escaped them.

A page is kept only when everything else it shows is in the key: the questions (the
form's blank_key), the language, the page's position, the organisation's name, the
round's threshold and languages, and whether the respondent came by a shared link. A page
with answers, errors or messages (a banner after emailing the link) is rendered afresh.
Before a page is kept it is checked for the respondent's resume token and link token: if
either were there, some value of theirs would have reached the page outside the three
placeholders, and the page is not kept (tests compare kept pages with fresh ones for every
page of a questionnaire in both languages).
"""

import secrets
import threading
from collections import OrderedDict
from typing import Any

from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.utils.translation import get_language

TEMPLATE = "surveys/respondent/step.html"
PER_REQUEST = ("csrf_token", "back_url", "resume_link")
PAGES_KEPT = 512
_pages: OrderedDict[tuple, tuple[str, dict[str, str]]] = OrderedDict()
_lock = threading.Lock()


def _key(
    request: HttpRequest, context: dict[str, Any], questions: tuple | None
) -> tuple | None:
    """Return what this page's HTML depends on besides PER_REQUEST, or None to render it."""
    if questions is None or context["email_form"].is_bound:
        return None
    if len(get_messages(request)):  # loads the messages without marking them shown
        return None
    survey = context["survey"]
    return (
        questions,
        get_language(),
        survey.pk,
        survey.anonymity_threshold,
        tuple(survey.language_choices),
        context["response"].organisation.name,
        context["position"],
        context["total"],
        context["another_device"],
        context["skip_field"],
        context["skip_value"],
    )


def _filled(
    request: HttpRequest, context: dict[str, Any], kept: tuple[str, dict[str, str]]
) -> HttpResponse:
    """Return the kept page with this request's own values put in."""
    html, placeholders = kept
    values = {
        "csrf_token": get_token(request),  # sets the CSRF cookie as the tag would
        "back_url": context["back_url"],
        "resume_link": context["resume_link"],
    }
    for name, placeholder in placeholders.items():
        html = html.replace(placeholder, str(conditional_escape(values[name])))
    return HttpResponse(html)


def kept_step(
    request: HttpRequest, context: dict[str, Any], questions: tuple
) -> HttpResponse | None:
    """Return the kept copy of a blank page (`context` without its form), or None.

    `questions` is the blank form's key (blank_questions_key): the caller, which has not
    built the form, vouches that the page has no answers saved.
    """
    key = _key(request, context, questions)
    if key is None:
        return None
    with _lock:
        kept = _pages.get(key)
    return None if kept is None else _filled(request, context, kept)


def render_step(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    """Render a questionnaire page, from the kept copy when it is blank."""
    key = _key(request, context, context["form"].blank_key())
    if key is None:
        return render(request, TEMPLATE, context)
    with _lock:
        kept = _pages.get(key)
    if kept is None:
        placeholders = {
            name: f"app-per-request-{secrets.token_hex(16)}" for name in PER_REQUEST
        }
        html = render_to_string(TEMPLATE, {**context, **placeholders}, request)
        response = context["response"]
        own = (response.resume_token, response.invitation.token)
        if any(token in html for token in own):
            return render(request, TEMPLATE, context)
        kept = (html, placeholders)
        with _lock:
            _pages[key] = kept
            while len(_pages) > PAGES_KEPT:
                _pages.popitem(last=False)
    return _filled(request, context, kept)
