"""Many browsers at once on one link: no response, submission or answer is lost or doubled.

Every thread is its own browser (a test client with its own cookies) and its own database
connection; a barrier releases them together so their requests really overlap in PostgreSQL.
"""

import re
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from surveys.forms.respondent import COMMENT_FIELD, field_name
from surveys.journey import Step, build_steps
from surveys.models import Answer, Comment, Item, ProfileAnswer, Response
from tests.surveys.test_respondent import check_url, page_url, valid_data

pytestmark = pytest.mark.django_db(transaction=True)

BROWSERS = 12
JOURNEYS = 8  # whole journeys at once are heavier: fewer threads, same overlap
START_KEY = re.compile(r'name="start_key" value="([^"]+)"')
DIGEST = re.compile(r'name="digest" value="([^"]+)"')


def run_at_once(tasks: list[Callable[[], Any]]) -> list[Any]:
    """Run each task in its own thread, released together; return results (or exceptions) in order."""
    barrier = threading.Barrier(len(tasks))
    results: list[Any] = [None] * len(tasks)

    def worker(index: int, task: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = task()
        except Exception as exc:
            results[index] = exc
        finally:
            connection.close()  # each thread opened its own connection

    threads = [
        threading.Thread(target=worker, args=(n, task)) for n, task in enumerate(tasks)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a browser never finished"
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    return results


def page_data(step: Step, value: int, comment: str = "") -> dict[str, str]:
    """Answers that complete a page with `value` for every rating (2–4: on every scale, never "Not at all")."""
    data = valid_data(step, value=str(value))
    for item in step.items:
        if item.response_format == Item.Format.FAMILIARITY:
            data[field_name(item)] = str(value)
    if step.subject is None and comment:
        data[COMMENT_FIELD] = comment
    return data


def opened_start_page(token: str) -> tuple[Client, str]:
    """Open a link in a new browser; return the browser and its Start now form's key."""
    browser = Client()
    page = browser.get(f"/s/{token}/")
    return browser, START_KEY.search(page.content.decode()).group(1)


def resume_token_from(location: str) -> str:
    return location.split("/")[2]  # /s/<resume token>/<page>/


def answer_every_page(browser: Client, token: str, value: int, steps: list[Step]):
    """Post every page with `value`; return the statuses seen."""
    response = Response(resume_token=token)
    return [
        browser.post(
            page_url(response, step), page_data(step, value, f"From browser {value}")
        ).status_code
        for step in steps
    ]


def submit(browser: Client, token: str) -> int:
    """Open check-your-answers and press Submit; return the status of the submit."""
    response = Response(resume_token=token)
    page = browser.get(check_url(response))
    if page.status_code != 200:
        return page.status_code
    digest = DIGEST.search(page.content.decode()).group(1)
    return browser.post(check_url(response), {"digest": digest}).status_code


def answer_keys(response: Response) -> list[tuple[int, int | None]]:
    return list(
        Answer.objects.filter(response=response).values_list(
            "item_id", "subject_organisation_id"
        )
    )


def expected_answer_keys(steps: list[Step]) -> Counter:
    return Counter(
        (item.pk, step.subject.pk if step.subject else None)
        for step in steps
        for item in step.items
        if item.response_format != Item.Format.POINTS
    )


def rating_steps(steps: list[Step]) -> list[Step]:
    """Pages with rated questions (the culture profile's points are stored apart)."""
    return [s for s in steps if s.required_items]


def page_values(response: Response, step: Step) -> set[int | None]:
    return set(
        Answer.objects.filter(
            response=response,
            item__in=step.items,
            subject_organisation=step.subject,
        ).values_list("value", flat=True)
    )


# Starting


def test_many_simultaneous_starts_of_a_personal_link_make_one_response(survey_setup):
    token = survey_setup.personal_link.token
    browsers = [opened_start_page(token) for _ in range(BROWSERS)]
    results = run_at_once(
        [
            lambda b=b, key=key: b.post(f"/s/{token}/", {"start_key": key})
            for b, key in browsers
        ]
    )
    assert {r.status_code for r in results} == {302}
    assert len({r["Location"] for r in results}) == 1  # everyone lands in the same one
    assert Response.objects.filter(invitation=survey_setup.personal_link).count() == 1


def test_many_simultaneous_starts_of_an_organisation_link_make_one_response_each(
    survey_setup,
):
    token = survey_setup.org_link.token
    browsers = [opened_start_page(token) for _ in range(BROWSERS)]
    results = run_at_once(
        [
            lambda b=b, key=key: b.post(f"/s/{token}/", {"start_key": key})
            for b, key in browsers
        ]
    )
    assert {r.status_code for r in results} == {302}
    assert len({r["Location"] for r in results}) == BROWSERS
    assert survey_setup.org_link.responses.count() == BROWSERS


# Whole journeys at once


def test_many_browsers_answering_one_personal_link_make_one_submitted_response(
    survey_setup,
):
    """Each browser answers every page with its own value and submits, all at once."""
    link = survey_setup.personal_link

    def journey(browser: Client, key: str, value: int) -> tuple[list[int], int]:
        started = browser.post(f"/s/{link.token}/", {"start_key": key})
        if started.status_code == 410:  # someone else already finished
            return [], 410
        token = resume_token_from(started["Location"])
        steps = build_steps(response=Response.objects.get(resume_token=token))
        return answer_every_page(browser, token, value, steps), submit(browser, token)

    browsers = [opened_start_page(link.token) for _ in range(JOURNEYS)]
    results = run_at_once(
        [
            lambda b=b, key=key, value=2 + n % 3: journey(b, key, value)
            for n, (b, key) in enumerate(browsers)
        ]
    )

    response = Response.objects.get(invitation=link)  # exactly one
    assert response.is_submitted
    steps = build_steps(response=response)
    # Each answer exactly once, and each page wholly from one browser's save.
    assert Counter(answer_keys(response)) == expected_answer_keys(steps)
    for step in rating_steps(steps):
        assert len(page_values(response, step)) == 1, step.slug
    assert ProfileAnswer.objects.filter(response=response).count() == sum(
        item.response_format == Item.Format.POINTS for s in steps for item in s.items
    )
    for comment in Comment.objects.filter(response=response):
        step = next(s for s in steps if s.dimension == comment.dimension)
        assert comment.text == f"From browser {page_values(response, step).pop()}"
    # Page saves after the submission are refused; a submit on a stale check-your-answers
    # page asks to check again (200); otherwise the browser is told it is done (302/410).
    for page_statuses, submit_status in results:
        assert set(page_statuses) <= {302, 410}
        assert submit_status in {200, 302, 410}
    assert sum(submit_status == 302 for _, submit_status in results) >= 1


def test_many_browsers_on_one_organisation_link_each_submit_their_own_answers(
    survey_setup,
):
    link = survey_setup.org_link

    def journey(browser: Client, key: str, value: int) -> str:
        started = browser.post(f"/s/{link.token}/", {"start_key": key})
        token = resume_token_from(started["Location"])
        steps = build_steps(response=Response.objects.get(resume_token=token))
        assert set(answer_every_page(browser, token, value, steps)) == {302}
        assert submit(browser, token) == 302
        return token

    browsers = [opened_start_page(link.token) for _ in range(JOURNEYS)]
    tokens = run_at_once(
        [
            lambda b=b, key=key, value=2 + n % 3: journey(b, key, value)
            for n, (b, key) in enumerate(browsers)
        ]
    )

    assert link.responses.count() == JOURNEYS
    assert link.responses.filter(submitted_at__isnull=False).count() == JOURNEYS
    for n, token in enumerate(tokens):
        response = Response.objects.get(resume_token=token)
        steps = build_steps(response=response)
        assert Counter(answer_keys(response)) == expected_answer_keys(steps)
        # Nobody's answers end up in someone else's response.
        assert set(
            Answer.objects.filter(response=response).values_list("value", flat=True)
        ) == {2 + n % 3}


# Page saves on one response at once


@pytest.fixture
def started(survey_setup) -> tuple[Response, list[Step]]:
    browser, key = opened_start_page(survey_setup.personal_link.token)
    browser.post(f"/s/{survey_setup.personal_link.token}/", {"start_key": key})
    response = Response.objects.get(invitation=survey_setup.personal_link)
    return response, build_steps(response=response)


@pytest.mark.parametrize("page", [0, -1], ids=["own-organisation page", "partner page"])
def test_the_same_page_saved_at_once_keeps_one_whole_save(started, page):
    response, steps = started
    step = steps[page]
    url = page_url(response, step)
    results = run_at_once(
        [
            lambda value=2 + n % 3: Client().post(
                url, page_data(step, value, f"From browser {value}")
            )
            for n in range(BROWSERS)
        ]
    )
    assert {r.status_code for r in results} == {302}
    assert Counter(answer_keys(response)) == expected_answer_keys([step])
    (value,) = page_values(response, step)  # all from the same save
    comments = list(Comment.objects.filter(response=response).values_list("text"))
    assert comments == ([] if step.subject else [(f"From browser {value}",)])


def test_different_pages_saved_at_once_are_all_kept(started):
    response, steps = started
    values = {step.slug: 2 + n % 3 for n, step in enumerate(steps)}
    results = run_at_once(
        [
            lambda step=step: Client().post(
                page_url(response, step), page_data(step, values[step.slug], step.slug)
            )
            for step in steps
        ]
    )
    assert {r.status_code for r in results} == {302}
    assert Counter(answer_keys(response)) == expected_answer_keys(steps)
    for step in rating_steps(steps):
        assert page_values(response, step) == {values[step.slug]}, step.slug
    assert sorted(
        Comment.objects.filter(response=response).values_list("text", flat=True)
    ) == sorted(step.slug for step in steps if step.subject is None)


def test_many_simultaneous_submissions_submit_once(started):
    response, steps = started
    browser = Client()
    for step in steps:
        assert (
            browser.post(page_url(response, step), page_data(step, 4)).status_code
            == 302
        )
    digest = DIGEST.search(browser.get(check_url(response)).content.decode()).group(1)
    results = run_at_once(
        [
            lambda: Client().post(check_url(response), {"digest": digest})
            for _ in range(BROWSERS)
        ]
    )
    # Those that got in before the first one committed are told it is done; later ones see
    # "already answered". Nobody gets an error, and the response is submitted once.
    assert {r.status_code for r in results} <= {302, 410}
    assert sum(r.status_code == 302 for r in results) >= 1
    assert Response.objects.get().is_submitted
    assert Counter(answer_keys(response)) == expected_answer_keys(steps)
