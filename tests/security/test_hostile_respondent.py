"""Hostile input on the respondent journey's POSTs: refused clearly, or saved exactly as sent.

Every example runs in a savepoint that is rolled back, so each starts from the same answers.
"""

import string
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.html import escape
from hypothesis import event, example, given
from hypothesis import strategies as st

from surveys.forms.respondent import (
    COMMENT_FIELD,
    COMMENT_MAX_LENGTH,
    DONT_KNOW,
    START_KEY_PATTERN,
    ResumeEmailForm,
    StartForm,
    StepForm,
    SubmitForm,
    field_name,
)
from surveys.journey import Step, build_steps
from surveys.models import Answer, Block, Comment, Item, ProfileAnswer, Response
from tests.factories import OrganisationFactory, ResponseFactory
from tests.security.hostile import (
    SCRIPTS,
    assert_no_stack_trace,
    assert_refused,
    control_text,
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
)

pytestmark = pytest.mark.django_db

FORMS_DRIVEN = {StartForm, StepForm, SubmitForm, ResumeEmailForm}


@dataclass(repr=False)
class Journey:
    response: Response
    section: Step
    partner: Step
    profile: Step
    steps: list[Step]

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text("Journey(…)")  # Hypothesis prints fixtures; keep the report short

    def url(self, step: Step | str) -> str:
        slug = step if isinstance(step, str) else step.slug
        return reverse(
            "surveys:respondent_step",
            kwargs={"token": self.response.resume_token, "step": slug},
        )

    @property
    def check_url(self) -> str:
        return reverse(
            "surveys:respondent_check", kwargs={"token": self.response.resume_token}
        )

    def other_items(self, step: Step) -> list[str]:
        """Field names of questions on other pages: forged answers for this one."""
        mine = {field_name(item) for item in step.items}
        return sorted(
            {field_name(i) for s in self.steps for i in s.items} - mine - {"comment"}
        )


@pytest.fixture
def journey(survey_setup) -> Journey:
    response = ResponseFactory(invitation=survey_setup.personal_link)
    steps = build_steps(response=response)
    return Journey(
        response=response,
        section=next(s for s in steps if s.block == Block.SELF),
        partner=next(s for s in steps if s.block == Block.PARTNER),
        profile=next(s for s in steps if s.block == Block.PROFILE),
        steps=steps,
    )


def choices_for(item: Item) -> list[str]:
    if item.response_format == Item.Format.FAMILIARITY:
        return ["1", "2", "3", "4", "5"]
    return ["1", "2", "3", "4", "5", DONT_KNOW]


def valid_answers(step: Step) -> dict[str, str]:
    """Answers that complete the page: a rating for each question, 25 points each."""
    data = {}
    for item in step.items:
        if item.response_format == Item.Format.POINTS:
            data[field_name(item)] = "25"
        elif item.response_format == Item.Format.FAMILIARITY:
            data[field_name(item)] = "4"
        else:
            data[field_name(item)] = "3"
    return data


def saved_state(journey: Journey) -> tuple:
    response = journey.response
    return (
        sorted(
            Answer.objects.filter(response=response).values_list(
                "item__code", "subject_organisation_id", "value"
            )
        ),
        sorted(
            ProfileAnswer.objects.filter(response=response).values_list(
                "item__code", "points"
            )
        ),
        sorted(
            Comment.objects.filter(response=response).values_list(
                "dimension__key", "text"
            )
        ),
    )


BAD_POINTS = ["-1", "101", "1e3", "12abc", "9" * 30, "NaN", "½", "25 25", "0x19"]


