"""Single sign-on identity providers, read from the SSO_PROVIDERS environment variable.

SSO_PROVIDERS is a JSON list; each entry names one OpenID Connect identity provider:

    [{"id": "nhsmail", "name": "NHSmail", "issuer": "https://login.microsoftonline.com/<tenant>/v2.0",
      "client_id": "...", "client_secret": "...", "email_domains": ["nhs.net"]}]

This module only parses and checks: it imports no models, so that settings.py can use it.
"""

import json
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

PROVIDER_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
DOMAIN = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}")
KEYS = {
    "id",
    "name",
    "issuer",
    "client_id",
    "client_secret",
    "email_domains",
    "trust_email",
}


@dataclass(frozen=True)
class IdentityProvider:
    """One OpenID Connect identity provider staff may sign in with."""

    id: str
    name: str
    issuer: str
    client_id: str
    client_secret: str
    # Only these email domains may sign in through it; an existing account is matched by
    # email only within them. Empty: any domain may sign in, and no account is ever matched.
    email_domains: tuple[str, ...]
    # The provider vouches for every address in email_domains even without an
    # email_verified claim (a single-tenant Entra ID that owns those domains).
    trust_email: bool

    def as_allauth_app(self) -> dict:
        """Return this provider as an allauth openid_connect APPS entry."""
        return {
            "provider_id": self.id,
            "name": self.name,
            "client_id": self.client_id,
            "secret": self.client_secret,
            "settings": {
                "server_url": self.issuer,
                "email_domains": list(self.email_domains),
                "trust_email": self.trust_email,
            },
        }


def _fail(index: int, message: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"SSO_PROVIDERS[{index}]: {message}")


def _provider(index: int, entry: object) -> IdentityProvider:
    if not isinstance(entry, dict):
        raise _fail(index, "each provider is a JSON object")
    unknown = set(entry) - KEYS
    if unknown:
        raise _fail(index, f"unknown keys {sorted(unknown)}; allowed {sorted(KEYS)}")
    for key in ("id", "name", "issuer", "client_id", "client_secret"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise _fail(index, f'"{key}" must be a non-empty string')
    if not PROVIDER_ID.fullmatch(entry["id"]):
        raise _fail(
            index, '"id" is lower-case letters, digits and hyphens, like "nhsmail"'
        )
    issuer = entry["issuer"].rstrip("/")
    if not re.match(r"https://|http://(localhost|127\.0\.0\.1)[:/]", issuer + "/"):
        raise _fail(index, '"issuer" must be an https:// address')
    domains = entry.get("email_domains", [])
    if not isinstance(domains, list) or not all(isinstance(d, str) for d in domains):
        raise _fail(index, '"email_domains" is a list of domains, like ["nhs.net"]')
    domains = [d.strip().lower().lstrip("@") for d in domains]
    for domain in domains:
        if not DOMAIN.fullmatch(domain):
            raise _fail(index, f"{domain!r} is not an email domain, like nhs.net")
    trust_email = entry.get("trust_email", False)
    if not isinstance(trust_email, bool):
        raise _fail(index, '"trust_email" is true or false')
    if trust_email and not domains:
        raise _fail(index, '"trust_email" needs "email_domains" to say which domains')
    return IdentityProvider(
        id=entry["id"],
        name=entry["name"].strip(),
        issuer=issuer,
        client_id=entry["client_id"].strip(),
        client_secret=entry["client_secret"],
        email_domains=tuple(domains),
        trust_email=trust_email,
    )


def parse_providers(raw: str) -> list[IdentityProvider]:
    """Parse SSO_PROVIDERS, refusing anything malformed with a message naming the entry."""
    if not raw.strip():
        return []
    try:
        entries = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ImproperlyConfigured(
            f"SSO_PROVIDERS is not valid JSON: {error}"
        ) from None
    if not isinstance(entries, list):
        raise ImproperlyConfigured("SSO_PROVIDERS is a JSON list of providers")
    providers = [_provider(i, entry) for i, entry in enumerate(entries)]
    ids = [p.id for p in providers]
    if len(set(ids)) != len(ids):
        raise ImproperlyConfigured(f"SSO_PROVIDERS: provider ids repeat: {ids}")
    return providers


def sign_in_origins(providers: list[IdentityProvider]) -> list[str]:
    """Return the providers' origins, which the sign-in form's redirect may go to (CSP)."""
    origins = []
    for provider in providers:
        parts = urlsplit(provider.issuer)
        origins.append(f"{parts.scheme}://{parts.netloc}")
    return sorted(set(origins))
