"""A respondent completes the whole survey in headless Chromium; every page type passes axe."""

import re

import pytest
from django.db import OperationalError
from playwright.sync_api import Page, expect

from surveys.models import Response, Survey

pytestmark = pytest.mark.django_db(transaction=True)


def fill_page(page: Page) -> None:
    """Answer every question on the current page: mostly 'Agree', 25 points each."""
    names = page.eval_on_selector_all(
        "input[type=radio]", "els => [...new Set(els.map(e => e.name))]"
    )
    for name in names:
        page.check(f"input[name={name}][value='{'3' if name == 'p0' else '4'}']")
    for box in page.locator("input[inputmode=numeric]").all():
        box.fill("25")


def test_a_respondent_completes_the_survey(
    page: Page, live_server, survey_setup, check_page
):
    console_errors: list[str] = []
    page.on(
        "console",
        lambda m: console_errors.append(m.text) if m.type == "error" else None,
    )
    link = f"{live_server.url}/s/{survey_setup.personal_link.token}/"

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(survey_setup.survey.title)
    check_page(page, "01-start")
    page.get_by_role("button", name="Start now").click()

    # A page submitted empty shows the error summary, and its links move focus to the field.
    page.get_by_role("button", name="Save and continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    check_page(page, "02-page-with-errors")
    summary.get_by_role("link").first.click()
    expect(page.locator("input[type=radio]").first).to_be_focused()

    fill_page(page)
    page.locator("textarea").fill("Budget pressures mean partnership work slips first.")
    check_page(page, "03-dimension-page")
    page.get_by_role("button", name="Save and continue").click()

    # Leave and come back later: the private link returns to the next unanswered page.
    page.get_by_role("button", name="Save and come back later").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your answers are saved")
    check_page(page, "04-saved")
    page.goto(link)
    expect(page.locator("label[for=progress]")).to_have_text(re.compile("Page 2 of"))

    seen_profile = seen_partner = False
    while "check-answers" not in page.url:
        fill_page(page)
        if "culture_profile" in page.url and not seen_profile:
            check_page(page, "05-culture-profile")
            seen_profile = True
        if "/partner-" in page.url and not seen_partner:
            check_page(page, "06-partner-page")
            seen_partner = True
        page.get_by_role(
            "button", name=re.compile("Save and continue|Check your answers")
        ).click()
    assert seen_profile
    assert seen_partner

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before submitting"
    )
    check_page(page, "07-check-answers")
    page.get_by_role("link", name=re.compile("Change")).first.click()
    page.get_by_role("button", name="Save and continue").click()
    expect(page).to_have_url(re.compile("check-answers"))

    page.get_by_role("button", name="Submit your answers").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Answers submitted")
    check_page(page, "08-confirmation")
    response = Response.objects.get(invitation=survey_setup.personal_link)
    assert response.submitted_at is not None
    assert response.comments.get().text.startswith("Budget pressures")
    assert console_errors == []  # no CSP violations, no missing assets

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You have already answered this survey"
    )
    check_page(page, "09-link-already-used")


def test_unknown_and_closed_links_get_friendly_pages(
    page: Page, live_server, survey_setup, check_page
):
    page.goto(f"{live_server.url}/s/not-a-real-link/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Survey link not recognised"
    )
    check_page(page, "10-unknown-link")
    Survey.objects.filter(pk=survey_setup.survey.pk).update(status=Survey.Status.CLOSED)
    page.goto(f"{live_server.url}/s/{survey_setup.org_link.token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This survey has closed")
    check_page(page, "11-closed")


def test_a_database_outage_shows_the_try_again_page(
    page: Page, live_server, survey_setup, check_page, monkeypatch
):
    def unreachable(**kwargs):
        raise OperationalError("connection to server failed: Connection refused")

    monkeypatch.setattr("surveys.views.respondent.find_link", unreachable)
    response = page.goto(f"{live_server.url}/s/{survey_setup.org_link.token}/")
    assert response.status == 503
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Sorry, there is a problem with the service"
    )
    check_page(page, "12-try-again-later")


def test_the_survey_works_without_javascript(browser, live_server, survey_setup):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/s/{survey_setup.org_link.token}/")
    page.get_by_role("button", name="Start now").click()
    fill_page(page)
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("label[for=progress]")).to_have_text(re.compile("Page 2 of"))
    assert Response.objects.get(invitation=survey_setup.org_link).answers.count() == 5
    context.close()
