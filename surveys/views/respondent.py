"""The respondent journey at /s/<token>/: no account, resumable, one page per section."""

import hashlib
import math
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from surveys.forms.respondent import (
    ResumeEmailForm,
    StartForm,
    StepForm,
    SubmitForm,
    answers_digest,
    blank_questions_key,
    field_name,
)
from surveys.instrument_text import InstrumentText
from surveys.journey import (
    FAMILIARITY_SKIP,
    Step,
    build_steps,
    completed_slugs,
    find_step,
    group_sections,
    minutes_for,
    saved_answers,
    steps_for_new_response,
    summarise_answers,
)
from surveys.languages import remember_language, use_survey_language
from surveys.models import Response
from surveys.ratelimits import client_ip, limit_survey_link, wait_seconds
from surveys.selectors import LinkTarget, find_link, link_unavailable_reason
from surveys.services.emails import send_resume_email
from surveys.services.responses import (
    ResponseIncompleteError,
    ResponseLockedError,
    save_page,
    start_response,
    submit_response,
)
from surveys.views.access import posted
from surveys.views.blank_pages import kept_step, render_step

SESSION_KEY = (
    "survey_responses"  # invitation public id -> resume token, for organisation links
)
# A per-browser secret that start keys are bound to (browser_start_key).
BROWSER_SECRET_KEY = "survey_browser_secret"
UNAVAILABLE_STATUS = {"unknown": 404, "not_open": 404, "closed": 410, "submitted": 410}


def _unavailable(
    request: HttpRequest, reason: str, target: LinkTarget | None = None
) -> HttpResponse:
    survey = target.invitation.survey if target else None
    if survey is not None:
        use_survey_language(request, survey, invitation=target.invitation)
    return render(
        request,
        "surveys/respondent/unavailable.html",
        {"reason": reason, "survey": survey},
        status=UNAVAILABLE_STATUS[reason],
    )


def _step_url(response: Response, slug: str) -> str:
    return reverse(
        "surveys:respondent_step", kwargs={"token": response.resume_token, "step": slug}
    )


def _check_url(response: Response) -> str:
    return reverse("surveys:respondent_check", kwargs={"token": response.resume_token})


def _resume_url(response: Response) -> str:
    """Return the first page still needing answers, or check-your-answers."""
    steps = build_steps(response=response)
    done = completed_slugs(response=response, steps=steps)
    missing = next((s for s in steps if s.slug not in done), None)
    return _step_url(response, missing.slug) if missing else _check_url(response)


def browser_start_key(browser_secret: str, posted_key: str) -> str:
    """Bind a posted start key to this browser's session.

    The page's key makes a double-clicked Start idempotent; hashing it with a secret kept
    in this browser's session means a key copied into another browser starts a response
    of its own there, and never opens the first visitor's unfinished answers.
    """
    return hashlib.sha256(f"{browser_secret}:{posted_key}".encode()).hexdigest()


def _open_response(
    request: HttpRequest, token: str, *, lock: bool = False
) -> Response | HttpResponse:
    """Return the response behind a resume link, or the page explaining why it is unavailable."""
    target = find_link(token=token, resume_first=True, lock=lock)
    if target is None or target.response is None:
        return _unavailable(request, "unknown")
    reason = link_unavailable_reason(target=target)
    if reason:
        return _unavailable(request, reason, target)
    use_survey_language(request, target.response.survey, invitation=target.invitation)
    return target.response


@never_cache
@limit_survey_link
@require_http_methods(["GET", "POST"])
def respondent_start(request: HttpRequest, token: str) -> HttpResponse:
    """Show the privacy notice and start (or resume) a response."""
    target = find_link(token=token)
    if target is None:
        return _unavailable(request, "unknown")
    if reason := link_unavailable_reason(target=target):
        return _unavailable(request, reason, target)
    if target.response is not None:
        return redirect(_resume_url(target.response))
    invitation = target.invitation
    use_survey_language(request, invitation.survey, invitation=invitation)
    # An organisation link may be opened on a shared boardroom computer: offer to continue
    # this browser's unfinished answers, never open them for the next person unasked.
    remembered = request.session.get(SESSION_KEY, {}).get(str(invitation.public_id))
    found = find_link(token=remembered) if remembered else None
    continue_url = (
        _resume_url(found.response)
        if found and found.response and not link_unavailable_reason(target=found)
        else None
    )
    form = StartForm(posted(request), initial={"start_key": secrets.token_urlsafe(24)})
    browser_secret = request.session.setdefault(
        BROWSER_SECRET_KEY, secrets.token_urlsafe(32)
    )
    if request.method == "POST" and form.is_valid():
        try:
            response = start_response(
                invitation=invitation,
                start_key=browser_start_key(
                    browser_secret, form.cleaned_data["start_key"]
                ),
            )
        except ResponseLockedError:
            return _unavailable(request, "closed", target)
        request.session[SESSION_KEY] = {
            **request.session.get(SESSION_KEY, {}),
            str(invitation.public_id): response.resume_token,
        }
        return redirect(_resume_url(response))
    survey = invitation.survey
    pages = steps_for_new_response(invitation)
    return render(
        request,
        "surveys/respondent/start.html",
        {
            "form": form,
            "survey": survey,
            "invitation": invitation,
            "instrument": survey.instrument,
            "instrument_text": InstrumentText(survey.instrument, get_language()),
            "page_count": len(pages),
            "minutes": minutes_for(pages),
            "continue_url": continue_url,
        },
    )


