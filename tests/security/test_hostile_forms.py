"""Every form, found by walking surveys.forms, refuses text it cannot store and says why.

A new form fails test_every_form_is_covered until it is given a builder here and is driven
through its view in one of the other test_hostile_* modules.
"""

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from functools import cached_property
from typing import Any

import pytest
from django import forms
from django.test import RequestFactory
from hypothesis import given
from hypothesis import strategies as st

import surveys.forms
from surveys.forms.accounts import (
    AuthenticatorSetUpForm,
    PasswordChangeForm,
    PasswordResetRequestForm,
    SecurityCodeForm,
    SetPasswordForm,
    SignInForm,
)
from surveys.forms.eligibility import EligibleForm
from surveys.forms.focus_areas import FocusAreaForm
from surveys.forms.invitations import (
    InvitationImportForm,
    InviteeEmailForm,
    InviteeLanguageForm,
    InviteeMessageForm,
    InviteeSearchForm,
)
from surveys.forms.partnerships import (
    ExistingOrganisationForm,
    MemberInviteForm,
    MemberRoleForm,
    OrganisationForm,
    PartnershipForm,
    RoundForm,
)
from surveys.forms.respondent import ResumeEmailForm, StartForm, StepForm, SubmitForm
from surveys.forms.rounds import RoundDatesForm
from surveys.forms.text import UNSTORABLE, StorableTextMixin, validate_storable
from surveys.journey import Step, build_steps
from surveys.models import Block, Organisation, Survey, User
from surveys.tracking import InviteeStatus
from tests.factories import OrganisationFactory, ResponseFactory, UserFactory
from tests.security import (
    test_hostile_csv_import,
    test_hostile_management,
    test_hostile_mfa,
    test_hostile_respondent,
)
from tests.security.hostile import (
    DJANGO_DEFAULTS,
    examples,
    oversized_text,
    storable_text,
    unstorable_text,
    wrong_type,
)

pytestmark = pytest.mark.django_db


def all_form_classes() -> set[type[forms.BaseForm]]:
    """Return every form class defined in a module of the surveys.forms package."""
    found = set()
    for module_info in pkgutil.iter_modules(surveys.forms.__path__):
        module = importlib.import_module(f"surveys.forms.{module_info.name}")
        for _name, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, forms.BaseForm) and obj.__module__ == module.__name__:
                found.add(obj)
    return found


class Context:
    """What the forms need, made on first use: only two forms need the questionnaire."""

    def __init__(self, request: pytest.FixtureRequest) -> None:
        self._request = request

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text("Context(…)")

    @cached_property
    def survey(self) -> Survey:
        return self._request.getfixturevalue("survey_setup").survey

    @cached_property
    def user(self) -> User:
        return UserFactory()

    @cached_property
    def organisations(self) -> list[Organisation]:
        return [OrganisationFactory(name="Northshire Hospitals", short_name="NH")]

    @cached_property
    def section_step(self) -> Step:
        response = ResponseFactory(
            invitation=self.survey.invitations.first(), survey=self.survey
        )
        steps = build_steps(response=response)
        return next(s for s in steps if s.block == Block.SELF)


