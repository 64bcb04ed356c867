"""The admin's sign-in is as slow to guess as the site's own, and the unknown-link lockout
counts only links that were never issued, not a board opening its real link too early."""

import time
from types import SimpleNamespace

import django_ratelimit.core
import pytest
from django.urls import reverse
from django.utils import timezone

from collab_survey import settings as defaults
from surveys.models import Response, RetiredLink, Survey
from surveys.services.invitations import correct_invitee, withdraw_invitee
from tests.factories import InvitationFactory, SurveyFactory, UserFactory
from tests.surveys.test_respondent import start

pytestmark = pytest.mark.django_db

OFFICE, HOME = "198.51.100.7", "203.0.113.9"
PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's


@pytest.fixture(autouse=True)
def _limits_on(settings, monkeypatch) -> None:
    """The deployed limits for sign-in; links limited only by the lockout under test."""
    now = time.time()  # no rate window may end in the middle of a test
    monkeypatch.setattr(
        django_ratelimit.core, "time", SimpleNamespace(time=lambda: now)
    )
    settings.RATELIMIT_ENABLE = True
    settings.RATELIMIT_LOGIN = defaults.RATELIMIT_LOGIN
    settings.RATELIMIT_LOGIN_IP = defaults.RATELIMIT_LOGIN_IP
    settings.RATELIMIT_RESPONDENT = "1000/m"
    settings.RATELIMIT_UNKNOWN_LINK = "3/m"


# The admin's sign-in


def failures_before_429(client, url: str, username: str) -> int:
    field = "login" if url == reverse("login") else "username"
    for count in range(50):
        page = client.post(
            url, {field: username, "password": "wrong"}, REMOTE_ADDR=OFFICE
        )
        if page.status_code == 429:
            return count
        assert page.status_code == 200
    return 50


def test_the_admin_sign_in_stops_after_as_many_failures_as_the_sign_in_form(client):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    UserFactory(username="jo")
    site = failures_before_429(client, reverse("login"), "jo")
    admin = failures_before_429(client, reverse("admin:login"), "root")
    assert site == admin == 5
    # Past the limit even the right password is refused, and nobody is signed in.
    page = client.post(
        reverse("admin:login"),
        {"username": "root", "password": PASSWORD},
        REMOTE_ADDR=OFFICE,
    )
    assert page.status_code == 429
    assert page["Retry-After"]
    assert "_auth_user_id" not in client.session


def test_the_two_sign_in_forms_share_one_count(client):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    # The site's form names the account "login" (allauth's field), the admin's "username".
    forms = [(reverse("login"), "login")] * 3 + [
        (reverse("admin:login"), "username")
    ] * 2
    for url, field in forms:
        page = client.post(
            url, {field: "root", "password": "wrong"}, REMOTE_ADDR=OFFICE
        )
        assert page.status_code == 200
    page = client.post(
        reverse("admin:login"),
        {"username": "root", "password": PASSWORD},
        REMOTE_ADDR=OFFICE,
    )
    assert page.status_code == 429


def test_the_admin_still_signs_its_staff_in(client):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    page = client.post(
        reverse("admin:login"),
        {"username": "root", "password": PASSWORD, "next": "/admin/"},
        REMOTE_ADDR=HOME,
    )
    assert page.status_code == 302
    assert client.get("/admin/").status_code == 200


# The unknown-link lockout


def assert_not_locked_out(client, survey_setup) -> None:
    page = client.get(f"/s/{survey_setup.org_link.token}/", REMOTE_ADDR=OFFICE)
    assert page.status_code == 200


def test_opening_a_draft_rounds_link_many_times_locks_nobody_out(client, survey_setup):
    draft = SurveyFactory(
        partnership=survey_setup.survey.partnership,
        instrument=survey_setup.survey.instrument,
        status=Survey.Status.DRAFT,
    )
    early = InvitationFactory(
        survey=draft, organisation=survey_setup.home, kind="organisation", email=None
    )
    for _ in range(30):
        page = client.get(f"/s/{early.token}/", REMOTE_ADDR=OFFICE)
        assert page.status_code == 404  # "not open yet"
    assert_not_locked_out(client, survey_setup)


