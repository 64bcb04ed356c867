"""Hostile input on every management and account form, through its view: refused with an error
summary and nothing changed, or saved exactly as sent (after the form's documented tidying).

Each form is described once below (its fields, what a valid and an invalid value look like,
and what a success must have stored); the same two properties then run against all of them.
"""

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from django import forms
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import event, given
from hypothesis import strategies as st

from surveys.forms.accounts import (
    PasswordChangeForm,
    PasswordResetRequestForm,
    SetPasswordForm,
    SignInForm,
)
from surveys.forms.eligibility import EligibleForm
from surveys.forms.focus_areas import FocusAreaForm
from surveys.forms.invitations import (
    EMAIL_MAX_LENGTH,
    InviteeEmailForm,
    InviteeLanguageForm,
    InviteeMessageForm,
    InviteeSearchForm,
)
from surveys.forms.partnerships import (
    MAX_ANONYMITY_THRESHOLD,
    ExistingOrganisationForm,
    MemberInviteForm,
    MemberRoleForm,
    OrganisationForm,
    PartnershipForm,
    RoundForm,
)
from surveys.forms.rounds import RoundDatesForm
from surveys.forms.text import UNSTORABLE
from surveys.models import (
    INVITEE_MESSAGE_MAX_LENGTH,
    MIN_ANONYMITY_THRESHOLD,
    Eligibility,
    FocusArea,
    Instrument,
    Invitation,
    Membership,
    Partnership,
    Sector,
    Survey,
    User,
)
from surveys.services.eligibility import MAX_ELIGIBLE
from surveys.services.invitations import REMINDER_SCHEDULES
from surveys.tracking import InviteeStatus
from tests.security.estate import PASSWORD, Estate, build_estate
from tests.security.hostile import (
    DJANGO_DEFAULTS,
    assert_no_stack_trace,
    assert_refused,
    control_text,
    error_summary,
    examples,
    fingerprint,
    hostile_value,
    not_a_choice,
    oversized_text,
    pairs_of,
    post,
    read_back,
    rolled_back,
    storable_text,
    wrong_type,
)

pytestmark = pytest.mark.django_db

FORMS_DRIVEN = {
    RoundDatesForm,
    PartnershipForm,
    ExistingOrganisationForm,
    OrganisationForm,
    RoundForm,
    MemberInviteForm,
    MemberRoleForm,
    FocusAreaForm,
    EligibleForm,
    SignInForm,
    PasswordResetRequestForm,
    SetPasswordForm,
    PasswordChangeForm,
    InviteeEmailForm,
    InviteeMessageForm,
    InviteeLanguageForm,
    InviteeSearchForm,  # a GET form: see test_any_search_shows_the_list_and_changes_nothing
}

Values = st.SearchStrategy[tuple]
Sent = dict[str, str]


@dataclass(frozen=True)
class Input:
    """One form field as posted: its keys, and strategies for valid and invalid values."""

    keys: tuple[str, ...]
    valid: Callable[[Estate], Values]
    invalid: Callable[[Estate], Values]
    required: bool = True


def one(strategy: st.SearchStrategy) -> Values:
    return strategy.map(lambda value: (value,))


def text(key: str, limit: int | None, *, required: bool = True) -> Input:
    blanks = [st.sampled_from(["", " ", "\t \r\n"])] if required else []
    too_long = [oversized_text(limit)] if limit else []
    return Input(
        (key,),
        valid=lambda e: one(storable_text(max_size=limit or 200)),
        invalid=lambda e: one(st.one_of(control_text(), *too_long, *blanks)),
        required=required,
    )


def choice(key: str, values: list[str], *, required: bool = True) -> Input:
    return Input(
        (key,),
        valid=lambda e: one(st.sampled_from(values)),
        invalid=lambda e: one(not_a_choice(values)),
        required=required,
    )