Builder = Callable[[Any, Context], forms.BaseForm]
BUILDERS: dict[type[forms.BaseForm], Builder] = {
    StepForm: lambda data, ctx: StepForm(
        data, step=ctx.section_step, scale=ctx.survey.instrument.scale
    ),
    StartForm: lambda data, ctx: StartForm(data),
    ResumeEmailForm: lambda data, ctx: ResumeEmailForm(data),
    RoundDatesForm: lambda data, ctx: RoundDatesForm(data, submit_label="Continue"),
    SubmitForm: lambda data, ctx: SubmitForm(data, expected_digest="0" * 32),
    PartnershipForm: lambda data, ctx: PartnershipForm(data),
    ExistingOrganisationForm: lambda data, ctx: ExistingOrganisationForm(
        data, choices=Organisation.objects.all()
    ),
    OrganisationForm: lambda data, ctx: OrganisationForm(data),
    RoundForm: lambda data, ctx: RoundForm(data),
    MemberInviteForm: lambda data, ctx: MemberInviteForm(data),
    MemberRoleForm: lambda data, ctx: MemberRoleForm(data, name="Jo Lead"),
    FocusAreaForm: lambda data, ctx: FocusAreaForm(data, survey=ctx.survey),
    InvitationImportForm: lambda data, ctx: InvitationImportForm(
        data, organisations=ctx.organisations
    ),
    InviteeSearchForm: lambda data, ctx: InviteeSearchForm(
        data, statuses=InviteeStatus.LABELS
    ),
    InviteeEmailForm: lambda data, ctx: InviteeEmailForm(data),
    InviteeMessageForm: lambda data, ctx: InviteeMessageForm(data),
    InviteeLanguageForm: lambda data, ctx: InviteeLanguageForm(data),
    EligibleForm: lambda data, ctx: EligibleForm(
        data, organisation=ctx.organisations[0], submitted=0
    ),
    SignInForm: lambda data, ctx: SignInForm(
        data=data, request=RequestFactory().post("/accounts/login/")
    ),
    PasswordResetRequestForm: lambda data, ctx: PasswordResetRequestForm(data),
    SetPasswordForm: lambda data, ctx: SetPasswordForm(ctx.user, data),
    PasswordChangeForm: lambda data, ctx: PasswordChangeForm(ctx.user, data),
    SecurityCodeForm: lambda data, ctx: SecurityCodeForm(data, user=ctx.user),
    AuthenticatorSetUpForm: lambda data, ctx: AuthenticatorSetUpForm(
        data, user=ctx.user
    ),
}
FORMS = sorted(BUILDERS, key=lambda cls: cls.__name__)

# Text fields with no max_length, and what bounds them instead.
UNBOUNDED = {
    (
        SignInForm,
        "password",
    ): "hashed and never stored; the request size limit bounds it",
    (SetPasswordForm, "new_password1"): "hashed, never stored as typed",
    (SetPasswordForm, "new_password2"): "compared with the first, never stored",
    (PasswordChangeForm, "old_password"): "checked against the hash, never stored",
    (PasswordChangeForm, "new_password1"): "hashed, never stored as typed",
    (PasswordChangeForm, "new_password2"): "compared with the first, never stored",
    (
        InvitationImportForm,
        "text",
    ): "limited in bytes by clean_text, then parsed line by line",
    (RoundForm, "opens_on"): "day, month and year: digits only, and a real date",
    (RoundForm, "closes_on"): "day, month and year: digits only, and a real date",
    (RoundDatesForm, "closes_on"): "day, month and year: digits only, and a real date",
    (FocusAreaForm, "due_date"): "day, month and year: digits only, and a real date",
}
# Text fields whose over-long text is refused in other words than the limit, and those words.
LIMIT_WORDED = {
    # A number: twenty characters is far past any count, so it asks for a number instead.
    (EligibleForm, "eligible"): "Enter the number of people asked, like 12",
    # A code: anything longer than a recovery code is not one, so it asks for the code.
    (SecurityCodeForm, "code"): "Enter the code your app shows",
    (AuthenticatorSetUpForm, "code"): "Enter the code your app shows",
}


@pytest.fixture
def ctx(db, request) -> Context:
    return Context(request)


@pytest.fixture(autouse=True)
def _allauth_request():
    """allauth's MFA forms read the request (session, rate limits) from its context."""
    from allauth.core import context
    from django.contrib.sessions.backends.db import SessionStore

    request = RequestFactory().post("/accounts/2fa/")
    request.session = SessionStore()
    with context.request_context(request):
        yield


def text_inputs(form: forms.BaseForm) -> list[tuple[str, list[str]]]:
    """Return (field name, posted keys) for every field that takes typed text."""
    found = []
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        if isinstance(field, forms.MultiValueField):
            suffixes = field.widget.widgets_names
            found.append((name, [key + suffix for suffix in suffixes]))
        elif isinstance(field, forms.CharField):
            found.append((name, [key]))
    return found


def test_every_form_is_covered():
    """Each form has a builder here and is driven through its view by another module."""
    defined = all_form_classes()
    assert defined == set(BUILDERS)
    through_views = (
        test_hostile_respondent.FORMS_DRIVEN
        | test_hostile_management.FORMS_DRIVEN
        | test_hostile_csv_import.FORMS_DRIVEN
        | test_hostile_mfa.FORMS_DRIVEN
    )
    assert defined == through_views, defined ^ through_views


