"""A respondent answers a bilingual round in Welsh in headless Chromium; every page passes axe."""

import re

import pytest
from playwright.sync_api import Page, expect

from surveys.models import Response
from tests.e2e.test_respondent_journey import fill_page

pytestmark = pytest.mark.django_db(transaction=True)

NEXT = re.compile("Cadw a pharhau|Gwirio eich atebion")


def expect_welsh(page: Page) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "cy")


def test_a_respondent_answers_in_welsh(
    page: Page, live_server, survey_setup, check_page
):
    survey_setup.survey.languages = ["en-gb", "cy"]
    survey_setup.survey.save(update_fields=["languages"])
    console_errors: list[str] = []
    page.on(
        "console",
        lambda m: console_errors.append(m.text) if m.type == "error" else None,
    )
    page.goto(f"{live_server.url}/s/{survey_setup.org_link.token}/")
    expect(page.locator("html")).to_have_attribute("lang", "en-gb")
    switcher = page.get_by_role("navigation", name="Choose a language")
    expect(switcher.locator("[aria-current=true]")).to_have_text("English")
    switcher.get_by_role("button", name="Cymraeg").click()

    expect_welsh(page)
    expect(page.get_by_role("button", name="Dechrau nawr")).to_be_visible()
    expect(
        page.get_by_role("navigation", name="Dewis iaith").locator("[aria-current]")
    ).to_have_text("Cymraeg")
    check_page(page, "cy-01-start")
    page.get_by_role("button", name="Dechrau nawr").click()

    page.get_by_role("button", name="Cadw a pharhau").click()
    expect(page.locator(".govuk-error-summary__title")).to_have_text(
        "Mae problem wedi codi"
    )
    expect_welsh(page)
    check_page(page, "cy-02-page-with-errors")

    # Switching language on a page of questions keeps what was typed on it.
    fill_page(page)
    page.locator("textarea").fill("Mae pwysau ar y gyllideb.")
    expect(page.locator(".govuk-character-count__status")).to_contain_text("nod ar ôl")
    check_page(page, "cy-03-dimension-page")
    # Long Welsh words on a phone (WCAG 1.4.10 Reflow: 320 CSS pixels, no sideways scroll).
    page.set_viewport_size({"width": 320, "height": 800})
    check_page(page, "cy-03-dimension-page-320px")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.set_viewport_size({"width": 1200, "height": 900})
    page.get_by_role("navigation", name="Dewis iaith").get_by_role(
        "button", name="English"
    ).click()
    expect(page.locator("html")).to_have_attribute("lang", "en-gb")
    expect(page.locator("textarea")).to_have_value("Mae pwysau ar y gyllideb.")
    expect(page.locator("input[type=radio]:checked").first).to_be_visible()
    page.get_by_role("navigation", name="Choose a language").get_by_role(
        "button", name="Cymraeg"
    ).click()
    expect_welsh(page)
    expect(page.locator("textarea")).to_have_value("Mae pwysau ar y gyllideb.")
    page.get_by_role("button", name="Cadw a pharhau").click()

    page.get_by_role("button", name="Cadw a dod yn ôl yn nes ymlaen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Mae eich atebion wedi’u cadw"
    )
    check_page(page, "cy-04-saved")
    page.get_by_role("link", name="Parhau nawr").click()
    expect(page.locator("label[for=progress]")).to_have_text(re.compile("Tudalen 2 o"))

    seen_profile = seen_partner = False
    while "check-answers" not in page.url:
        expect_welsh(page)
        fill_page(page)
        if "culture_profile" in page.url and not seen_profile:
            expect(page.locator(".app-points-total").first).to_have_text(
                "Cyfanswm: 100 o 100 pwynt"
            )
            check_page(page, "cy-05-culture-profile")
            seen_profile = True
            # Enter in a field saves the page (it does not switch the language).
            here = page.url
            page.locator("input[inputmode=numeric]").last.press("Enter")
            expect(page).not_to_have_url(here)
            expect_welsh(page)
            continue
        if "/partner-" in page.url and not seen_partner:
            check_page(page, "cy-06-partner-page")
            seen_partner = True
        page.get_by_role("button", name=NEXT).click()
    assert seen_profile
    assert seen_partner

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Gwiriwch eich atebion cyn eu cyflwyno"
    )
    expect_welsh(page)
    check_page(page, "cy-07-check-answers")
    page.set_viewport_size({"width": 320, "height": 800})
    check_page(page, "cy-07-check-answers-320px")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.set_viewport_size({"width": 1200, "height": 900})
    page.get_by_role("button", name="Cyflwyno eich atebion").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Atebion wedi’u cyflwyno")
    expect_welsh(page)
    check_page(page, "cy-08-confirmation")
    response = Response.objects.get(invitation=survey_setup.org_link)
    assert response.submitted_at is not None
    assert response.comments.get().text == "Mae pwysau ar y gyllideb."
    assert console_errors == []

    page.goto(f"{live_server.url}/s/not-a-real-link/")
    expect_welsh(page)  # no round to ask: the language cookie the switcher set
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Nid ydym yn adnabod dolen yr arolwg"
    )
    check_page(page, "cy-09-unknown-link")