def model_choice(
    key: str,
    valid: Callable[[Estate], list[int]],
    forged: Callable[[Estate], list[int]],
) -> Input:
    """A choice of rows by key; forged keys are real rows the form must not offer."""
    return Input(
        (key,),
        valid=lambda e: one(st.sampled_from([str(pk) for pk in valid(e)])),
        invalid=lambda e: one(
            st.one_of(
                st.sampled_from([str(pk) for pk in forged(e)])
                if forged(e)
                else st.nothing(),
                st.integers(10**6, 10**30).map(str),
                st.integers(max_value=0).map(str),
                not_a_choice(str(pk) for pk in valid(e)),
            )
        ),
    )


def whole_number(key: str, low: int, high: int) -> Input:
    outside = st.one_of(st.integers(max_value=low - 1), st.integers(min_value=high + 1))
    return Input(
        (key,),
        valid=lambda e: one(st.integers(low, high).map(str)),
        invalid=lambda e: one(
            st.one_of(
                outside.map(str),
                st.sampled_from(["", "1.5", "abc", "1e3", "3.0.0", "NaN", "∞", "⅕"]),
                control_text(),
            )
        ),
    )


def people_asked(key: str) -> Input:
    """A count typed as text: digits, perhaps with thousands commas; blank means not known."""
    counts = st.integers(1, MAX_ELIGIBLE)
    return Input(
        (key,),
        valid=lambda e: one(
            st.one_of(
                counts.map(str),
                counts.map(lambda n: f"{n:,}"),
                counts.map(lambda n: f" {n} "),
                st.sampled_from(["", " ", "0012"]),
            )
        ),
        invalid=lambda e: one(
            st.one_of(
                st.integers(max_value=0).map(str),
                st.integers(min_value=MAX_ELIGIBLE + 1).map(str),
                st.sampled_from(["1.5", "12.0", ".5", "abc", "1e3", "+5", "１２", "٣"]),
                st.sampled_from(["NaN", "∞", "⅕", "12 people", "1 2", "0x10"]),
                control_text(),
                oversized_text(20),
            )
        ),
        required=False,
    )


def _day_month_year(day: dt.date) -> tuple[str, str, str]:
    return str(day.day), str(day.month), str(day.year)


IMPOSSIBLE_DATES = [
    ("31", "2", "2027"),
    ("0", "1", "2027"),
    ("1", "13", "2027"),
    ("1", "1", "1999"),
    ("1", "1", "2101"),
    ("1", "1", "99999999999999999999"),
    ("1", "1", "9" * 400),
    ("1.5", "1", "2027"),
    ("-1", "1", "2027"),
    ("1", "1", ""),
    ("", "1", "2027"),
]


def not_digits() -> st.SearchStrategy[str | bytes]:
    return st.one_of(wrong_type(), storable_text(), control_text()).filter(
        lambda value: not re.fullmatch(r"[0-9]+", read_back(value).strip())
    )


def date(
    key: str,
    *,
    earliest: Callable[[], dt.date],
    latest: Callable[[], dt.date],
    required: bool,
) -> Input:
    """A day, month and year; valid dates run from `earliest` to `latest`."""
    keys = (f"{key}_0", f"{key}_1", f"{key}_2")
    return Input(
        keys,
        valid=lambda e: st.dates(earliest(), latest()).map(_day_month_year),
        invalid=lambda e: st.one_of(
            st.sampled_from(IMPOSSIBLE_DATES),
            st.tuples(st.just("1"), st.just("1"), not_digits()),
            st.tuples(not_digits(), st.just("1"), st.just("2027")),
        ),
        required=required,
    )


def email(key: str, limit: int) -> Input:
    addresses = st.from_regex(
        r"[a-z0-9][a-z0-9+=_-]{0,20}@[a-z0-9]{1,20}\.(org|uk|com)", fullmatch=True
    )
    return Input(
        (key,),
        valid=lambda e: one(st.one_of(addresses, st.just("jo@exämple.org"))),
        invalid=lambda e: one(
            st.one_of(
                storable_text().filter(lambda v: "@" not in v),
                st.sampled_from(["a@b", "@example.org", "jo@", "jo@@example.org"]),
                control_text().map(lambda v: v + "@example.org"),
                st.integers(limit - 5, 300_000).map(lambda n: "a" * n + "@x.org"),
            )
        ),
    )