@st.composite
def refused_page(draw, journey: Journey) -> tuple[Step, list[tuple[str, object]]]:
    """A page's answers with one to three things wrong that the page must refuse."""
    step = draw(st.sampled_from([journey.section, journey.partner, journey.profile]))
    data: dict[str, object] = dict(valid_answers(step))
    rated = [i for i in step.items if i.response_format != Item.Format.POINTS]
    required = [
        field_name(i)
        for i in rated
        if not (step.subject and i.response_format == Item.Format.LIKERT)
    ]
    kinds = ["bad_choice", "forged_field", "missing", "bad_last_duplicate"]
    if step.subject is None:
        kinds += ["comment_control", "comment_oversized"]
    if step.block == Block.PROFILE:
        kinds += ["bad_points", "points_not_100"]
    for kind in draw(st.lists(st.sampled_from(kinds), min_size=1, max_size=3)):
        item = draw(st.sampled_from(rated))
        name = field_name(item)
        if kind == "bad_choice":
            data[name] = draw(not_a_choice(choices_for(item)))
        elif kind == "bad_last_duplicate":
            data[name] = [
                draw(st.sampled_from(choices_for(item))),
                draw(not_a_choice(choices_for(item))),
            ]
        elif kind == "forged_field":
            forged = draw(
                st.one_of(
                    st.sampled_from(journey.other_items(step)),
                    st.text(string.ascii_lowercase + "_", min_size=1, max_size=12),
                ).filter(lambda key: key not in data)
            )
            data[forged] = draw(st.sampled_from(["3", DONT_KNOW]))
        elif kind == "missing":
            data.pop(draw(st.sampled_from(required)), None)
        elif kind == "comment_control":
            data[COMMENT_FIELD] = draw(control_text())
        elif kind == "comment_oversized":
            data[COMMENT_FIELD] = draw(oversized_text(COMMENT_MAX_LENGTH))
        elif kind == "bad_points":
            points = [field_name(i) for i in step.items if i not in rated]
            data[draw(st.sampled_from(points))] = draw(st.sampled_from(BAD_POINTS))
        elif kind == "points_not_100":
            points = [field_name(i) for i in step.items if i not in rated]
            split = draw(
                st.lists(
                    st.integers(0, 100), min_size=len(points), max_size=len(points)
                ).filter(lambda values: sum(values) != 100)
            )
            data.update(zip(points, map(str, split), strict=True))
    buttons = draw(st.sampled_from([[], [("continue", "")]]))
    return step, [*pairs_of(data), *buttons]


@examples(30)
@given(data=st.data())
def test_a_page_with_something_wrong_is_refused_and_nothing_is_saved(
    client, journey, data
):
    step, pairs = data.draw(refused_page(journey), label="page")
    with rolled_back():
        before = fingerprint()
        page = post(client, journey.url(step), pairs)
        assert_refused(page, before)


@examples(30)
@given(data=st.data())
def test_any_answers_are_either_saved_as_sent_or_change_nothing(client, journey, data):
    step = data.draw(
        st.sampled_from([journey.section, journey.partner, journey.profile]),
        label="step",
    )
    names = [field_name(item) for item in step.items]
    keys = st.one_of(
        st.sampled_from(names),
        st.sampled_from([COMMENT_FIELD, "save_and_exit", "continue"]),
        st.sampled_from(journey.other_items(step)),
    )
    values = st.one_of(
        st.sampled_from(["1", "3", "5", "25", DONT_KNOW]), hostile_value()
    )
    pairs = data.draw(
        st.lists(st.tuples(keys, values), max_size=len(names) + 4), label="pairs"
    )
    with rolled_back():
        before = fingerprint()
        page = post(client, journey.url(step), pairs)
        assert page.status_code in (200, 302, 400), page.status_code
        event(f"status {page.status_code}")
        assert_no_stack_trace(page)
        if page.status_code != 302:
            assert_refused(page, before)
            return
        sent = {}
        for key, value in pairs:  # the last of a repeated key wins
            sent[key] = read_back(value)
        comment = sent.get(COMMENT_FIELD, "")
        stored = Comment.objects.filter(
            response=journey.response, dimension=step.dimension
        ).values_list("text", flat=True)
        expected = comment.strip()
        assert list(stored) == ([expected] if expected else [])
        answers = dict(
            Answer.objects.filter(
                response=journey.response, subject_organisation=step.subject
            ).values_list("item__code", "value")
        )
        for item in step.items:
            if item.code in answers:
                value = answers[item.code]
                assert sent[field_name(item)] == (
                    DONT_KNOW if value is None else str(value)
                )


@examples(20)
@given(
    address=st.one_of(
        hostile_value(),
        control_text().map(lambda v: v + "@example.org"),
        oversized_text(254),
        st.sampled_from(["jo@example.org", " jo@example.org ", "jo@exämple.org"]),
    )
)
def test_an_address_to_email_the_link_to_is_refused_or_mailed_never_stored(
    client, journey, settings, address
):
    settings.RATELIMIT_RESUME_EMAIL = settings.RATELIMIT_RESUME_EMAIL_IP = "10000/h"
    pairs = [("email_link", "1"), ("resume_email", address)]
    with rolled_back():
        mail.outbox = []
        before = fingerprint()
        page = post(client, journey.url(journey.section), pairs)
        assert page.status_code in (200, 302, 400), page.status_code
        event(f"status {page.status_code}")
        assert_no_stack_trace(page)
        if page.status_code != 302:
            assert_refused(page, before)
            assert mail.outbox == []
            return
        (message,) = mail.outbox
        assert message.to == [read_back(address).strip()]
        assert fingerprint() == before  # a blank page saved, and no address kept


