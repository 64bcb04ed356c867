"""When the database fails during a request: a friendly "try again" page, and nothing half-saved.

These make the failure happen at an exact point; test_database_outage.py stops a real server.
"""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import InterfaceError, OperationalError, connection
from django.test import Client

from surveys.models import Answer, Comment
from surveys.views.errors import is_database_unavailable
from tests.factories import UserFactory
from tests.reliability.test_concurrency import START_KEY
from tests.surveys.test_respondent import page_url, start, steps_for, valid_data

pytestmark = pytest.mark.django_db

SECRET_DETAIL = 'could not connect to server "db-7.internal" port 5432'


def unreachable(*args, **kwargs):
    raise OperationalError(SECRET_DETAIL)


@pytest.fixture
def browser() -> Client:
    """A browser that gets the page a real server would send instead of the exception."""
    return Client(raise_request_exception=False)


def assert_try_again_page(page) -> None:
    html = page.content.decode()
    assert page.status_code == 503
    assert page["Retry-After"] == "120"
    assert [t.name for t in page.templates][:1] == ["503.html"]
    assert "Sorry, there is a problem with the service" in html
    assert "Try again later" in html
    for detail in ("Traceback", "OperationalError", "db-7.internal", "5432"):
        assert detail not in html


def test_a_database_error_in_a_page_shows_try_again_later(browser, monkeypatch):
    monkeypatch.setattr("surveys.views.respondent.find_link", unreachable)
    assert_try_again_page(browser.get("/s/some-survey-link/"))


def test_the_try_again_page_needs_no_database_even_for_a_signed_in_user(
    browser, monkeypatch
):
    # The session, the signed-in user and the header's account links all live in the
    # database; the page must still render when every query fails.
    browser.force_login(UserFactory())
    monkeypatch.setattr(connection, "cursor", unreachable)
    page = browser.get("/partnerships/")
    assert_try_again_page(page)
    assert "Sign out" not in page.content.decode()


def test_a_database_error_after_the_page_also_shows_try_again_later(
    browser, survey_setup, monkeypatch
):
    # Starting on an organisation link remembers the response in the session, which a
    # middleware saves after the view has run: a failure there is caught too.
    link = survey_setup.org_link
    page = browser.get(f"/s/{link.token}/")
    key = START_KEY.search(page.content.decode()).group(1)
    with monkeypatch.context() as patch:
        patch.setattr(SessionStore, "save", unreachable)
        assert_try_again_page(browser.post(f"/s/{link.token}/", {"start_key": key}))
    # Trying again with the same form carries on with the response already started.
    assert browser.post(f"/s/{link.token}/", {"start_key": key}).status_code == 302
    assert link.responses.count() == 1


def test_other_server_errors_keep_the_plain_500_page(browser, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("a bug, not an outage")

    monkeypatch.setattr("surveys.views.respondent.find_link", broken)
    page = browser.get("/s/some-survey-link/")
    assert page.status_code == 500
    assert "Retry-After" not in page
    assert "a bug, not an outage" not in page.content.decode()


def test_a_lost_connection_mid_save_keeps_the_page_as_it_was(
    browser, survey_setup, monkeypatch
):
    response = start(browser, survey_setup.personal_link)
    step = steps_for(response)[0]
    first = {**valid_data(step, "4"), "comment": "Budgets first."}
    assert browser.post(page_url(response, step), first).status_code == 302

    # The old answers are deleted and the new ones written; then the comment fails.
    def lose_connection(*args, **kwargs):
        raise InterfaceError("connection already closed")

    monkeypatch.setattr(Comment.objects, "create", lose_connection)
    # (On PostgreSQL the comment is written by prepared statements, replace_comment.)
    monkeypatch.setattr("surveys.services.responses.replace_comment", lose_connection)
    again = {**valid_data(step, "2"), "comment": "Changed my mind."}
    assert_try_again_page(browser.post(page_url(response, step), again))

    assert set(
        Answer.objects.filter(response=response).values_list("value", flat=True)
    ) == {4}
    assert Answer.objects.filter(response=response).count() == len(step.items)
    assert Comment.objects.get(response=response).text == "Budgets first."


@pytest.mark.parametrize(
    ("exc", "unavailable"),
    [
        (OperationalError("server closed the connection unexpectedly"), True),
        (InterfaceError("connection already closed"), True),
        (ValueError("a bug"), False),
        (None, False),
    ],
)
def test_only_connection_failures_count_as_the_database_being_unavailable(
    exc, unavailable
):
    assert is_database_unavailable(exc) is unavailable


def test_a_connection_failure_behind_another_error_counts_too():
    def render_page() -> None:
        try:
            raise OperationalError(
                "terminating connection due to administrator command"
            )
        except OperationalError as cause:
            raise RuntimeError("while rendering the page") from cause

    with pytest.raises(RuntimeError) as caught:
        render_page()
    assert is_database_unavailable(caught.value)