def _today() -> dt.date:
    return timezone.localdate()


def _first_day() -> dt.date:
    return dt.date(2000, 1, 1)


def _last_day() -> dt.date:
    return dt.date(2100, 12, 31)


def tidy(value: str) -> str:
    """Names and titles are stored with runs of whitespace made single spaces."""
    return " ".join(value.split())


def _round_extended(e: Estate, sent: Sent) -> None:
    survey = Survey.objects.get(pk=e.round.pk)
    closes = timezone.localtime(survey.closes_at).date()
    assert (closes.day, closes.month, closes.year) == tuple(
        int(sent[f"closes_on_{n}"]) for n in range(3)
    )
    assert survey.audit_events.filter(action="round_extended").exists()


@dataclass(frozen=True)
class Endpoint:
    """A form's page: how to reach it, what it posts, and what a success must have stored."""

    name: str
    url: Callable[[Estate], str]
    inputs: list[Input]
    stored: Callable[[Estate, Sent], None]
    buttons: dict[str, str] = field(default_factory=dict)
    as_lead: bool = True

    def __repr__(self) -> str:
        return self.name


def _partnership_saved(e: Estate, sent: Sent) -> None:
    assert Partnership.objects.filter(
        name=tidy(sent["name"]), kind=sent["kind"], memberships__user=e.lead
    ).exists()


def _partnership_renamed(e: Estate, sent: Sent) -> None:
    saved = Partnership.objects.get(pk=e.partnership.pk)
    assert (saved.name, saved.kind) == (tidy(sent["name"]), sent["kind"])


def _organisation_created(e: Estate, sent: Sent) -> None:
    org = e.partnership.members.get(name=tidy(sent["new-name"]))
    assert org.short_name == sent["new-short_name"].strip()
    assert org.sector == sent["new-sector"]


def _organisation_added(e: Estate, sent: Sent) -> None:
    assert e.partnership.members.filter(pk=int(sent["existing-organisation"])).exists()


def _member_role_changed(e: Estate, sent: Sent) -> None:
    assert Membership.objects.get(pk=e.colleague.pk).role == sent["role"]


def _member_invited(e: Estate, sent: Sent) -> None:
    membership = Membership.objects.get(
        partnership=e.partnership, user__email=sent["email"].strip()
    )
    assert membership.role == sent["role"]
    assert membership.user.first_name == sent["first_name"].strip()
    assert membership.user.last_name == sent["last_name"].strip()


def _threshold(sent: Sent) -> int:
    return forms.IntegerField().clean(sent["anonymity_threshold"])


def _reminders(sent: Sent) -> list[int]:
    return REMINDER_SCHEDULES[sent.get("reminder_days", "")]


def _round_created(e: Estate, sent: Sent) -> None:
    created = Survey.objects.get(
        partnership=e.partnership, title=tidy(sent["title"]), status="draft"
    )
    assert created.anonymity_threshold == _threshold(sent)
    assert created.reminder_days == _reminders(sent)


def _round_changed(e: Estate, sent: Sent) -> None:
    saved = Survey.objects.get(pk=e.draft.pk)
    assert saved.title == tidy(sent["title"])
    assert saved.anonymity_threshold == _threshold(sent)
    assert saved.reminder_days == _reminders(sent)


def _message_saved(e: Estate, sent: Sent) -> None:
    saved = Survey.objects.get(pk=e.round.pk)
    assert saved.invitee_message == sent["message"].strip()


def _language_changed(e: Estate, sent: Sent) -> None:
    assert Invitation.objects.get(pk=e.invitee.pk).language == sent["language"]


