"""Security headers, the content security policy and cookies, as production sends them."""

import json
import re
import secrets

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import MembershipFactory, UserFactory
from tests.settings.test_deploy import PRODUCTION_ENV, manage

pytestmark = pytest.mark.django_db


def csp(response) -> dict[str, list[str]]:
    """Parse a Content-Security-Policy header into {directive: [sources]}."""
    policy = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        policy[name] = sources
    return policy


@pytest.fixture
def pages(client, survey_setup):
    """A respondent page and a lead's page, fetched over HTTPS."""
    respondent = client.get(f"/s/{survey_setup.org_link.token}/", secure=True)
    lead = MembershipFactory(
        partnership=survey_setup.survey.partnership, role="lead"
    ).user
    client.force_login(lead)
    manager = client.get(survey_setup.survey.get_absolute_url(), secure=True)
    assert respondent.status_code == manager.status_code == 200
    return {"respondent": respondent, "manager": manager}


@pytest.mark.parametrize("kind", ["respondent", "manager"])
def test_every_page_sends_the_hardening_headers(pages, kind):
    page = pages[kind]
    assert page["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )
    assert page["X-Content-Type-Options"] == "nosniff"
    assert page["X-Frame-Options"] == "DENY"
    assert page["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "no-store" in page["Cache-Control"]
    assert "private" in page["Cache-Control"]


def test_respondent_pages_never_send_their_link_as_a_referer(pages):
    """Only the site's origin goes out, never the path that holds the token."""
    assert pages["respondent"]["Referrer-Policy"] == "strict-origin"
    assert pages["manager"]["Referrer-Policy"] == "same-origin"


def test_the_survey_forms_pass_the_csrf_origin_check(survey_setup):
    """Browsers send a real Origin under strict-origin (under no-referrer it is "null")."""
    browser = Client(enforce_csrf_checks=True)
    url = f"/s/{survey_setup.org_link.token}/"
    form = browser.get(url).content.decode()
    data = {
        name: re.search(rf'name="{name}" value="([^"]+)"', form).group(1)
        for name in ("csrfmiddlewaretoken", "start_key")
    }
    assert browser.post(url, data, HTTP_ORIGIN="null").status_code == 403
    assert browser.post(url, data, HTTP_ORIGIN="http://testserver").status_code == 302


@pytest.mark.parametrize("kind", ["respondent", "manager"])
def test_the_content_security_policy_allows_no_injected_script(pages, kind):
    policy = csp(pages[kind])
    assert policy["default-src"] == ["'self'"]
    scripts = policy["script-src"]
    assert "'self'" in scripts
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:"} & set(scripts)
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] in (["'self'"], ["'none'"])
    assert policy["form-action"] == ["'self'"]


@pytest.mark.parametrize("kind", ["respondent", "manager"])
def test_pages_have_no_inline_script_the_policy_would_need(pages, kind):
    """Scripts are files; data travels in json_script blocks, which browsers never run."""
    html = pages[kind].content.decode()
    policy = csp(pages[kind])["script-src"]
    nonces = {s[7:-1] for s in policy if s.startswith("'nonce-")}
    tags = re.findall(r"<script\b[^>]*>", html)
    assert tags
    for tag in tags:
        data = 'type="application/json"' in tag
        nonce = re.search(r'nonce="([^"]+)"', tag)
        assert "src=" in tag or data or (nonce and nonce.group(1) in nonces), tag


def test_cookies_are_secure_httponly_and_same_site_in_production(client, settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    user = UserFactory()
    form = client.get(reverse("login"), secure=True)
    csrf = form.cookies["csrftoken"]
    assert csrf["secure"]
    assert csrf["samesite"] == "Lax"
    signed_in = client.post(
        reverse("login"),
        {"login": user.username, "password": "correct-horse-battery"},
        secure=True,
    )
    session = signed_in.cookies["sessionid"]
    assert session["secure"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"


def test_production_settings_turn_on_every_https_protection():
    code = (
        "import json; from django.conf import settings as s; print(json.dumps(["
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,"
        "s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_SAMESITE, s.SECURE_SSL_REDIRECT,"
        "s.SECURE_HSTS_SECONDS, s.SECURE_CONTENT_TYPE_NOSNIFF, s.X_FRAME_OPTIONS,"
        "s.SECURE_CROSS_ORIGIN_OPENER_POLICY, s.DEBUG, s.RATELIMIT_ENABLE]))"
    )
    result = manage(
        "shell",
        "-c",
        code,
        env={**PRODUCTION_ENV, "DJANGO_SECRET_KEY": secrets.token_urlsafe(50)},
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [
        True,
        True,
        True,
        "Lax",
        "Lax",
        True,
        31536000,
        True,
        "DENY",
        "same-origin",
        False,
        True,
    ]
