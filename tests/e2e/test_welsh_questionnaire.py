"""The questionnaire's own wording in Welsh, in headless Chromium; each page type passes axe."""

import pytest
from playwright.sync_api import Page, expect

from surveys.journey import build_steps
from surveys.models import Response

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def survey_setup(survey_setup):
    """The round offers Welsh as well as English: its pages are never in another language."""
    survey_setup.survey.languages = ["en-gb", "cy"]
    survey_setup.survey.save(update_fields=["languages"])
    return survey_setup


def test_a_respondent_reads_the_questionnaire_in_welsh(
    page: Page, live_server, survey_setup, check_page
):
    page.context.add_cookies(
        [{"name": "collab_language", "value": "cy", "url": live_server.url}]
    )
    link = f"{live_server.url}/s/{survey_setup.personal_link.token}/"
    page.goto(link)
    expect(page.locator(".govuk-body-l")).to_contain_text(
        "Mae'r arolwg hwn yn gofyn pa mor barod yw eich sefydliad"
    )
    check_page(page, "cy-01-start")
    # By its class, not its words: the button's own text is translated elsewhere.
    page.locator("button.govuk-button--start").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Diben a blaenoriaethau cyffredin"
    )
    expect(page.get_by_role("group").first).to_contain_text(
        "Gallwn ddweud mewn un frawddeg beth yw diben y bartneriaeth hon."
    )
    expect(page.get_by_label("Cytuno'n gryf").first).to_be_visible()
    check_page(page, "cy-02-dimension-page")

    response = Response.objects.get(invitation=survey_setup.personal_link)
    steps = {step.slug: step for step in build_steps(response=response)}
    page.goto(f"{live_server.url}/s/{response.resume_token}/culture_profile/")
    expect(page.get_by_role("group").first).to_contain_text(
        "Beth yn bennaf sy'n llywio sut mae pethau'n cael eu gwneud yma?"
    )
    check_page(page, "cy-03-culture-profile")

    partner = next(slug for slug, step in steps.items() if step.subject)
    name = steps[partner].subject.name
    page.goto(f"{live_server.url}/s/{response.resume_token}/{partner}/")
    expect(page.get_by_role("group").first).to_contain_text(
        f"Pa mor dda rydych chi'n gwybod sut mae {name} yn gweithio?"
    )
    check_page(page, "cy-04-partner-page")