def _address_corrected(e: Estate, sent: Sent) -> None:
    old = Invitation.objects.get(pk=e.invitee.pk)
    assert old.revoked_at is not None
    assert old.email is None  # nothing leads from the cut link to a person
    new = Invitation.objects.get(
        survey=e.round, email=sent["email"].strip(), revoked_at__isnull=True
    )
    assert (new.kind, new.organisation_id) == (
        Invitation.Kind.PERSONAL,
        e.invitee.organisation_id,
    )


def _focus_area_saved(e: Estate, sent: Sent, *, pair: bool = False) -> None:
    saved = FocusArea.objects.filter(
        survey=e.round,
        finding=sent["finding"].strip(),
        action=sent["action"].strip(),
        owner_id=int(sent["owner"]),
        dimension_id=int(sent["dimension"]),
        organisation_a__isnull=not pair,
    )
    assert saved.exists()


def _eligible_recorded(e: Estate, sent: Sent) -> None:
    typed = sent["eligible"].strip()
    # Only ASCII digits, perhaps with thousands commas, are read as a number.
    assert re.fullmatch(r"[0-9,]*", typed), typed
    digits = typed.replace(",", "")
    saved = Eligibility.objects.get(survey=e.round, organisation=e.organisations[0])
    assert saved.eligible == (int(digits) if digits else None)


def _signed_in(e: Estate, sent: Sent) -> None:
    lead = User.objects.get(pk=e.lead.pk)
    assert sent["login"] == lead.username
    assert lead.last_login != e.lead.last_login


def _reset_sent(e: Estate, sent: Sent) -> None:
    pass  # the same page whether or not the address is known; nothing stored


def _password_changed(e: Estate, sent: Sent) -> None:
    assert User.objects.get(pk=e.lead.pk).check_password(sent["new_password1"])


def _round_url(name: str) -> Callable[[Estate], str]:
    return lambda e: reverse(
        f"surveys:{name}", args=[e.partnership.public_id, e.round.public_id]
    )


def _draft_url(e: Estate) -> str:
    return reverse(
        "surveys:round_edit", args=[e.partnership.public_id, e.draft.public_id]
    )


def _pair_url(e: Estate) -> str:
    a, b = e.organisations
    return reverse(
        "surveys:pair_focus_area_create",
        args=[e.partnership.public_id, e.round.public_id, a.public_id, b.public_id],
    )


def _focus_edit_url(e: Estate) -> str:
    return reverse(
        "surveys:focus_area_edit",
        args=[e.partnership.public_id, e.round.public_id, e.focus_area.public_id],
    )


def _eligibility_url(e: Estate) -> str:
    return reverse(
        "surveys:eligibility_edit",
        args=[
            e.partnership.public_id,
            e.round.public_id,
            e.organisations[0].public_id,
        ],
    )


def _invitee_url(name: str) -> Callable[[Estate], str]:
    return lambda e: reverse(
        f"surveys:{name}",
        args=[e.partnership.public_id, e.round.public_id, e.invitee.public_id],
    )


def _focus_inputs() -> list[Input]:
    return [
        model_choice(
            "dimension",
            valid=lambda e: [d.pk for d in e.self_dimensions],
            forged=lambda e: [d.pk for d in e.other_dimensions],
        ),
        text("finding", 1000),
        text("action", 1000),
        model_choice(
            "owner",
            valid=lambda e: [o.pk for o in e.organisations],
            forged=lambda e: [e.outsider.pk, e.spare.pk],
        ),
        date("due_date", earliest=_first_day, latest=_last_day, required=True),
    ]


def _round_inputs(*, new: bool) -> list[Input]:
    chosen = (
        [
            model_choice(
                "instrument",
                valid=lambda e: [e.round.instrument_id],
                forged=lambda e: [],
            )
        ]
        if new
        else []
    )
    return [
        text("title", 200),
        *chosen,
        # Valid openings are no later than valid closings, which are today or later.
        date("opens_on", earliest=_first_day, latest=_today, required=False),
        date("closes_on", earliest=_today, latest=_last_day, required=False),
        whole_number(
            "anonymity_threshold", MIN_ANONYMITY_THRESHOLD, MAX_ANONYMITY_THRESHOLD
        ),
        choice("reminder_days", list(REMINDER_SCHEDULES), required=False),
    ]


