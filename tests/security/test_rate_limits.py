"""Rate limits: survey links and account forms answer 429, kindly, once an address overdoes it."""

import re
import threading
import time
from types import SimpleNamespace

import django_ratelimit.core
import pytest
from django.core import mail
from django.core.cache import caches
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse

from collab_survey import settings as defaults
from surveys.cache import AtomicDatabaseCache
from surveys.journey import build_steps
from surveys.models import Answer, CacheEntry
from surveys.ratelimits import client_ip
from tests.factories import UserFactory
from tests.settings.test_deploy import PRODUCTION_ENV, manage
from tests.surveys.test_respondent import page_url, start, valid_data

pytestmark = pytest.mark.django_db

OFFICE, HOME = "198.51.100.7", "203.0.113.9"


def freeze_rate_windows(monkeypatch) -> None:
    """Stop the clock django-ratelimit reads, so that no window ends in the middle of a test."""
    now = time.time()
    monkeypatch.setattr(
        django_ratelimit.core, "time", SimpleNamespace(time=lambda: now)
    )


@pytest.fixture(autouse=True)
def _limits_on(settings, monkeypatch) -> None:
    """Generous defaults, so each test lowers only the limit it is about."""
    freeze_rate_windows(monkeypatch)
    settings.RATELIMIT_ENABLE = True
    settings.RATELIMIT_RESPONDENT = "1000/m"
    settings.RATELIMIT_UNKNOWN_LINK = "1000/m"
    settings.RATELIMIT_LOGIN = "1000/m"
    settings.RATELIMIT_LOGIN_IP = "1000/m"


def link(invitation) -> str:
    return f"/s/{invitation.token}/"


def assert_friendly_429(page) -> None:
    assert page.status_code == 429
    assert 1 <= int(page["Retry-After"]) <= 60
    assert "no-store" in page["Cache-Control"]
    html = page.content.decode()
    assert "Too many attempts" in html
    assert "Wait a minute" in html
    assert "Traceback" not in html


# Survey links


def test_a_survey_link_answers_429_after_its_limit(client, settings, survey_setup):
    settings.RATELIMIT_RESPONDENT = "3/m"
    for _ in range(3):
        assert client.get(link(survey_setup.personal_link)).status_code == 200
    page = client.get(link(survey_setup.personal_link))
    assert_friendly_429(page)
    assert page["Referrer-Policy"] == "strict-origin"


def test_each_link_and_each_address_is_counted_apart(client, settings, survey_setup):
    settings.RATELIMIT_RESPONDENT = "2/m"
    personal, shared = link(survey_setup.personal_link), link(survey_setup.org_link)
    for _ in range(2):
        client.get(personal, REMOTE_ADDR=OFFICE)
    assert client.get(personal, REMOTE_ADDR=OFFICE).status_code == 429
    assert client.get(shared, REMOTE_ADDR=OFFICE).status_code == 200
    assert client.get(personal, REMOTE_ADDR=HOME).status_code == 200


def test_a_board_answering_from_one_office_is_not_stopped(
    client, settings, survey_setup
):
    """With the default limits, 30 people start on one shared link from one address.

    Each then answers on their own resume link, counted apart from everyone else's.
    """
    settings.RATELIMIT_RESPONDENT = defaults.RATELIMIT_RESPONDENT
    settings.RATELIMIT_UNKNOWN_LINK = defaults.RATELIMIT_UNKNOWN_LINK
    responses = [start(client, survey_setup.org_link) for _ in range(30)]
    steps = build_steps(response=responses[0])
    for response in responses:
        for step in steps[:1]:
            page = client.post(page_url(response, step), valid_data(step))
            assert page.status_code == 302, step.slug


