"""Hostile codes on the two-factor pages: refused in the service's words, nothing switched on,
nobody signed in, never a stack trace."""

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from surveys.forms.accounts import (
    CODE_MAX_LENGTH,
    AuthenticatorSetUpForm,
    SecurityCodeForm,
)
from tests.factories import UserFactory
from tests.security.hostile import (
    assert_no_stack_trace,
    assert_refused,
    control_text,
    examples,
    fingerprint,
    oversized_text,
    post,
    storable_text,
    unstorable_text,
    wrong_type,
)
from tests.surveys.test_mfa import PASSWORD, set_up_totp, sign_in

pytestmark = pytest.mark.django_db

FORMS_DRIVEN = {SecurityCodeForm, AuthenticatorSetUpForm}


def hostile_code() -> st.SearchStrategy[str | bytes]:
    """Anything but the code the app shows now."""
    return st.one_of(
        unstorable_text(),
        control_text(),
        oversized_text(CODE_MAX_LENGTH),
        wrong_type(),
        storable_text(max_size=CODE_MAX_LENGTH),
        st.text(st.sampled_from("0123456789٠١٢٣٤٥٦٧٨٩０１２"), min_size=6, max_size=6),
        st.binary(min_size=1, max_size=20),
    )


@pytest.fixture
def setting_up(db) -> Client:
    """A signed-in user on the page that turns on an authenticator app."""
    UserFactory(username="hostile-mfa")
    client = Client()
    assert sign_in(client, "hostile-mfa").status_code == 302
    page = client.get(reverse("mfa_activate_totp"))
    client.post(page["Location"], {"password": PASSWORD})  # confirm the password
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    return client


@pytest.fixture
def second_step(db) -> Client:
    """A user with an authenticator app, past the password, asked for the code."""
    UserFactory(username="hostile-code")
    client = Client()
    sign_in(client, "hostile-code")
    set_up_totp(client)
    client.post(reverse("logout"))
    assert sign_in(client, "hostile-code")["Location"] == reverse("mfa_authenticate")
    return client


@examples(15)
@given(code=hostile_code())
def test_a_hostile_code_never_turns_on_an_authenticator_app(setting_up, code):
    before, apps = fingerprint(), Authenticator.objects.count()
    page = post(setting_up, reverse("mfa_activate_totp"), [("code", code)])
    assert_no_stack_trace(page)
    assert_refused(page, before)
    assert Authenticator.objects.count() == apps


@examples(15)
@given(code=hostile_code())
def test_a_hostile_code_never_signs_anyone_in(second_step, code):
    before = fingerprint()
    page = post(second_step, reverse("mfa_authenticate"), [("code", code)])
    assert_no_stack_trace(page)
    assert_refused(page, before)
    assert "_auth_user_id" not in second_step.session