STRONG = "a long & <unusual> passphrase ✓"
PASSWORDS = [
    Input(
        (key,),
        valid=lambda e: one(st.just(STRONG)),
        invalid=text(key, None).invalid,
    )
    for key in ("new_password1", "new_password2")
]

ENDPOINTS = [
    Endpoint(
        "partnership_create",
        lambda e: reverse("surveys:partnership_create"),
        [text("name", 200), choice("kind", Partnership.Kind.values)],
        _partnership_saved,
    ),
    Endpoint(
        "partnership_edit",
        lambda e: reverse("surveys:partnership_edit", args=[e.partnership.public_id]),
        [text("name", 200), choice("kind", Partnership.Kind.values)],
        _partnership_renamed,
    ),
    Endpoint(
        "organisation_add_new",
        lambda e: reverse("surveys:organisation_add", args=[e.partnership.public_id]),
        [
            text("new-name", 200),
            text("new-short_name", 40),
            choice("new-sector", Sector.values),
        ],
        _organisation_created,
        buttons={"add_new": ""},
    ),
    Endpoint(
        "organisation_add_existing",
        lambda e: reverse("surveys:organisation_add", args=[e.partnership.public_id]),
        [
            model_choice(
                "existing-organisation",
                valid=lambda e: [e.spare.pk],
                # Members already, and another tenant's organisation.
                forged=lambda e: [*(o.pk for o in e.organisations), e.outsider.pk],
            )
        ],
        _organisation_added,
        buttons={"add_existing": ""},
    ),
    Endpoint(
        "member_invite",
        lambda e: reverse("surveys:member_invite", args=[e.partnership.public_id]),
        [
            text("first_name", 150),
            text("last_name", 150),
            email("email", 150),
            choice("role", Membership.Role.values),
        ],
        _member_invited,
    ),
    Endpoint(
        "member_role_edit",
        lambda e: reverse(
            "surveys:member_role_edit",
            args=[e.partnership.public_id, e.colleague.public_id],
        ),
        [choice("role", Membership.Role.values)],
        _member_role_changed,
    ),
    Endpoint(
        "round_create",
        lambda e: reverse("surveys:round_create", args=[e.partnership.public_id]),
        _round_inputs(new=True),
        _round_created,
    ),
    Endpoint("round_edit", _draft_url, _round_inputs(new=False), _round_changed),
    Endpoint(
        "round_dates",
        lambda e: reverse(
            "surveys:round_dates", args=[e.partnership.public_id, e.round.public_id]
        ),
        [date("closes_on", earliest=_today, latest=_last_day, required=True)],
        _round_extended,
        buttons={"confirm": "1"},
    ),
    Endpoint(
        "invitee_message",
        _round_url("invitee_message"),
        [text("message", INVITEE_MESSAGE_MAX_LENGTH, required=False)],
        _message_saved,
        buttons={"save": ""},
    ),
    Endpoint(
        "invitee_language",
        _invitee_url("invitee_language"),
        [
            # The invitee's emails are in English: Welsh is the one change to make.
            Input(
                ("language",),
                valid=lambda e: one(st.just("cy")),
                invalid=lambda e: one(
                    not_a_choice(code for code, _name in settings.LANGUAGES)
                ),
            )
        ],
        _language_changed,
        buttons={"save": ""},
    ),
    Endpoint(
        "invitee_correct",
        _invitee_url("invitee_correct"),
        [email("email", EMAIL_MAX_LENGTH)],
        _address_corrected,
        buttons={"save": ""},
    ),
    Endpoint(
        "focus_area_create",
        _round_url("focus_area_create"),
        _focus_inputs(),
        _focus_area_saved,
    ),
    Endpoint(
        "pair_focus_area_create",
        _pair_url,
        _focus_inputs(),
        lambda e, sent: _focus_area_saved(e, sent, pair=True),
    ),
    Endpoint("focus_area_edit", _focus_edit_url, _focus_inputs(), _focus_area_saved),
    Endpoint(
        "eligibility_edit",
        _eligibility_url,
        [people_asked("eligible")],
        _eligible_recorded,
    ),
    Endpoint(
        "sign_in",
        lambda e: reverse("login"),
        [
            Input(
                ("login",),
                valid=lambda e: one(st.just(e.lead.username)),
                invalid=text("login", 150).invalid,
            ),
            Input(
                ("password",),
                valid=lambda e: one(st.just(PASSWORD)),
                invalid=text("password", None).invalid,
            ),
        ],
        _signed_in,
        as_lead=False,
    ),
    Endpoint(
        "password_reset",
        lambda e: reverse("password_reset"),
        [email("email", 254)],
        _reset_sent,
        as_lead=False,
    ),
    Endpoint(
        "password_change",
        lambda e: reverse("password_change"),
        [
            Input(
                ("old_password",),
                valid=lambda e: one(st.just(PASSWORD)),
                invalid=text("old_password", None).invalid,
            ),
            *PASSWORDS,
        ],
        _password_changed,
    ),
    Endpoint(
        "password_reset_confirm",
        lambda e: reverse(
            "password_reset_confirm",
            args=[urlsafe_base64_encode(force_bytes(e.lead.pk)), "set-password"],
        ),
        PASSWORDS,
        _password_changed,
        as_lead=False,
    ),
]


