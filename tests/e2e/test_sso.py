"""Single sign-on and MFA in headless Chromium: a member of staff signs in through their
organisation's OpenID Connect provider (a real one, on loopback), and a lead sets up an
authenticator app."""

import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import Page, expect

from surveys.models import User
from tests import oidc_provider as idp
from tests.e2e.conftest import screenshots
from tests.factories import MembershipFactory, UserFactory
from tests.oidc_provider import (
    CLIENT_ID,
    configure,
    sso_providers_json,
)

# The providers on loopback, as fixtures of this module.
oidc_provider = idp.oidc_provider

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct-horse-battery"


def test_staff_sign_in_through_their_organisations_provider(
    page: Page, live_server, settings, oidc_provider, check_page
):
    configure(
        settings,
        sso_providers_json(
            nhsmail={
                "name": "NHSmail",
                "issuer": oidc_provider.issuer,
                "client_id": CLIENT_ID,
                "client_secret": "s3cret",
                "email_domains": ["nhs.net"],
            }
        ),
    )
    oidc_provider.add_user(
        "nhsmail-asha",
        email="asha.patel@nhs.net",
        email_verified=True,
        name="Asha Patel",
    )

    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign in with NHSmail")).to_be_visible()
    screenshots(page, check_page, "sso-01-sign-in")

    page.get_by_role("button", name="Sign in with NHSmail").click()
    # The provider's own page: who is signing in.
    page.locator("#subject-input").fill("nhsmail-asha")
    page.get_by_role("button", name="Authorize", exact=True).click()

    expect(
        page.get_by_role("heading", name="You do not have any partnerships yet")
    ).to_be_visible()
    assert page.url == live_server.url + "/partnerships/"
    user = User.objects.get(email="asha.patel@nhs.net")
    assert not user.memberships.exists()
    expect(page.locator(".app-header__user")).to_have_text("Asha Patel")


def test_a_lead_sets_up_an_authenticator_app(page: Page, live_server, check_page):
    lead = UserFactory(username="priya")
    MembershipFactory(user=lead)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username or email address").fill("priya")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.goto(live_server.url + "/accounts/2fa/")
    screenshots(page, check_page, "mfa-01-index")
    page.get_by_role("button", name="Set up an authenticator app").click()
    check_page(page, "mfa-01b-confirm-password")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Set up an authenticator app"
    )
    screenshots(page, check_page, "mfa-02-set-up")

    page.get_by_text("I cannot scan the QR code").click()
    secret = page.locator("#authenticator_secret").inner_text().strip()
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    page.get_by_label("Authenticator code").fill(code)
    page.get_by_role("button", name="Turn on the authenticator app").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    expect(page.locator("#recovery_codes li")).to_have_count(10)
    check_page(page, "mfa-03-recovery-codes")
    assert lead.authenticator_set.filter(type="totp").exists()