def test_a_replaced_link_is_not_a_guess(client, survey_setup):
    replaced = InvitationFactory(
        survey=survey_setup.survey,
        organisation=survey_setup.home,
        kind="organisation",
        email=None,
        revoked_at=timezone.now(),
    )
    for _ in range(10):
        assert (
            client.get(f"/s/{replaced.token}/", REMOTE_ADDR=OFFICE).status_code == 404
        )
    assert_not_locked_out(client, survey_setup)


def test_a_wrong_page_address_of_a_real_link_is_not_a_guess(client, survey_setup):
    response = start(client, survey_setup.org_link)
    for bad in (
        f"/s/{response.resume_token}/no-such-page/",
        f"/s/{survey_setup.org_link.token}/no-such-page/",
    ):
        for _ in range(5):
            assert client.get(bad, REMOTE_ADDR=OFFICE).status_code == 404
    assert_not_locked_out(client, survey_setup)


def test_links_that_never_existed_still_lock_the_address_out(client, survey_setup):
    for guess in range(3):
        assert (
            client.get(f"/s/{'x' * 42}{guess}/", REMOTE_ADDR=OFFICE).status_code == 404
        )
    page = client.get(f"/s/{survey_setup.org_link.token}/", REMOTE_ADDR=OFFICE)
    assert page.status_code == 429


def test_a_look_alike_name_counts_against_the_same_account(client):
    # Django's username field applies NFKC before signing in, so "ｒoot" (a full-width r)
    # is the account "root": it must not start a fresh allowance of guesses.
    UserFactory(username="root", is_staff=True, is_superuser=True)
    assert failures_before_429(client, reverse("admin:login"), "root") == 5
    page = client.post(
        reverse("admin:login"),
        {"username": "\uff52oot", "password": "wrong"},
        REMOTE_ADDR=OFFICE,
    )
    assert page.status_code == 429


@pytest.mark.parametrize("cut", ["withdrawn", "corrected"])
def test_a_resume_link_cut_by_withdrawing_or_correcting_is_not_a_guess(
    client, survey_setup, cut
):
    # Found by the audit: cutting a started invitee's resume link overwrote its token, so
    # the old link counted as never issued and locked its office out of valid links.
    invitation = survey_setup.personal_link
    response = start(client, invitation)
    old = response.resume_token
    lead = UserFactory()
    if cut == "withdrawn":
        withdraw_invitee(invitation=invitation, actor=lead)
    else:
        correct_invitee(invitation=invitation, email="right@example.org", actor=lead)
    for path in (f"/s/{old}/", f"/s/{old}/check/"):
        for _ in range(5):
            page = client.get(path, REMOTE_ADDR=OFFICE)
            assert page.status_code == 404
            assert "Survey link not recognised" in page.content.decode()
    assert_not_locked_out(client, survey_setup)
    # Only a keyed hash of the old link is kept: it opens nothing.
    assert not RetiredLink.objects.filter(digest=old).exists()
    assert RetiredLink.objects.count() == 1
    assert not Response.objects.filter(resume_token=old).exists()


@pytest.mark.parametrize("cut", ["personal_data_deleted", "erased"])
def test_links_cut_by_deleting_personal_data_or_erasing_are_not_guesses(
    client, survey_setup, cut
):
    # Found by the review: deleting a round's personal data or erasing an invitee gave
    # their links new tokens without remembering the old ones, so opening the old emails
    # counted as guesses and locked the office out of its valid links.
    from surveys.services.data_protection import (
        delete_round_personal_data,
        erase_invitee,
    )

    invitation = survey_setup.personal_link
    old_resume = start(client, invitation).resume_token
    old_link = invitation.token
    if cut == "erased":
        erase_invitee(email=invitation.email)
    else:
        survey = survey_setup.survey
        Survey.objects.filter(pk=survey.pk).update(
            status=Survey.Status.CLOSED, closes_at=timezone.now()
        )
        survey.refresh_from_db()
        delete_round_personal_data(survey=survey, actor=UserFactory())
    client.cookies.clear()
    for token in (old_link, old_resume, old_link, old_resume):
        assert client.get(f"/s/{token}/", REMOTE_ADDR=OFFICE).status_code == 404
    if cut == "erased":
        assert_not_locked_out(client, survey_setup)
    else:  # the round is closed: its valid link answers "closed", not the lockout
        page = client.get(f"/s/{survey_setup.org_link.token}/", REMOTE_ADDR=OFFICE)
        assert page.status_code != 429
    assert not RetiredLink.objects.filter(digest__in=[old_link, old_resume]).exists()