@pytest.fixture
def estate(db, instrument: Instrument) -> Estate:
    return build_estate(instrument)


def client_for(endpoint: Endpoint, estate: Estate) -> Client:
    # Examples are rolled back, but not the objects in memory: start from the database's.
    estate.lead = User.objects.get(pk=estate.lead.pk)
    client = Client()
    if endpoint.as_lead:
        client.force_login(estate.lead)
    if endpoint.name == "password_reset_confirm":
        # The emailed link puts its token in the session, then redirects to the form.
        uid = urlsafe_base64_encode(force_bytes(estate.lead.pk))
        token = default_token_generator.make_token(estate.lead)
        link = reverse("password_reset_confirm", args=[uid, token])
        assert client.get(link).status_code == 302
    return client


def valid_values(data, endpoint: Endpoint, estate: Estate) -> dict[str, object]:
    values: dict[str, object] = {}
    for spec in endpoint.inputs:
        drawn = data.draw(spec.valid(estate), label=f"valid {spec.keys[0]}")
        values.update(zip(spec.keys, drawn, strict=True))
    return values


def last_sent(pairs: list[tuple[str, object]]) -> Sent:
    sent: Sent = {}
    for key, value in pairs:
        sent[key] = read_back(value)
    return sent


def _pairs(values: dict[str, object], endpoint: Endpoint) -> list[tuple[str, object]]:
    return [*pairs_of(values), *endpoint.buttons.items()]


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=repr)
@examples(8)
@given(data=st.data())
def test_a_form_with_something_wrong_is_refused_and_nothing_changes(
    estate, endpoint, data
):
    client = client_for(endpoint, estate)
    values = valid_values(data, endpoint, estate)
    spoilt = data.draw(
        st.lists(
            st.sampled_from(endpoint.inputs),
            min_size=1,
            max_size=3,
            unique_by=lambda spec: spec.keys,
        ),
        label="spoilt",
    )
    for spec in spoilt:
        how = data.draw(
            st.sampled_from(
                ["invalid", "repeated"] + (["missing"] if spec.required else [])
            ),
            label=f"how {spec.keys[0]}",
        )
        if how == "missing":
            for key in spec.keys:
                values.pop(key)
            continue
        bad = data.draw(spec.invalid(estate), label=f"invalid {spec.keys[0]}")
        for key, value in zip(spec.keys, bad, strict=True):
            # A repeated key: a good value first, then the bad one that Django keeps.
            values[key] = [values[key], value] if how == "repeated" else value
    with rolled_back():
        before = fingerprint()
        page = post(client, endpoint.url(estate), _pairs(values, endpoint))
        assert_refused(page, before)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=repr)