def test_a_limited_respondent_keeps_the_answers_already_saved(
    client, settings, survey_setup
):
    response = start(client, survey_setup.personal_link)
    first, second = build_steps(response=response)[:2]
    client.post(page_url(response, first), valid_data(first))
    saved = set(Answer.objects.filter(response=response).values_list("item", "value"))
    assert saved

    settings.RATELIMIT_RESPONDENT = "1/m"
    client.get(page_url(response, second))
    page = client.post(page_url(response, second), valid_data(second, value="2"))

    assert_friendly_429(page)
    after = set(Answer.objects.filter(response=response).values_list("item", "value"))
    assert after == saved  # nothing lost, nothing of the refused page half-written
    caches["ratelimit"].clear()  # a minute later
    assert (
        client.post(page_url(response, second), valid_data(second)).status_code == 302
    )


def test_guessing_links_locks_the_address_out_of_every_link(
    client, settings, survey_setup
):
    settings.RATELIMIT_UNKNOWN_LINK = "3/m"
    for guess in range(3):
        page = client.get(f"/s/{'x' * 40}{guess}/", REMOTE_ADDR=OFFICE)
        assert page.status_code == 404
    # Now a right guess looks the same as a wrong one: no oracle.
    assert_friendly_429(client.get(link(survey_setup.org_link), REMOTE_ADDR=OFFICE))
    assert client.get(f"/s/{'y' * 43}/", REMOTE_ADDR=OFFICE).status_code == 429
    # Another address is unaffected.
    assert client.get(link(survey_setup.org_link), REMOTE_ADDR=HOME).status_code == 200


def test_valid_links_never_count_as_guesses(client, settings, survey_setup):
    settings.RATELIMIT_UNKNOWN_LINK = "2/m"
    for _ in range(5):
        assert client.get(link(survey_setup.org_link)).status_code == 200


# Account forms


def sign_in(client, username: str, password: str, address: str = OFFICE):
    return client.post(
        reverse("login"),
        {"login": username, "password": password},
        REMOTE_ADDR=address,
    )


def test_sign_in_is_limited_per_account_name_and_address(client, settings):
    settings.RATELIMIT_LOGIN = "3/m"
    user = UserFactory(username="jo")
    for _ in range(3):
        assert (
            sign_in(client, "jo", "wrong").status_code == 200
        )  # the form, with an error
    page = sign_in(client, "Jo ", "correct-horse-battery")  # even the right password
    assert_friendly_429(page)
    assert "_auth_user_id" not in client.session
    # Nobody can lock Jo out from elsewhere, and a colleague in the office still signs in.
    UserFactory(username="sam")
    assert sign_in(client, "sam", "correct-horse-battery").status_code == 302
    client.logout()
    assert (
        sign_in(client, user.username, "correct-horse-battery", HOME).status_code == 302
    )


def test_sign_in_is_limited_per_address_across_account_names(client, settings):
    settings.RATELIMIT_LOGIN_IP = "4/m"
    for n in range(4):
        assert sign_in(client, f"guess{n}", "wrong").status_code == 200
    assert_friendly_429(sign_in(client, "guess5", "wrong"))
    assert sign_in(client, "guess6", "wrong", HOME).status_code == 200


def test_showing_the_sign_in_form_is_never_limited(client, settings):
    settings.RATELIMIT_LOGIN_IP = "1/m"
    for _ in range(5):
        assert client.get(reverse("login"), REMOTE_ADDR=OFFICE).status_code == 200


def test_password_reset_emails_are_limited_per_address_and_email(client, settings):
    settings.RATELIMIT_LOGIN = "2/m"
    user = UserFactory()
    for _ in range(3):
        client.post(reverse("password_reset"), {"email": user.email})
    assert len(mail.outbox) == 2
    assert_friendly_429(client.post(reverse("password_reset"), {"email": user.email}))


@pytest.mark.parametrize(
    "url",
    [
        reverse("login"),
        reverse("password_reset"),
        reverse("password_change"),
        reverse("password_reset_confirm", args=["MQ", "set-password"]),
    ],
)
def test_every_account_form_shares_the_per_address_limit(client, settings, url):
    settings.RATELIMIT_LOGIN_IP = "2/m"
    client.force_login(UserFactory())  # the password change form needs a user
    for _ in range(2):
        assert client.post(url, {"email": "a@example.org"}).status_code != 429
    assert_friendly_429(client.post(url, {"email": "a@example.org"}))


