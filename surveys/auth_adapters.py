"""django-allauth adapters: nobody signs up with a password; SSO sign-ins follow our policy."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.http import HttpRequest
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from surveys.services.sso import (
    ProviderPolicy,
    decide_sign_in,
    identity_from_claims,
)


class AccountAdapter(DefaultAccountAdapter):
    """Local accounts: made by leads' invitations or an administrator, never self-service."""

    # allauth has no Welsh catalogue: the messages a sign-in can show are worded here,
    # so that ours (locale/cy) translates them.
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "account_inactive": _("This account is currently inactive."),
        "incorrect_password": _("Incorrect password."),
        "enter_current_password": _("Please type your current password."),
        "rate_limited": _("Be patient, you are sending too many requests."),
        "too_many_login_attempts": _(
            "Too many failed login attempts. Try again later."
        ),
        "username_password_mismatch": _(
            "Enter a correct username and password. Both are case-sensitive."
        ),
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Refuse sign-up with a password: a lead adds colleagues to a partnership."""
        return False


class MFAAdapter(DefaultMFAAdapter):
    """Two-factor authentication, its messages worded in our catalogue (see above)."""

    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": _("Incorrect code."),
        "cannot_delete_authenticator": _(
            "You cannot deactivate two-factor authentication."
        ),
        "cannot_generate_recovery_codes": _(
            "You cannot generate recovery codes without having two-factor "
            "authentication enabled."
        ),
    }


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """SSO: any allowed, verified identity gets an account; only leads grant roles."""

    def is_open_for_signup(
        self, request: HttpRequest, sociallogin: SocialLogin
    ) -> bool:
        """An SSO identity that passed pre_social_login gets an account with no role."""
        return True

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        """Refuse, link to an existing account, or let a new account be made."""
        extra = sociallogin.account.extra_data or {}
        identity = identity_from_claims(extra.get("id_token"), extra.get("userinfo"))
        policy = ProviderPolicy.from_app_settings(sociallogin.provider.app.settings)
        decision = decide_sign_in(
            identity, policy, already_linked=sociallogin.is_existing
        )
        if decision.refusal:
            raise ImmediateHttpResponse(
                render(
                    request,
                    "socialaccount/authentication_error.html",
                    {
                        "refusal": decision.refusal.value,
                        "provider_name": sociallogin.provider.name,
                        "email": identity.email,
                    },
                    status=403,
                )
            )
        if decision.link_to is not None:
            sociallogin.connect(request, decision.link_to)
