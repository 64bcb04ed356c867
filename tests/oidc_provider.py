"""A real OpenID Connect provider on loopback (oidc-provider-mock), for single sign-on tests.

Each test gets a provider on a free port, configured in SSO_PROVIDERS' shape as the
deployment would be. `relabel_client` puts a proxy in front that asks the provider for
tokens on behalf of another client id, so that the ID token it signs is meant for another
service (the wrong audience).
"""

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from urllib.parse import parse_qs, urlencode, urlsplit

import oidc_provider_mock
import pytest
import requests
import werkzeug.serving

from collab_survey.sso import parse_providers, sign_in_origins

CLIENT_ID = "collab-survey"


@dataclass
class Provider:
    """A running provider: where it is, and how to say who signs in next."""

    issuer: str

    def add_user(self, sub: str, **claims: object) -> None:
        """Store a user whose claims the provider will hand over when they sign in."""
        requests.put(
            f"{self.issuer}/users/{sub}", json=claims, timeout=5
        ).raise_for_status()

    def approve(self, authorize_url: str, sub: str) -> str:
        """Sign in as `sub` at the provider's authorisation page; return the callback URL."""
        response = requests.post(
            authorize_url, data={"sub": sub}, allow_redirects=False, timeout=5
        )
        assert response.status_code == 302, response.text
        return response.headers["Location"]


def relabelled(app, client_id: str):
    """Wrap the provider so that every request speaks for `client_id` instead."""

    def wrapped(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/oauth2/authorize":
            query = parse_qs(environ.get("QUERY_STRING", ""))
            query["client_id"] = [client_id]
            environ["QUERY_STRING"] = urlencode(query, doseq=True)
        if path == "/oauth2/token":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            form = parse_qs(environ["wsgi.input"].read(length).decode())
            form["client_id"] = [client_id]
            body = urlencode(form, doseq=True).encode()
            environ["wsgi.input"] = BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            if environ.get("HTTP_AUTHORIZATION", "").startswith("Basic "):
                secret = base64.b64decode(environ["HTTP_AUTHORIZATION"][6:]).decode()
                secret = secret.partition(":")[2]
                token = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
                environ["HTTP_AUTHORIZATION"] = f"Basic {token}"
        return app(environ, start_response)

    return wrapped


@contextmanager
def serve(app) -> Iterator[str]:
    """Serve a WSGI app on a free loopback port in a thread; yield its address."""
    server = werkzeug.serving.make_server("localhost", 0, app, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}
    )
    thread.start()
    try:
        yield f"http://localhost:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


def sso_providers_json(**entries: dict) -> str:
    """Return SSO_PROVIDERS as a deployment would set it."""
    return json.dumps([{"id": key, **value} for key, value in entries.items()])


def configure(settings, raw: str) -> None:
    """Point the app at these providers, as settings.py does from SSO_PROVIDERS."""
    providers = parse_providers(raw)
    settings.SSO_PROVIDERS = providers
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [p.as_allauth_app() for p in providers],
        }
    }
    settings.SECURE_CSP = {
        **settings.SECURE_CSP,
        "form-action": ["'self'", *sign_in_origins(providers)],
    }


@pytest.fixture
def oidc_provider() -> Iterator[Provider]:
    """A real OpenID Connect provider, on loopback."""
    with serve(oidc_provider_mock.app()) as url:
        yield Provider(issuer=url)


@pytest.fixture
def wrong_audience_provider() -> Iterator[Provider]:
    """A real provider whose tokens are all issued to another service's client id."""
    app = relabelled(oidc_provider_mock.app(), "another-service")
    with serve(app) as url:
        yield Provider(issuer=url)


def path_of(url: str) -> str:
    """Return a URL's path and query, for Django's test client."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path