@examples(6)
@given(data=st.data())
def test_any_input_is_saved_as_sent_or_changes_nothing(estate, endpoint, data):
    client = client_for(endpoint, estate)
    values: dict[str, object] = {}
    for spec in endpoint.inputs:
        drawn = data.draw(
            st.one_of(
                spec.valid(estate),
                spec.invalid(estate),
                st.tuples(*[hostile_value() for _key in spec.keys]),
            ),
            label=spec.keys[0],
        )
        values.update(zip(spec.keys, drawn, strict=True))
    pairs = _pairs(values, endpoint)
    with rolled_back():
        mail.outbox = []
        before = fingerprint()
        page = post(client, endpoint.url(estate), pairs)
        assert page.status_code in (200, 302, 400), page.status_code
        event(f"status {page.status_code}")
        assert_no_stack_trace(page)
        if page.status_code != 302:
            assert_refused(page, before)
        else:
            endpoint.stored(estate, last_sent(pairs))


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=repr)
@examples(5)
@given(data=st.data())
def test_valid_but_hostile_input_is_saved_exactly_as_typed(estate, endpoint, data):
    """Markup, formulas and awkward Unicode in valid input are kept, never altered or run."""
    client = client_for(endpoint, estate)
    pairs = _pairs(valid_values(data, endpoint, estate), endpoint)
    with rolled_back():
        page = post(client, endpoint.url(estate), pairs)
        assert page.status_code == 302, error_summary(page)
        endpoint.stored(estate, last_sent(pairs))


SEARCH_STATUSES = ["", *InviteeStatus.LABELS]


def _search_is_refused(q: str, status: str) -> bool:
    """Whether the search form must refuse these values, as Django reads them."""
    # As the form reads it; strip() also takes some control characters.
    typed = q.strip()
    return bool(
        UNSTORABLE.search(typed) or len(typed) > 200 or status not in SEARCH_STATUSES
    )


@examples(10)
@given(data=st.data())
def test_any_search_shows_the_list_and_changes_nothing(estate, data):
    """A search it cannot use shows everyone and says why; no search is ever a stack trace."""
    client = client_for(ENDPOINTS[0], estate)
    q = data.draw(
        st.one_of(
            st.sampled_from(["", "sam", "NH", "northshire.nhs"]),
            storable_text(max_size=200),
            oversized_text(200),
            hostile_value(),
        ),
        label="q",
    )
    status = data.draw(
        st.one_of(st.sampled_from(SEARCH_STATUSES), not_a_choice(SEARCH_STATUSES)),
        label="status",
    )
    page_number = data.draw(
        st.one_of(st.just("1"), wrong_type(), hostile_value()), label="page"
    )
    query = urlencode(
        [("q", q), ("status", status), ("page", page_number)],
        encoding="utf-8",
        errors="surrogatepass",
    )
    url = reverse(
        "surveys:invitee_list",
        args=[estate.partnership.public_id, estate.round.public_id],
    )
    before = fingerprint()
    page = client.get(f"{url}?{query}")
    assert page.status_code == 200, page.status_code
    assert_no_stack_trace(page)
    assert fingerprint() == before
    errors = error_summary(page)
    if _search_is_refused(read_back(q), read_back(status)):
        event("refused")
        assert errors, "no error summary"
        for error in errors:
            assert not any(default in error for default in DJANGO_DEFAULTS), error
        html = page.content.decode()
        assert "Your search could not be used, so everyone is shown." in html
        assert estate.invitee.email in html
    else:
        assert not errors, errors


