"""Single sign-on: a real OpenID Connect provider on loopback signs staff in, on our terms.

SSO proves who someone is; only a lead's membership grants a role. An identity is matched to
an existing account only by a verified address in a domain its provider is trusted for, and
every failure ends on a clear page, never a 500.
"""

import pytest
from allauth.socialaccount.internal import statekit
from allauth.socialaccount.models import SocialAccount
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from collab_survey.sso import parse_providers
from surveys.models import Membership, User
from tests import oidc_provider as idp
from tests.factories import MembershipFactory, UserFactory
from tests.oidc_provider import (
    CLIENT_ID,
    configure,
    path_of,
    sso_providers_json,
)

# The providers on loopback, as fixtures of this module.
oidc_provider = idp.oidc_provider
wrong_audience_provider = idp.wrong_audience_provider

pytestmark = pytest.mark.django_db


def use_provider(settings, issuer: str, **options) -> None:
    """Configure one provider, "nhsmail", trusted for nhs.net unless options say otherwise."""
    entry = {
        "name": "NHSmail",
        "issuer": issuer,
        "client_id": CLIENT_ID,
        "client_secret": "s3cret",
        "email_domains": ["nhs.net"],
        **options,
    }
    configure(settings, sso_providers_json(nhsmail=entry))


def sso_sign_in(client, provider, sub: str, *, tamper=None):
    """Press "Sign in with NHSmail", sign in at the provider, come back; return the page."""
    start = client.post(reverse("openid_connect_login", args=["nhsmail"]))
    assert start.status_code == 302, start.content
    assert start["Location"].startswith(provider.issuer)
    callback = provider.approve(start["Location"], sub)
    if tamper:
        callback = tamper(callback)
    return client.get(path_of(callback))