@examples(25)
@given(comment=storable_text(max_size=COMMENT_MAX_LENGTH))
def test_a_hostile_comment_is_stored_as_typed_and_shown_escaped(
    client, journey, comment
):
    step = journey.section
    with rolled_back():
        page = post(
            client,
            journey.url(step),
            [*valid_answers(step).items(), (COMMENT_FIELD, comment)],
        )
        assert page.status_code == 302, page.content.decode()[:3000]
        stored = Comment.objects.get(response=journey.response).text
        assert stored == comment.strip()
        html = client.get(journey.check_url).content.decode()
        assert escape(stored) in html
        for script in SCRIPTS:
            if script in stored:
                assert script not in html


@examples(25)
@given(
    key=st.one_of(
        hostile_value(),
        st.from_regex(START_KEY_PATTERN, fullmatch=True),
        st.lists(hostile_value(), min_size=2, max_size=3),
    )
)
def test_the_start_button_refuses_a_forged_key_and_starts_nothing(
    client, survey_setup, key
):
    url = f"/s/{survey_setup.org_link.token}/"
    pairs = [("start_key", k) for k in (key if isinstance(key, list) else [key])]
    last = pairs[-1][1]
    valid = isinstance(last, str) and bool(START_KEY_PATTERN.match(read_back(last)))
    with rolled_back():
        before = fingerprint()
        page = post(client, url, pairs)
        if valid:
            assert page.status_code == 302
            assert survey_setup.org_link.responses.count() == 1
        else:
            errors = assert_refused(page, before)
            assert page.too_big or any("select ‘Start now’ again" in e for e in errors)


@pytest.fixture
def answered(client, journey) -> Journey:
    for step in journey.steps:
        assert (
            post(client, journey.url(step), valid_answers(step).items()).status_code
            == 302
        )
    return journey


@examples(20)
@given(digest=st.one_of(hostile_value(), st.lists(hostile_value(), min_size=2)))
def test_submitting_with_a_forged_fingerprint_submits_nothing(client, answered, digest):
    with rolled_back():
        before = fingerprint()
        values = digest if isinstance(digest, list) else [digest]
        page = post(client, answered.check_url, [("digest", v) for v in values])
        errors = assert_refused(page, before)
        assert not Response.objects.get(pk=answered.response.pk).is_submitted
        assert page.too_big or errors


SLUG = st.text(string.ascii_letters + string.digits + "-_", min_size=1, max_size=70)


@examples(30)
@given(
    token=st.one_of(
        SLUG, st.text(min_size=1, max_size=80).filter(lambda t: t.strip("/."))
    ),
    method=st.sampled_from(["get", "post"]),
    page=st.sampled_from(
        ["", "check-answers/", "saved/", "submitted/", "shared_purpose/"]
    ),
)
@example(token="\x00", method="get", page="")  # PostgreSQL refuses a NUL: was a 500
@example(token="abc\x00def", method="post", page="shared_purpose/")
@example(token="a" * 65, method="get", page="check-answers/")
@example(token="\ud800", method="get", page="saved/")
def test_a_forged_link_is_not_found_and_changes_nothing(
    client, db, token, method, page
):
    url = f"/s/{quote(token, safe='', errors='surrogatepass')}/{page}"
    with rolled_back():
        before = fingerprint()
        response = getattr(client, method)(url)
        assert response.status_code == 404, (url, response.status_code)
        assert_no_stack_trace(response)
        assert fingerprint() == before


@examples(20)
@given(data=st.data())
def test_a_forged_page_of_a_real_link_is_not_found(client, journey, data):
    with rolled_back():
        outsider = OrganisationFactory()
        slug = data.draw(
            st.one_of(
                SLUG.filter(lambda s: s not in {x.slug for x in journey.steps}),
                st.just(f"partner-{outsider.public_id}"),
                st.just(f"partner-{journey.response.organisation.public_id}"),
            ),
            label="slug",
        )
        before = fingerprint()
        page = post(client, journey.url(slug), valid_answers(journey.partner).items())
        assert page.status_code == 404
        assert_no_stack_trace(page)
        assert fingerprint() == before
