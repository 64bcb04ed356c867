"""Two-factor authentication for local accounts: an authenticator app (TOTP) after the password,
and, when MFA_REQUIRED_FOR_LEADS is on, no management page for a lead until they have one."""

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import reverse

from surveys.models import Membership
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def totp_code(secret: str, *, offset: int = 0) -> str:
    """The code an authenticator app shows now, computed with allauth's own TOTP helper."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))


def sign_in(client, username: str):
    return client.post(reverse("login"), {"login": username, "password": PASSWORD})


def set_up_totp(client) -> str:
    """Set up an authenticator app from the MFA page; return its secret."""
    # Changing how one signs in asks for the password again first.
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("account_reauthenticate"))
    confirm = client.get(page["Location"])
    assert "Confirm your password" in confirm.content.decode()
    page = client.post(page["Location"], {"password": PASSWORD}, follow=True)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Set up an authenticator app" in html
    assert 'class="app-mfa-qr"' in html
    secret = page.context["form"].secret
    done = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert done.status_code == 302, done.content.decode()
    return secret


def test_a_lead_sets_up_an_authenticator_app_and_signs_in_with_its_code(client):
    user = UserFactory(username="priya")
    assert sign_in(client, "priya").status_code == 302
    secret = set_up_totp(client)
    assert Authenticator.objects.filter(
        user=user, type=Authenticator.Type.TOTP
    ).exists()
    client.post(reverse("logout"))

    # The password alone now leads to the code page, not into the service.
    page = sign_in(client, "priya")
    assert page.status_code == 302
    assert page["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    code_page = client.get(page["Location"]).content.decode()
    assert "Enter your security code" in code_page
    assert "govuk-input" in code_page

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session

    right = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert right.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_guessing_codes_is_rate_limited_like_passwords(client, settings):
    settings.RATELIMIT_LOGIN = "3/m"
    UserFactory(username="priya")
    sign_in(client, "priya")
    set_up_totp(client)
    client.post(reverse("logout"))
    sign_in(client, "priya")
    for guess in range(3):
        page = client.post(reverse("mfa_authenticate"), {"code": f"{guess:06d}"})
        assert page.status_code == 200
    assert (
        client.post(reverse("mfa_authenticate"), {"code": "123456"}).status_code == 429
    )


def test_with_mfa_required_a_lead_sets_it_up_before_managing_anything(client, settings):
    settings.MFA_REQUIRED_FOR_LEADS = True
    lead = UserFactory(username="priya")
    MembershipFactory(user=lead, role=Membership.Role.LEAD)
    sign_in(client, "priya")

    listing = reverse("surveys:partnership_list")
    page = client.get(listing)
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("mfa_index"))
    mfa_page = client.get(page["Location"]).content.decode()
    assert "Set up two-factor authentication to manage partnerships" in mfa_page
    assert "Set up an authenticator app" in mfa_page

    set_up_totp(client)
    assert client.get(listing).status_code == 200


def test_mfa_required_leaves_other_roles_and_the_setting_off_alone(client, settings):
    consultant = UserFactory(username="casey")
    MembershipFactory(user=consultant, role=Membership.Role.CONSULTANT)
    lead = UserFactory(username="priya")
    MembershipFactory(user=lead, role=Membership.Role.LEAD)
    listing = reverse("surveys:partnership_list")

    settings.MFA_REQUIRED_FOR_LEADS = False
    sign_in(client, "priya")
    assert client.get(listing).status_code == 200
    client.post(reverse("logout"))

    settings.MFA_REQUIRED_FOR_LEADS = True
    sign_in(client, "casey")
    assert client.get(listing).status_code == 200


def test_the_security_key_page_is_in_the_service_look(client):
    UserFactory(username="priya")
    sign_in(client, "priya")
    page = client.get(reverse("mfa_add_webauthn"))
    page = client.post(page["Location"], {"password": PASSWORD}, follow=True)
    html = page.content.decode()
    assert page.status_code == 200
    assert "govuk-template" in html
    assert "govuk-button" in html
    assert "mfa/js/webauthn.js" in html  # allauth's script, from our own static files