@pytest.mark.parametrize("form_class", FORMS, ids=lambda cls: cls.__name__)
def test_every_form_checks_its_text_for_characters_that_cannot_be_stored(form_class):
    assert issubclass(form_class, StorableTextMixin)


@pytest.mark.parametrize("form_class", FORMS, ids=lambda cls: cls.__name__)
def test_every_text_field_has_a_length_limit_or_a_reason(form_class, ctx):
    form = BUILDERS[form_class](None, ctx)
    for name, _keys in text_inputs(form):
        field = form.fields[name]
        if isinstance(field, forms.CharField) and field.max_length is not None:
            continue
        assert (form_class, name) in UNBOUNDED, f"{form_class.__name__}.{name}"


@pytest.mark.parametrize("form_class", FORMS, ids=lambda cls: cls.__name__)
@examples(12)
@given(data=st.data())
def test_text_with_a_hidden_character_is_refused_by_name(form_class, ctx, data):
    form = BUILDERS[form_class](None, ctx)
    inputs = text_inputs(form)
    if not inputs:
        # Lists to choose from, no text.
        assert form_class in (
            ExistingOrganisationForm,
            MemberRoleForm,
            InviteeLanguageForm,
        )
        return
    name, keys = data.draw(st.sampled_from(inputs), label="field")
    value = data.draw(unstorable_text(), label="value")
    bound = BUILDERS[form_class](dict.fromkeys(keys, value), ctx)
    assert not bound.is_valid()
    errors = bound.errors.get(name, [])
    assert errors, bound.errors
    if not form.fields[name].widget.is_hidden:  # a hidden field says to try again
        assert any("hidden character that cannot be saved" in e for e in errors), errors
    for error in errors:
        assert not any(default in error for default in DJANGO_DEFAULTS), error


@pytest.mark.parametrize("form_class", FORMS, ids=lambda cls: cls.__name__)
@examples(6)
@given(data=st.data())
def test_text_over_its_limit_is_refused_with_the_limit(form_class, ctx, data):
    form = BUILDERS[form_class](None, ctx)
    limited = [
        (name, keys)
        for name, keys in text_inputs(form)
        if getattr(form.fields[name], "max_length", None)
    ]
    if not limited:
        return
    name, keys = data.draw(st.sampled_from(limited), label="field")
    limit = form.fields[name].max_length
    value = data.draw(oversized_text(limit), label="value")
    bound = BUILDERS[form_class](dict.fromkeys(keys, value), ctx)
    assert not bound.is_valid()
    errors = bound.errors.get(name, [])
    assert errors, bound.errors
    if not form.fields[name].widget.is_hidden:
        words = LIMIT_WORDED.get((form_class, name), f"{limit} characters or fewer")
        assert any(words in e for e in errors), errors


@pytest.mark.parametrize("form_class", FORMS, ids=lambda cls: cls.__name__)
@examples(8)
@given(data=st.data())
def test_a_choice_not_on_the_list_is_refused_in_the_forms_words(form_class, ctx, data):
    form = BUILDERS[form_class](None, ctx)
    choices = [
        (name, field)
        for name, field in form.fields.items()
        if isinstance(field, forms.ChoiceField)
    ]
    if not choices:
        return
    name, field = data.draw(st.sampled_from(choices), label="field")
    offered = {str(value) for value, _label in field.choices}
    if not field.required:
        # An optional choice left empty is no choice at all, not one off the list.
        offered.add("")
    value = data.draw(
        st.one_of(wrong_type(), storable_text(), unstorable_text()).filter(
            lambda v: v not in offered and v.strip() not in offered
        ),
        label="value",
    )
    bound = BUILDERS[form_class]({form.add_prefix(name): value}, ctx)
    assert not bound.is_valid()
    errors = bound.errors.get(name, [])
    assert errors, bound.errors
    for error in errors:
        assert not any(default in error for default in DJANGO_DEFAULTS), error


@given(text=st.text())
def test_the_shared_check_refuses_exactly_the_characters_that_cannot_be_stored(text):
    try:
        validate_storable(text)
    except forms.ValidationError:
        assert UNSTORABLE.search(text)
        return
    # Everything else survives PostgreSQL, UTF-8, spreadsheets and XML.
    assert "\x00" not in text
    text.encode("utf-8")
    assert not any(ord(c) < 32 and c not in "\t\n\r" for c in text)
