"""Middleware: every page is private unless a view says otherwise."""

from collections.abc import Callable

from allauth.account.authentication import get_authentication_records
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control

from surveys.languages import ENGLISH, is_english_only
from surveys.models import Membership


def private_by_default(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Mark responses without their own caching rules `private, no-store`.

    Pages show survey links, answers and results: no browser or proxy may keep a copy.
    Static files are served by whitenoise before this runs, so they stay cacheable.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response

    return middleware


class MfaRequiredForLeads:
    """With MFA_REQUIRED_FOR_LEADS, send a lead without MFA to set it up first.

    Applies to management pages (the surveys and reports apps, not the respondent's survey)
    for a lead who signed in with a password: staff who sign in through their organisation's
    single sign-on meet its own MFA policy there. Account and MFA pages stay reachable, so
    the lead can set up an authenticator app or a security key, or sign out.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        """Redirect to the MFA page when this request needs MFA and the lead has none."""
        if not settings.MFA_REQUIRED_FOR_LEADS:
            return None
        match = request.resolver_match
        namespaces = set(match.namespaces) if match else set()
        if not namespaces & {"surveys", "reports"} or (match.url_name or "").startswith(
            "respondent_"
        ):
            return None
        # Only now: reading the user loads the session, a query no survey page needs.
        if not request.user.is_authenticated:
            return None
        if not needs_mfa_setup(request):
            return None
        messages.warning(
            request,
            "Set up two-factor authentication to manage partnerships: an authenticator "
            "app or a security key.",
        )
        return redirect_to_login(request.get_full_path(), reverse("mfa_index"))


def needs_mfa_setup(request: HttpRequest) -> bool:
    """Return whether this signed-in user is a lead who signed in with a password, no MFA."""
    user = request.user
    records = get_authentication_records(request, user)
    if any(record.get("method") == "socialaccount" for record in records):
        return False
    return Membership.objects.filter(
        user=user, role=Membership.Role.LEAD, accepted_at__isnull=False
    ).exists() and not is_mfa_enabled(user, types=["totp", "webauthn"])


def english_only_pages(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Show pages that have no Welsh text in English, whatever the browser asks for.

    Runs after LocaleMiddleware, which picked the browser's language; the respondent
    journey, the account pages and the error pages keep it (surveys.languages).
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        # request.LANGUAGE_CODE keeps the browser's choice, for what this page sends in
        # the reader's language (a team invitation goes in the inviting lead's).
        if is_english_only(request.path_info):
            translation.activate(ENGLISH)
        return get_response(request)

    return middleware