def _email_resume_link(request: HttpRequest, response: Response, address: str) -> None:
    """Send the resume link to a typed address, within the rate limits; say what happened.

    The address is neither stored nor logged, and never echoed back: the messages name
    no address, because they are kept in the session (a database row).
    """
    ip = client_ip(request)
    wait = wait_seconds(
        request,
        group="resume-email-address",
        key=ip,
        rate=settings.RATELIMIT_RESUME_EMAIL_IP,
    ) or wait_seconds(
        request,
        group="resume-email",
        key=f"{ip} {response.resume_token}",
        rate=settings.RATELIMIT_RESUME_EMAIL,
    )
    if wait:
        minutes = math.ceil(wait / 60)
        messages.error(
            request,
            ngettext(
                "Your answers are saved, but this link has been emailed too many "
                "times. Copy the link below instead, or try again in %(minutes)s minute.",
                "Your answers are saved, but this link has been emailed too many "
                "times. Copy the link below instead, or try again in %(minutes)s "
                "minutes.",
                minutes,
            )
            % {"minutes": minutes},
        )
    elif send_resume_email(response=response, to=address):
        messages.success(
            request,
            _(
                "Your answers are saved and we have emailed you your private link. "
                "It can take a few minutes to arrive."
            ),
        )
    else:
        messages.error(
            request,
            _(
                "Your answers are saved, but the email could not be sent. Copy the "
                "link below instead."
            ),
        )


def _saves_in_one_transaction(request: HttpRequest) -> bool:
    """Return whether this request is a page save run in one transaction (saves_page_at_once).

    Emailing the link is not: its mail is sent from the request, and must neither hold the
    response's lock while a mail server answers nor take the saved answers down with it.
    """
    return request.method == "POST" and "email_link" not in request.POST


