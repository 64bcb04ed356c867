"""django-allauth adapters: nobody signs up with a password; SSO sign-ins follow our policy."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.http import HttpRequest
from django.shortcuts import render

from surveys.services.sso import (
    ProviderPolicy,
    decide_sign_in,
    identity_from_claims,
)


class AccountAdapter(DefaultAccountAdapter):
    """Local accounts: made by leads' invitations or an administrator, never self-service."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "username_password_mismatch": "Enter a correct username and password. Both are case-sensitive.",
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Refuse sign-up with a password: a lead adds colleagues to a partnership."""
        return False


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
