"""A lead deletes a closed round's personal data in the browser; a flood of bad links gets 429."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect

from surveys.models import Invitation, Membership
from surveys.services.rounds import close_round
from tests.factories import InvitationFactory, MembershipFactory
from tests.security.test_rate_limits import freeze_rate_windows

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_lead_deletes_a_closed_rounds_personal_data(
    page: Page, live_server, survey_setup, check_page
):
    survey = survey_setup.survey
    InvitationFactory(survey=survey, organisation=survey_setup.home)
    lead = MembershipFactory(
        partnership=survey.partnership, role=Membership.Role.LEAD
    ).user
    close_round(survey=survey, actor=lead)
    page.context.add_cookies(
        [{"name": "sessionid", "value": session_for(lead), "url": live_server.url}]
    )

    page.goto(live_server.url + survey.get_absolute_url())
    expect(page.locator("#personal-data")).to_contain_text("deleted automatically")
    check_page(page, "data-protection-01-closed-round")
    page.get_by_role("link", name="Delete personal data").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "delete this round’s personal data"
    )
    check_page(page, "data-protection-02-confirm")
    page.get_by_role("button", name="Delete personal data").click()

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Personal data deleted: 2 email addresses"
    )
    expect(page.locator("#personal-data")).to_contain_text("Personal data deleted on")
    check_page(page, "data-protection-03-deleted")
    assert not Invitation.objects.filter(survey=survey, email__isnull=False).exists()


def test_the_too_many_attempts_page_is_accessible(
    page: Page, live_server, db, check_page, monkeypatch
):
    freeze_rate_windows(monkeypatch)
    monkeypatch.setattr(settings, "RATELIMIT_UNKNOWN_LINK", "1/m")
    page.goto(f"{live_server.url}/s/{'x' * 43}/")
    response = page.goto(f"{live_server.url}/s/{'y' * 43}/")
    assert response.status == 429
    expect(page.get_by_role("heading", level=1)).to_have_text("Too many attempts")
    check_page(page, "too-many-attempts")


def session_for(user) -> str:
    """Return a session key signed in as `user` (the sign-in form is tested elsewhere)."""
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value
