"""Issue 15 in a browser: board links (copy, QR sheet, print), reopening a round, and a
respondent who carries on on another device; screenshots at 1280 and 390 px, axe clean."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from surveys.journey import build_steps
from surveys.models import Answer, Item, Membership, PartnershipMember, Response, Survey
from surveys.services.responses import PageAnswers, save_page
from tests.e2e.conftest import SCREENSHOTS
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = (1280, 390)


def sign_in_as(page: Page, base: str, user) -> None:
    """Sign the browser in as `user` with a session made by Django's test client."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}]
    )


def at_each_width(page: Page, check_page, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        check_page(page, f"{name}-{width}")


def answer_everything(response: Response) -> None:
    for step in build_steps(response=response):
        ratings, points = {}, {}
        for item in step.items:
            if item.response_format == Item.Format.POINTS:
                points[item] = 25
            elif item.response_format == Item.Format.FAMILIARITY:
                ratings[item] = 3
            else:
                ratings[item] = 4
        save_page(
            response=response,
            step=step,
            answers=PageAnswers(ratings=ratings, points=points, comment="A comment"),
        )


def test_a_lead_copies_prints_and_reopens(
    page: Page, live_server, survey_setup, check_page
):
    base = live_server.url
    survey = survey_setup.survey
    partnership = survey.partnership
    lead = MembershipFactory(partnership=partnership, role=Membership.Role.LEAD).user
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    sign_in_as(page, base, lead)

    # The round page: each link gets a Copy button; "Copied" is announced.
    page.goto(base + survey.get_absolute_url())
    links = page.locator("section[aria-labelledby=links]")
    button = links.get_by_role(
        "button", name=re.compile("Copy link the link for Northshire Council")
    )
    button.click()
    expect(links.get_by_role("status").first).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.endswith(f"/s/{survey_setup.org_link.token}/")
    links.scroll_into_view_if_needed()
    at_each_width(page, check_page, "round-links")
    page.set_viewport_size({"width": 1280, "height": 900})

    # The printable sheet: a block per organisation with its QR code.
    links.get_by_role("link", name="Print links with QR codes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Organisation links to share"
    )
    expect(page.locator(".app-link-card")).to_have_count(
        1
    )  # only the home organisation has a link
    expect(
        page.get_by_role(
            "img", name=re.compile("QR code of the survey link for Northshire Council")
        )
    ).to_be_visible()
    at_each_width(page, check_page, "links-sheet")
    page.emulate_media(media="print")
    expect(page.locator(".app-header")).to_be_hidden()
    page.screenshot(path=SCREENSHOTS / "links-sheet-print.png", full_page=True)
    page.emulate_media(media="screen")

    # Close, then reopen with the confirmation page that says what it means.
    page.goto(base + survey.get_absolute_url())
    page.get_by_role("link", name="Close round").click()
    page.get_by_role("button", name="Close round").click()
    page.get_by_role("link", name="Reopen round").click()
    day = timezone.localdate() + timedelta(days=14)
    closes = page.get_by_role("group", name="New closing date")
    closes.get_by_label("Day").fill(str(day.day))
    closes.get_by_label("Month").fill(str(day.month))
    closes.get_by_label("Year").fill(str(day.year))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Reopen the round until"
    )
    expect(page.locator("#date-change-effect")).to_contain_text("stay as they are")
    at_each_width(page, check_page, "round-reopen-confirm")
    page.get_by_role("button", name="Reopen round").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "reopened"
    )
    assert Survey.objects.get(pk=survey.pk).status == Survey.Status.OPEN


def test_a_respondent_carries_on_on_another_device(
    page: Page, browser, live_server, survey_setup, check_page
):
    base = live_server.url
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/s/{survey_setup.org_link.token}/")
    expect(page.get_by_text(re.compile(r"it takes about \d+ minutes"))).to_be_visible()
    page.get_by_role("button", name="Start now").click()

    # The first page shows the private link, open, with a Copy button.
    panel = page.locator("#another-device")
    expect(panel).to_have_attribute("open", "")
    page.get_by_role("radio").first.check()
    panel.get_by_role("button", name="Copy your link").click()
    expect(panel.get_by_role("status")).to_have_text("Copied")
    private = page.evaluate("navigator.clipboard.readText()")
    response = Response.objects.get(invitation=survey_setup.org_link)
    assert private.endswith(f"/s/{response.resume_token}/")
    at_each_width(page, check_page, "another-device-first-page")

    # Email it: the page is saved first, and the address is not shown back.
    page.set_viewport_size({"width": 1280, "height": 900})
    panel.get_by_label("Or email it to yourself (optional)").fill("me@example.net")
    panel.get_by_role("button", name="Save and email me the link").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "emailed you your private link"
    )
    assert "me@example.net" not in page.content()
    assert Answer.objects.filter(response=response).count() == 1
    at_each_width(page, check_page, "another-device-emailed")

    # A second device (a fresh browser context) opens the private link: same answers.
    phone = browser.new_context(viewport={"width": 390, "height": 844})
    other = phone.new_page()
    other.goto(private)
    expect(other.locator("input[type=radio]:checked")).to_have_count(1)
    check_page(other, "another-device-second-device-390")
    phone.close()

    # "Not at all" for a partner hides that partner's other questions.
    partner = next(s for s in build_steps(response=response) if s.subject)
    page.goto(f"{base}/s/{response.resume_token}/{partner.slug}/")
    groups = page.locator("form .govuk-form-group:not(.app-another-device *)")
    expect(groups).to_have_count(len(partner.items))
    page.get_by_label("Not at all").check()
    expect(
        page.get_by_role("status").filter(has_text="other questions are skipped")
    ).to_be_visible()
    expect(
        page.locator("form .govuk-form-group:visible:not(.app-another-device *)")
    ).to_have_count(1)
    at_each_width(page, check_page, "partner-not-at-all")
    page.get_by_label("Quite well").check()
    expect(
        page.locator("form .govuk-form-group:visible:not(.app-another-device *)")
    ).to_have_count(len(partner.items))


def test_the_check_page_is_compact_with_twelve_organisations(
    page: Page, live_server, survey_setup, check_page
):
    PartnershipMember.objects.add(
        partnership=survey_setup.survey.partnership,
        organisations=[
            OrganisationFactory(name=f"Partner organisation {n}") for n in range(9)
        ],
    )
    response = Response.objects.create(
        survey=survey_setup.survey,
        organisation=survey_setup.home,
        invitation=survey_setup.org_link,
        start_key="k" * 30,
    )
    answer_everything(response)
    heights = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/s/{response.resume_token}/check-answers/")
        heights[width] = page.evaluate("document.documentElement.scrollHeight")
        check_page(page, f"check-answers-12-organisations-{width}")
    print(f"check-your-answers height with 12 organisations: {heights}")  # noqa: T201
    # It was 19,208 px at 1280 and 20,673 px at 390 before issue 15.
    assert heights[1280] < 5000
    assert heights[390] < 9000
