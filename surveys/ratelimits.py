"""Rate limits on survey links and account forms, counted by django-ratelimit in a shared cache.

Counters live in the "ratelimit" cache (a table of the app's database), so every gunicorn
worker sees the same counts. Rates are settings read on each request, so RATELIMIT_ENABLE and
the limits can change per deployment (and per test).
"""

import ipaddress
import math
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django_ratelimit.core import get_usage

from surveys.selectors import is_known_link

View = Callable[..., HttpResponse]

UNKNOWN_LINK_GROUP = "survey-link-unknown"
SURVEY_LINK_GROUP = "survey-link"
ACCOUNT_ADDRESS_GROUP = "account-form-address"
# An IPv6 visitor usually holds a whole /64: count it as one address.
IPV6_PREFIX = 64


def client_ip(request: HttpRequest) -> str:
    """Return the visitor's address: REMOTE_ADDR, or what the trusted proxies in front saw.

    X-Forwarded-For is read only when TRUSTED_PROXY_COUNT says how many proxies append to it;
    the address the outermost trusted proxy appended is the first one nobody could forge.
    """
    address = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= hops:
            address = forwarded[-hops]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_PREFIX}", strict=False))
    return str(parsed)


def wait_seconds(
    request: HttpRequest, *, group: str, key: str, rate: str, count: bool = True
) -> int | None:
    """Return the seconds to wait if over the limit, else None.

    With `count`, this request is counted first; without, the count is only read, and the
    limit is reached once the count equals it (for counters that count failures afterwards).
    """
    usage = get_usage(
        request,
        group=group,
        key=lambda _group, _request: key,
        rate=rate,
        increment=count,
    )
    if usage is None:
        return None
    over = usage["should_limit"] if count else usage["count"] >= usage["limit"]
    return max(usage["time_left"], 1) if over else None


def too_many_requests(request: HttpRequest, retry_after: int) -> HttpResponse:
    """Return the friendly 429 page, telling the browser when to try again."""
    minutes = math.ceil(retry_after / 60)
    response = render(request, "429.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(retry_after)
    patch_cache_control(response, private=True, no_store=True)
    return response


def limit_survey_link(view: View) -> View:
    """Limit requests per address and link, and stop an address that keeps trying bad links.

    A board answering from one office shares an address but each person has their own resume
    link, so the per-link limit is generous. Guessing links is the real attack: every "not
    found" for a token that was never issued counts against the address, and once it is over
    RATELIMIT_UNKNOWN_LINK every link answers 429 from there, so that valid and invalid
    guesses look the same. A real link that cannot be used yet or any more (a draft round's,
    a replaced one) and a wrong page address of a real link are not guesses, so a board
    opening its link early does not lock its office out.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, token: str, *args, **kwargs) -> HttpResponse:
        address = client_ip(request)
        unknown = {
            "group": UNKNOWN_LINK_GROUP,
            "key": address,
            "rate": settings.RATELIMIT_UNKNOWN_LINK,
        }
        wait = wait_seconds(request, **unknown, count=False) or wait_seconds(
            request,
            group=SURVEY_LINK_GROUP,
            key=f"{address} {token}",
            rate=settings.RATELIMIT_RESPONDENT,
        )
        if wait:
            response = too_many_requests(request, wait)
        else:
            response = view(request, token, *args, **kwargs)
            if response.status_code == 404 and not is_known_link(token=token):
                wait_seconds(request, **unknown)
        # The token is in the address: send only the site's origin as a Referer, never the
        # path. (no-referrer would make browsers post the survey's own forms with
        # "Origin: null", which Django's CSRF check rightly refuses.)
        response["Referrer-Policy"] = "strict-origin"
        return response

    return wrapped


def posted_field(name: str) -> Callable[[HttpRequest], str]:
    """Return a function giving a POSTed field, normalised, as who an account form is about."""
    return lambda request: request.POST.get(name, "").strip().lower()


def session_key(request: HttpRequest) -> str:
    """Return the browser session's key, as whose half-finished sign-in a form is about."""
    return f"session:{request.session.session_key or 'none'}"


def signed_in_user(request: HttpRequest) -> str:
    """Return the signed-in user's key, as who an account form is about."""
    return f"user:{request.user.pk}"


def limit_account_form(
    group: str, subject: Callable[[HttpRequest], str] | None = None
) -> Callable[[View], View]:
    """Limit a sign-in or password form's POSTs per address and per (account, address).

    RATELIMIT_LOGIN_IP counts every account form posted from one address together;
    RATELIMIT_LOGIN counts one form for one account name from one address, so that guessing a
    password is slow without letting anyone lock a colleague out from elsewhere.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method == "POST":
                address = client_ip(request)
                waits = [
                    wait_seconds(
                        request,
                        group=ACCOUNT_ADDRESS_GROUP,
                        key=address,
                        rate=settings.RATELIMIT_LOGIN_IP,
                    )
                ]
                if subject is not None:
                    waits.append(
                        wait_seconds(
                            request,
                            group=group,
                            key=f"{address} {subject(request)}",
                            rate=settings.RATELIMIT_LOGIN,
                        )
                    )
                if any(waits):
                    return too_many_requests(request, max(w for w in waits if w))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
