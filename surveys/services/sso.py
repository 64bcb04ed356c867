"""Single sign-on policy: which identities may sign in, and which local account each one is.

SSO proves who someone is; what they may see comes only from partnership memberships, which
a lead grants. A new SSO identity is matched to an existing account by email only when its
provider is trusted for that email's domain and says the address is verified: an address
anyone can type into their own identity provider must never open someone else's account.
"""

from dataclasses import dataclass
from enum import StrEnum

from allauth.core.internal.datakit import parse_bool_safely

from surveys.models import User


class Refusal(StrEnum):
    """Why an SSO sign-in was refused; each has its own message page."""

    NO_EMAIL = "no_email"
    DOMAIN_NOT_ALLOWED = "domain_not_allowed"
    EMAIL_NOT_VERIFIED = "email_not_verified"
    ACCOUNT_EXISTS = "account_exists"


@dataclass(frozen=True)
class ProviderPolicy:
    """What one identity provider is trusted with (its SSO_PROVIDERS entry)."""

    email_domains: tuple[str, ...]
    trust_email: bool

    @classmethod
    def from_app_settings(cls, app_settings: dict) -> "ProviderPolicy":
        """Read the policy from the allauth app's settings (collab_survey/sso.py)."""
        return cls(
            email_domains=tuple(app_settings.get("email_domains", ())),
            trust_email=bool(app_settings.get("trust_email", False)),
        )

    def allows(self, email: str) -> bool:
        """Return whether this provider may sign in someone with this address."""
        return not self.email_domains or domain_of(email) in self.email_domains

    def is_trusted_for(self, email: str) -> bool:
        """Return whether this provider speaks for this address's domain."""
        return bool(self.email_domains) and domain_of(email) in self.email_domains


@dataclass(frozen=True)
class Identity:
    """What the identity provider said about who signed in."""

    email: str
    email_verified: bool


@dataclass(frozen=True)
class Decision:
    """Sign in as a new account, as an existing one (`link_to`), or not at all."""

    refusal: Refusal | None = None
    link_to: User | None = None


def domain_of(email: str) -> str:
    """Return an address's domain, lower-cased."""
    return email.rpartition("@")[2].strip().lower()


def identity_from_claims(*claim_sets: dict) -> Identity:
    """Read the email and whether it is verified from the ID token and userinfo claims.

    `email_verified` is the standard claim; Entra ID says the same with `xms_edov` (email
    domain owner verified), an optional claim the tenant can add.
    """
    claims: dict = {}
    for claim_set in claim_sets:
        claims.update({k: v for k, v in (claim_set or {}).items() if v is not None})
    email = str(claims.get("email") or "").strip().lower()
    verified = parse_bool_safely(claims.get("email_verified")) or parse_bool_safely(
        claims.get("xms_edov")
    )
    return Identity(email=email, email_verified=bool(verified))


def decide_sign_in(
    identity: Identity, policy: ProviderPolicy, *, already_linked: bool
) -> Decision:
    """Decide what an SSO sign-in may do, by the provider's policy and our accounts."""
    if not identity.email or "@" not in identity.email:
        return Decision(refusal=Refusal.NO_EMAIL)
    if not policy.allows(identity.email):
        return Decision(refusal=Refusal.DOMAIN_NOT_ALLOWED)
    if already_linked:
        return Decision()
    verified = identity.email_verified or (
        policy.trust_email and policy.is_trusted_for(identity.email)
    )
    if not verified:
        return Decision(refusal=Refusal.EMAIL_NOT_VERIFIED)
    existing = list(User.objects.filter(email__iexact=identity.email)[:2])
    if not existing:
        return Decision()
    if len(existing) == 1 and policy.is_trusted_for(identity.email):
        return Decision(link_to=existing[0])
    return Decision(refusal=Refusal.ACCOUNT_EXISTS)