def saves_page_at_once(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """Run a page save in one transaction whose first read locks the response (issue 17)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not _saves_in_one_transaction(request):
            return view(request, *args, **kwargs)
        with transaction.atomic():
            return view(request, *args, **kwargs)

    return wrapped


@never_cache
@sensitive_post_parameters("resume_email")
@limit_survey_link
@require_http_methods(["GET", "POST"])
@saves_page_at_once
def respondent_step(request: HttpRequest, token: str, step: str) -> HttpResponse:
    """Show one questionnaire page and save its answers."""
    saving = _saves_in_one_transaction(request)
    response = _open_response(request, token, lock=saving)
    if isinstance(response, HttpResponse):
        return response
    steps = build_steps(response=response)
    found = find_step(steps, step)
    if found is None:
        return _unavailable(request, "unknown")
    position, current = found
    scale = current.text.scale  # the labels in the respondent's language
    emailing = "email_link" in request.POST
    # The language switcher's buttons post this page's answers, so nothing typed is lost.
    switch_to = request.POST.get("language", "")
    switching = switch_to in response.survey.languages
    if switching:
        use_survey_language(request, response.survey, choice=switch_to)
    # A posted page is read from what was posted; only a page shown afresh needs the
    # saved answers (two queries fewer on every page save).
    initial = (
        None
        if request.method == "POST"
        else StepForm.initial_for(response=response, step=current)
    )
    email_form = ResumeEmailForm(request.POST if emailing else None)

    def page_context() -> dict[str, Any]:
        """Return what the page shows besides its form (only a page shown needs it)."""
        return {
            "step": current,
            "survey": response.survey,
            "response": response,
            "position": position + 1,
            "total": len(steps),
            "back_url": (
                _step_url(response, steps[position - 1].slug)
                if position
                else reverse("surveys:respondent_start", kwargs={"token": token})
            ),
            "resume_link": request.build_absolute_uri(
                reverse("surveys:respondent_start", kwargs={"token": token})
            ),
            # A personal link resumes anywhere by itself; a shared one needs the private link.
            "another_device": not response.invitation.is_personal,
            "email_form": email_form,
            # "Not at all" hides the partner's other questions (enhance.js); the server
            # ignores them anyway (save_page), so without JavaScript nothing changes.
            "skip_field": field_name(current.items[0]) if current.subject else "",
            "skip_value": FAMILIARITY_SKIP,
        }

    if initial is not None and not any(v not in (None, "") for v in initial.values()):
        # A blank page already kept needs no form built (blank_pages).
        kept = kept_step(request, page_context(), blank_questions_key(current))
        if kept is not None:
            return kept
    form = StepForm(
        posted(request),
        step=current,
        scale=scale,
        partial="save_and_exit" in request.POST or emailing or switching,
        initial=initial,
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and (not emailing or email_form.is_valid())
    ):
        try:
            save_page(
                response=response,
                step=current,
                answers=form.page_answers(),
                locked=saving,
            )
        except ResponseLockedError:
            return _unavailable(request, "closed")
        if emailing:
            _email_resume_link(
                request, response, email_form.cleaned_data["resume_email"]
            )
            return redirect(f"{request.get_full_path()}#another-device")
        if switching:
            return remember_language(redirect(request.get_full_path()), switch_to)
        if "save_and_exit" in request.POST:
            return redirect("surveys:respondent_saved", token=token)
        if request.GET.get("change") or position + 1 == len(steps):
            return redirect(_check_url(response))
        return redirect(_step_url(response, steps[position + 1].slug))
    page = render_step(request, {**page_context(), "form": form})
    # Switched on a page with a mistake on it: shown again in the new language.
    return remember_language(page, switch_to) if switching else page


@never_cache
@limit_survey_link
@require_http_methods(["GET", "POST"])
def respondent_check(request: HttpRequest, token: str) -> HttpResponse:
    """Show every answer with change links, and submit."""
    response = _open_response(request, token)
    if isinstance(response, HttpResponse):
        return response
    steps = build_steps(response=response)
    # Read once for the digest, the summaries and which pages are complete.
    saved = saved_answers(response=response)
    digest = answers_digest(saved=saved)
    form = SubmitForm(
        posted(request), expected_digest=digest, initial={"digest": digest}
    )
    missing: list[Step] = []
    if request.method == "POST" and form.is_valid():
        try:
            submit_response(response=response, steps=steps)
        except ResponseIncompleteError as exc:
            missing = exc.missing
        except ResponseLockedError:
            return _unavailable(request, "closed")
        else:
            return redirect("surveys:respondent_done", token=token)
    sections = summarise_answers(
        response=response, steps=steps, scale=steps[0].text.scale, saved=saved
    )
    for section in sections:
        section.change_url = _step_url(response, section.slug) + "?change=1"
    return render(
        request,
        "surveys/respondent/check.html",
        {
            "form": form,
            "sections": sections,
            "groups": group_sections(sections),
            "survey": response.survey,
            "missing": missing,
            "incomplete": [s for s in sections if not s.complete],
            "back_url": _step_url(response, steps[-1].slug),
        },
    )


@never_cache
@limit_survey_link
def respondent_saved(request: HttpRequest, token: str) -> HttpResponse:
    """Confirm that answers are saved and show the link to come back with."""
    response = _open_response(request, token)
    if isinstance(response, HttpResponse):
        return response
    return render(
        request,
        "surveys/respondent/saved.html",
        {
            "survey": response.survey,
            "resume_link": request.build_absolute_uri(
                reverse("surveys:respondent_start", kwargs={"token": token})
            ),
            "continue_url": _resume_url(response),
        },
    )


@never_cache
@limit_survey_link
def respondent_done(request: HttpRequest, token: str) -> HttpResponse:
    """Thank the respondent once their answers are submitted."""
    # Check your answers sends the respondent here by their resume link: look there first.
    target = find_link(token=token, resume_first=True)
    if target is None or target.response is None or not target.response.is_submitted:
        return _unavailable(request, "unknown")
    use_survey_language(request, target.invitation.survey, invitation=target.invitation)
    return render(
        request, "surveys/respondent/done.html", {"survey": target.invitation.survey}
    )
