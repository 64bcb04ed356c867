"""Blank questionnaire pages kept per process: the same HTML a fresh render gives."""

import re

import pytest
from django.conf import settings
from django.test import Client

from surveys.views import blank_pages
from tests.factories import InvitationFactory
from tests.surveys.test_languages import offer, with_welsh
from tests.surveys.test_respondent import page_url, start, steps_for, valid_data

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def without_csrf(html: str) -> str:
    """The page with its CSRF token taken out (masked afresh on every request)."""
    return CSRF.sub('name="csrfmiddlewaretoken" value=""', html)


@pytest.fixture
def bilingual(survey_setup, settings):
    settings.RATELIMIT_ENABLE = False
    with_welsh(survey_setup.survey.instrument)
    offer(survey_setup.survey, "en-gb", "cy")
    return survey_setup


def respondent(link, language: str) -> tuple[Client, object]:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client, start(client, link)


@pytest.mark.parametrize("language", ["en-gb", "cy"])
@pytest.mark.parametrize("link", ["org_link", "personal_link"])
def test_every_kept_page_is_the_page_a_fresh_render_gives(
    bilingual, monkeypatch, language, link
):
    blank_pages._pages.clear()
    first_link = getattr(bilingual, link)
    second_link = (
        first_link
        if link == "org_link"
        else InvitationFactory(
            survey=bilingual.survey, organisation=bilingual.home, role="board_member"
        )
    )
    first_client, first = respondent(first_link, language)
    second_client, second = respondent(second_link, language)
    steps = steps_for(second)
    assert len(steps) > 5
    for step in steps:
        assert first_client.get(page_url(first, step)).status_code == 200
    kept = {step.slug: second_client.get(page_url(second, step)) for step in steps}
    assert len(blank_pages._pages) == len(steps)  # every page came from a kept copy
    monkeypatch.setattr(blank_pages, "_key", lambda *args: None)
    for step in steps:
        fresh = second_client.get(page_url(second, step))
        html = kept[step.slug].content.decode()
        assert without_csrf(html) == without_csrf(fresh.content.decode())
        assert first.resume_token not in html
        assert second.resume_token in html
        assert f'lang="{language}"' in html
        [token] = CSRF.findall(html)
        assert len(token) == 64


def test_a_kept_page_sets_a_csrf_token_its_form_can_post_with(bilingual):
    blank_pages._pages.clear()
    first_client, first = respondent(bilingual.org_link, "en-gb")
    step = steps_for(first)[0]
    first_client.get(page_url(first, step))
    checked = Client(enforce_csrf_checks=True)
    second = start(checked, bilingual.org_link)
    page = checked.get(page_url(second, step))
    assert len(blank_pages._pages) == 1
    [token] = CSRF.findall(page.content.decode())
    saved = checked.post(
        page_url(second, step), {**valid_data(step), "csrfmiddlewaretoken": token}
    )
    assert saved.status_code == 302
    forged = checked.post(
        page_url(second, step), {**valid_data(step), "csrfmiddlewaretoken": "x" * 64}
    )
    assert forged.status_code == 403


def test_pages_with_answers_or_a_banner_are_rendered_afresh(bilingual):
    blank_pages._pages.clear()
    client, response = respondent(bilingual.org_link, "en-gb")
    step = steps_for(response)[0]
    client.post(page_url(response, step), {**valid_data(step), "save_and_exit": "1"})
    html = client.get(page_url(response, step)).content.decode()
    assert "checked" in html
    assert not blank_pages._pages
    other = steps_for(response)[1]
    client.post(
        page_url(response, other), {"email_link": "1", "resume_email": "a@example.org"}
    )
    html = client.get(page_url(response, other)).content.decode()
    assert "govuk-notification-banner" in html
    assert not blank_pages._pages