def signed_in_user(client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def assert_clear_refusal(page, heading: str, status: int = 401) -> None:
    html = page.content.decode()
    assert page.status_code == status
    assert f'<h1 class="govuk-heading-l">{heading}</h1>' in html
    assert "govuk-template" in html  # our layout, not allauth's plain page
    assert "Traceback" not in html
    assert "Back to sign in" in html


def test_the_sign_in_page_offers_each_configured_provider(client, settings):
    configure(
        settings,
        sso_providers_json(
            nhsmail={
                "name": "NHSmail",
                "issuer": "https://login.example.org/t1/v2.0",
                "client_id": "a",
                "client_secret": "b",
                "email_domains": ["nhs.net"],
            },
            northshire={
                "name": "Northshire Council",
                "issuer": "https://accounts.example.org",
                "client_id": "c",
                "client_secret": "d",
            },
        ),
    )
    html = client.get(reverse("login")).content.decode()
    assert "Sign in with NHSmail" in html
    assert "Sign in with Northshire Council" in html
    assert 'name="login"' in html  # local accounts keep their password form


def test_a_new_sso_user_gets_an_account_with_no_partnership(
    client, settings, oidc_provider
):
    use_provider(settings, oidc_provider.issuer)
    oidc_provider.add_user(
        "entra-123", email="Asha.Patel@nhs.net", email_verified=True, name="Asha Patel"
    )
    page = sso_sign_in(client, oidc_provider, "entra-123")

    assert page.status_code == 302
    assert page["Location"] == reverse("surveys:partnership_list")
    user = signed_in_user(client)
    assert user is not None
    assert user.email == "asha.patel@nhs.net"
    assert not user.has_usable_password()
    assert not Membership.objects.filter(user=user).exists()
    listing = client.get(page["Location"]).content.decode()
    assert "You do not have any partnerships yet" in listing

    # Signing in again is the same account, not a second one.
    client.logout()
    sso_sign_in(client, oidc_provider, "entra-123")
    assert signed_in_user(client) == user
    assert User.objects.filter(email__iexact="asha.patel@nhs.net").count() == 1


def test_an_sso_user_sees_only_partnerships_a_lead_added_them_to(
    client, settings, oidc_provider
):
    use_provider(settings, oidc_provider.issuer)
    elsewhere = MembershipFactory()  # someone else's partnership
    oidc_provider.add_user("sub-1", email="jo@nhs.net", email_verified=True)
    sso_sign_in(client, oidc_provider, "sub-1")
    detail = reverse(
        "surveys:partnership_detail", args=[elsewhere.partnership.public_id]
    )
    assert client.get(detail).status_code == 404


def test_a_verified_address_in_a_trusted_domain_signs_in_to_the_existing_account(
    client, settings, oidc_provider
):
    use_provider(settings, oidc_provider.issuer)
    lead = UserFactory(username="sam", email="Sam.Okafor@nhs.net")
    membership = MembershipFactory(user=lead, role=Membership.Role.LEAD)
    oidc_provider.add_user("sub-sam", email="sam.okafor@nhs.net", email_verified=True)
    accounts = User.objects.count()

    sso_sign_in(client, oidc_provider, "sub-sam")

    assert signed_in_user(client) == lead
    assert SocialAccount.objects.get(uid="sub-sam").user == lead
    assert list(lead.memberships.all()) == [membership]  # the role stays ours
    assert User.objects.count() == accounts  # no second account


def test_an_unverified_address_never_opens_an_existing_account(
    client, settings, oidc_provider
):
    use_provider(settings, oidc_provider.issuer)
    UserFactory(username="sam", email="sam.okafor@nhs.net")
    oidc_provider.add_user("attacker", email="sam.okafor@nhs.net", email_verified=False)

    page = sso_sign_in(client, oidc_provider, "attacker")

    assert_clear_refusal(page, "You cannot sign in with this account", status=403)
    assert "did not confirm" in page.content.decode()
    assert signed_in_user(client) is None
    assert not SocialAccount.objects.exists()
    assert User.objects.filter(email__iexact="sam.okafor@nhs.net").count() == 1


def test_a_provider_not_trusted_for_the_domain_never_opens_an_existing_account(
    client, settings, oidc_provider
):
    use_provider(
        settings, oidc_provider.issuer, email_domains=[]
    )  # any domain, none trusted
    UserFactory(username="sam", email="sam.okafor@nhs.net")
    oidc_provider.add_user("other", email="sam.okafor@nhs.net", email_verified=True)

    page = sso_sign_in(client, oidc_provider, "other")

    assert_clear_refusal(page, "You cannot sign in with this account", status=403)
    assert "already exists" in page.content.decode()
    assert signed_in_user(client) is None
    assert not SocialAccount.objects.exists()


def test_a_disallowed_email_domain_is_refused(client, settings, oidc_provider):
    use_provider(settings, oidc_provider.issuer)
    oidc_provider.add_user("sub-2", email="jo@gmail.com", email_verified=True)

    page = sso_sign_in(client, oidc_provider, "sub-2")

    assert_clear_refusal(page, "Your email address cannot sign in here", status=403)
    assert "jo@gmail.com" in page.content.decode()
    assert signed_in_user(client) is None
    assert not User.objects.filter(email="jo@gmail.com").exists()


def test_an_id_token_meant_for_another_service_is_refused(
    client, settings, wrong_audience_provider
):
    use_provider(settings, wrong_audience_provider.issuer)
    wrong_audience_provider.add_user("sub-3", email="jo@nhs.net", email_verified=True)

    page = sso_sign_in(client, wrong_audience_provider, "sub-3")

    assert_clear_refusal(page, "Sign-in did not work")
    assert signed_in_user(client) is None
    assert not User.objects.filter(email="jo@nhs.net").exists()


def test_a_tampered_state_is_refused(client, settings, oidc_provider):
    use_provider(settings, oidc_provider.issuer)
    oidc_provider.add_user("sub-4", email="jo@nhs.net", email_verified=True)

    page = sso_sign_in(
        client,
        oidc_provider,
        "sub-4",
        tamper=lambda url: url.replace("state=", "state=forged"),
    )

    assert_clear_refusal(page, "Sign-in did not work")
    assert signed_in_user(client) is None


def test_an_expired_state_is_refused(client, settings, oidc_provider, monkeypatch):
    use_provider(settings, oidc_provider.issuer)
    oidc_provider.add_user("sub-5", email="jo@nhs.net", email_verified=True)
    monkeypatch.setattr(statekit, "STATE_TTL", -1)  # every sign-in has taken too long

    page = sso_sign_in(client, oidc_provider, "sub-5")

    assert_clear_refusal(page, "Sign-in did not work")
    assert signed_in_user(client) is None


def test_a_callback_from_another_browser_is_refused(client, settings, oidc_provider):
    """A code and state carried to a browser that never started this sign-in."""
    use_provider(settings, oidc_provider.issuer)
    oidc_provider.add_user("sub-6", email="jo@nhs.net", email_verified=True)
    start = client.post(reverse("openid_connect_login", args=["nhsmail"]))
    callback = oidc_provider.approve(start["Location"], "sub-6")
    client.cookies.clear()

    page = client.get(path_of(callback))

    assert_clear_refusal(page, "Sign-in did not work")
    assert signed_in_user(client) is None


def test_local_accounts_still_sign_in_with_a_password(client, settings, oidc_provider):
    use_provider(settings, oidc_provider.issuer)
    UserFactory(username="priya")
    page = client.post(
        reverse("login"), {"login": "priya", "password": "correct-horse-battery"}
    )
    assert page.status_code == 302
    assert signed_in_user(client).username == "priya"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"id": "x"}', "JSON list"),
        (
            '[{"id": "nhsmail", "name": "N", "issuer": "https://a", "client_id": "c"}]',
            '"client_secret" must be',
        ),
        (
            '[{"id": "Bad Id", "name": "N", "issuer": "https://a", "client_id": "c", "client_secret": "s"}]',
            '"id" is lower-case',
        ),
        (
            '[{"id": "n", "name": "N", "issuer": "http://idp.example.org", "client_id": "c", "client_secret": "s"}]',
            "https://",
        ),
        (
            '[{"id": "n", "name": "N", "issuer": "https://a", "client_id": "c", "client_secret": "s", "email_domains": ["not a domain"]}]',
            "not an email domain",
        ),
        (
            '[{"id": "n", "name": "N", "issuer": "https://a", "client_id": "c", "client_secret": "s", "trust_email": true}]',
            '"trust_email" needs',
        ),
        (
            '[{"id": "n", "name": "N", "issuer": "https://a", "client_id": "c", "client_secret": "s", "tenant": "x"}]',
            "unknown keys",
        ),
    ],
)
def test_a_malformed_provider_list_stops_the_app_with_a_clear_message(raw, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        parse_providers(raw)


def test_a_lead_signed_in_by_sso_is_not_asked_for_our_mfa(
    client, settings, oidc_provider
):
    """Their organisation's sign-in applies its own MFA; a password sign-in would not."""
    settings.MFA_REQUIRED_FOR_LEADS = True
    use_provider(settings, oidc_provider.issuer)
    lead = UserFactory(username="sam", email="sam.okafor@nhs.net")
    MembershipFactory(user=lead, role=Membership.Role.LEAD)
    oidc_provider.add_user("sub-lead", email="sam.okafor@nhs.net", email_verified=True)

    sso_sign_in(client, oidc_provider, "sub-lead")
    assert client.get(reverse("surveys:partnership_list")).status_code == 200

    client.logout()
    client.post(reverse("login"), {"login": "sam", "password": "correct-horse-battery"})
    page = client.get(reverse("surveys:partnership_list"))
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("mfa_index"))


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/email/",
        "/accounts/password/reset/",
        "/accounts/password/change/",
        "/accounts/password/set/",
        "/accounts/login/code/confirm/",
        "/accounts/3rdparty/",
    ],
)
def test_allauth_self_service_pages_we_do_not_offer_answer_404(client, path):
    client.force_login(UserFactory())
    assert client.get(path).status_code == 404


def test_nobody_signs_up_with_a_password(client):
    page = client.get("/accounts/signup/")
    assert "govuk-template" in page.content.decode()
    client.post(
        "/accounts/signup/",
        {
            "username": "new",
            "password1": "a-long-pass-2026",
            "password2": "a-long-pass-2026",
        },
    )
    assert not User.objects.filter(username="new").exists()