def test_the_switch_turns_every_limit_off(client, settings, survey_setup):
    settings.RATELIMIT_ENABLE = False
    for name in (
        "RATELIMIT_RESPONDENT",
        "RATELIMIT_UNKNOWN_LINK",
        "RATELIMIT_LOGIN",
        "RATELIMIT_LOGIN_IP",
    ):
        setattr(settings, name, "1/m")
    for _ in range(4):
        assert client.get(link(survey_setup.org_link)).status_code == 200
        assert client.get(f"/s/{'z' * 43}/").status_code == 404
        assert sign_in(client, "nobody", "wrong").status_code == 200
    assert not CacheEntry.objects.exists()


# Who is counting: the address, and the shared counter


def address_of(settings, remote: str, forwarded: str | None, proxies: int) -> str:
    settings.TRUSTED_PROXY_COUNT = proxies
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_ip(RequestFactory().get("/", REMOTE_ADDR=remote, **extra))


def test_x_forwarded_for_counts_only_behind_trusted_proxies(settings):
    assert address_of(settings, "10.0.0.1", "6.6.6.6", proxies=0) == "10.0.0.1"
    assert address_of(settings, "10.0.0.1", "6.6.6.6, 1.2.3.4", 1) == "1.2.3.4"
    assert address_of(settings, "10.0.0.1", "6.6.6.6, 1.2.3.4, 10.0.0.2", 2) == (
        "1.2.3.4"
    )
    assert address_of(settings, "10.0.0.1", "1.2.3.4", proxies=2) == "10.0.0.1"
    assert address_of(settings, "10.0.0.1", None, proxies=1) == "10.0.0.1"


def test_an_ipv6_visitor_is_counted_by_their_whole_network(settings):
    one = address_of(settings, "2001:db8:1:2::1", None, proxies=0)
    other = address_of(settings, "2001:db8:1:2:ffff::9", None, proxies=0)
    assert one == other == "2001:db8:1:2::/64"


def test_a_forged_forwarded_for_header_does_not_escape_the_limit(
    client, settings, survey_setup
):
    settings.RATELIMIT_RESPONDENT = "2/m"
    for n in range(2):
        client.get(link(survey_setup.org_link), HTTP_X_FORWARDED_FOR=f"1.1.1.{n}")
    page = client.get(link(survey_setup.org_link), HTTP_X_FORWARDED_FOR="1.1.1.9")
    assert page.status_code == 429


def test_counters_live_in_the_shared_database_cache(settings):
    cache = settings.CACHES[settings.RATELIMIT_USE_CACHE]
    assert cache["BACKEND"] == "surveys.cache.AtomicDatabaseCache"
    assert cache["LOCATION"] == CacheEntry._meta.db_table
    assert isinstance(caches[settings.RATELIMIT_USE_CACHE], AtomicDatabaseCache)


@pytest.mark.django_db(transaction=True)
def test_concurrent_increments_are_never_lost():
    cache = caches["ratelimit"]
    cache.add("hits", 0, 60)
    workers, each = 6, 15

    def count() -> None:
        try:
            for _ in range(each):
                cache.incr("hits")
        finally:
            connection.close()

    threads = [threading.Thread(target=count) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cache.get("hits") == workers * each


def test_an_expired_counter_cannot_be_incremented():
    with pytest.raises(ValueError, match="not found"):
        caches["ratelimit"].incr("never-set")


def test_a_malformed_rate_stops_the_app_from_starting():
    result = manage(
        "check",
        env={
            **PRODUCTION_ENV,
            "DJANGO_SECRET_KEY": "x" * 50,
            "RATELIMIT_LOGIN": "five a minute",
        },
    )
    assert result.returncode != 0
    assert re.search(r"RATELIMIT_LOGIN=.*5/m", result.stderr)