FORGED_URLS = {
    "a round of another partnership": lambda e: reverse(
        "surveys:round_edit", args=[e.partnership.public_id, e.outsider_round.public_id]
    ),
    "another partnership": lambda e: reverse(
        "surveys:partnership_edit", args=[e.elsewhere.public_id]
    ),
    "a pair with an outsider": lambda e: reverse(
        "surveys:pair_focus_area_create",
        args=[
            e.partnership.public_id,
            e.round.public_id,
            e.organisations[0].public_id,
            e.outsider.public_id,
        ],
    ),
    "a pair of one organisation": lambda e: reverse(
        "surveys:pair_focus_area_create",
        args=[
            e.partnership.public_id,
            e.round.public_id,
            e.organisations[0].public_id,
            e.organisations[0].public_id,
        ],
    ),
    "removing an outsider": lambda e: reverse(
        "surveys:organisation_remove",
        args=[e.partnership.public_id, e.outsider.public_id],
    ),
    "replacing an outsider's link": lambda e: reverse(
        "surveys:org_link_regenerate",
        args=[e.partnership.public_id, e.round.public_id, e.outsider.public_id],
    ),
    "correcting an invitee through another round": lambda e: reverse(
        "surveys:invitee_correct",
        args=[e.partnership.public_id, e.draft.public_id, e.invitee.public_id],
    ),
    "the people asked at an outsider": lambda e: reverse(
        "surveys:eligibility_edit",
        args=[e.partnership.public_id, e.round.public_id, e.outsider.public_id],
    ),
    "the people asked in another partnership's round": lambda e: reverse(
        "surveys:eligibility_edit",
        args=[
            e.partnership.public_id,
            e.outsider_round.public_id,
            e.organisations[0].public_id,
        ],
    ),
}


@pytest.mark.parametrize("forged", FORGED_URLS)
def test_a_forged_id_in_the_address_is_not_found_and_changes_nothing(estate, forged):
    client = client_for(ENDPOINTS[0], estate)
    before = fingerprint()
    page = client.post(
        FORGED_URLS[forged](estate), {"name": "Taken over", "title": "Taken over"}
    )
    assert page.status_code == 404
    assert fingerprint() == before


def test_a_lead_cannot_invite_an_email_address_too_long_to_sign_in_with(estate):
    """Usernames are the address in lower case, at most 150 characters."""
    client = client_for(ENDPOINTS[0], estate)
    address = "a" * 64 + "@" + "b" * 60 + "." + "İ" * 15 + ".org"  # 145, then 160
    before = fingerprint()
    page = client.post(
        reverse("surveys:member_invite", args=[estate.partnership.public_id]),
        {"first_name": "Jo", "last_name": "Bloggs", "email": address, "role": "lead"},
    )
    errors = assert_refused(page, before)
    assert any("150 characters or fewer" in error for error in errors), errors
    assert not User.objects.filter(email=address).exists()


@pytest.mark.parametrize(
    "pairs",
    [
        [("name", "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)), ("kind", "place")],
        [(f"field{n}", "x") for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)],
    ],
    ids=["a body over the size limit", "more fields than the limit"],
)
def test_a_request_too_big_to_read_is_a_clean_400(estate, pairs):
    client = client_for(ENDPOINTS[0], estate)
    before = fingerprint()
    page = post(client, reverse("surveys:partnership_create"), pairs)
    assert page.status_code == 400
    assert "Go back and try again" in page.content.decode()
    assert fingerprint() == before


@pytest.mark.parametrize(
    ("day", "month", "year", "problem"),
    [
        ("1", "1", "", "Opening date must include a year"),
        ("", "1", "2027", "Opening date must include a day"),
        ("1", " ", "2027", "Opening date must include a month"),
        ("1", "1", "99999999999999999999", "Opening date must be a real date"),
    ],
)
def test_a_half_typed_or_impossible_date_is_reported_not_dropped(
    estate, day, month, year, problem
):
    client = client_for(ENDPOINTS[0], estate)
    before = fingerprint()
    page = client.post(
        _draft_url(estate),
        {
            "title": "Spring round",
            "opens_on_0": day,
            "opens_on_1": month,
            "opens_on_2": year,
            "anonymity_threshold": "5",
        },
    )
    errors = assert_refused(page, before)
    assert problem in errors, errors
