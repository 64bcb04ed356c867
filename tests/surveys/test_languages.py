"""A round's languages: chosen by its lead, the only ones its respondent pages are shown in."""

import pytest
from django.conf import settings
from django.urls import reverse

from surveys.journey import build_steps
from surveys.models import Answer, Response, Survey
from surveys.services.responses import start_response

pytestmark = pytest.mark.django_db

WELSH_START = "Dechrau nawr"
ENGLISH_START = "Start now"


def offer(survey: Survey, *languages: str) -> Survey:
    survey.languages = list(languages)
    survey.save(update_fields=["languages"])
    return survey


def start_page(client, survey_setup, **headers):
    return client.get(
        reverse("surveys:respondent_start", args=[survey_setup.org_link.token]),
        **headers,
    )


def with_welsh(instrument):
    """Give a bare test questionnaire Welsh wording, as the default one has."""
    instrument.languages = ["en", "cy"]
    instrument.save(update_fields=["languages"])
    return instrument


def round_form_data(instrument, **extra) -> dict:
    return {
        "title": "Spring 2027",
        "instrument": instrument.pk,
        "anonymity_threshold": "5",
        **extra,
    }


# Which language a respondent page is in


def test_a_new_round_offers_english_only(survey_setup):
    assert Survey.objects.get(pk=survey_setup.survey.pk).languages == ["en-gb"]


def test_an_english_round_stays_english_for_a_welsh_browser(client, survey_setup):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    page = start_page(client, survey_setup, HTTP_ACCEPT_LANGUAGE="cy")
    html = page.content.decode()
    assert '<html lang="en-gb"' in html
    assert ENGLISH_START in html
    assert "app-language-select" not in html  # one language: no switcher


def test_a_bilingual_round_follows_the_browsers_accept_language(client, survey_setup):
    offer(survey_setup.survey, "en-gb", "cy")
    page = start_page(client, survey_setup, HTTP_ACCEPT_LANGUAGE="cy,en;q=0.5")
    html = page.content.decode()
    assert '<html lang="cy"' in html
    assert WELSH_START in html
    assert page["Content-Language"] == "cy"


def test_the_language_cookie_wins_over_accept_language(client, survey_setup):
    offer(survey_setup.survey, "en-gb", "cy")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en-gb"
    page = start_page(client, survey_setup, HTTP_ACCEPT_LANGUAGE="cy")
    assert ENGLISH_START in page.content.decode()


def test_a_browser_asking_for_neither_gets_the_rounds_first_language(
    client, survey_setup
):
    offer(survey_setup.survey, "en-gb", "cy")
    page = start_page(client, survey_setup, HTTP_ACCEPT_LANGUAGE="fr")
    assert '<html lang="en-gb"' in page.content.decode()


def test_a_welsh_only_round_is_welsh_for_an_english_browser(client, survey_setup):
    offer(survey_setup.survey, "cy")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en-gb"
    page = start_page(client, survey_setup, HTTP_ACCEPT_LANGUAGE="en-GB")
    html = page.content.decode()
    assert '<html lang="cy"' in html
    assert WELSH_START in html


def test_a_closed_rounds_page_is_in_the_rounds_language(client, survey_setup):
    offer(survey_setup.survey, "cy")
    Survey.objects.filter(pk=survey_setup.survey.pk).update(status=Survey.Status.CLOSED)
    page = start_page(client, survey_setup)
    assert page.status_code == 410
    assert "Mae’r arolwg hwn wedi cau" in page.content.decode()


def test_management_pages_stay_english_for_a_welsh_browser(lead_client, team):
    lead_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    page = lead_client.get(team.round.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="cy")
    html = page.content.decode()
    assert '<html lang="en-gb"' in html
    assert "Skip to main content" in html


def test_a_page_not_found_follows_the_browser(client):
    page = client.get("/s/no-such-link/x/y/", HTTP_ACCEPT_LANGUAGE="cy")
    assert page.status_code == 404
    assert "Heb ddod o hyd i’r dudalen" in page.content.decode()


# The switcher


def test_the_switcher_marks_the_current_language_and_offers_the_other(
    client, survey_setup
):
    offer(survey_setup.survey, "en-gb", "cy")
    html = start_page(client, survey_setup).content.decode()
    assert (
        '<span class="app-language-select__current" aria-current="true" '
        'lang="en-gb">English</span>'
    ) in html
    assert 'name="language" value="cy" lang="cy">Cymraeg</button>' in html
    assert f'action="{reverse("surveys:language_set")}"' in html


def test_switching_on_the_start_page_sets_the_cookie_and_returns(client, survey_setup):
    offer(survey_setup.survey, "en-gb", "cy")
    start = reverse("surveys:respondent_start", args=[survey_setup.org_link.token])
    switched = client.post(
        reverse("surveys:language_set"), {"language": "cy", "next": start}
    )
    assert switched.status_code == 302
    assert switched["Location"] == start
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "cy"
    assert WELSH_START in client.get(start).content.decode()


def test_switching_elsewhere_than_our_site_is_refused(client):
    switched = client.post(
        reverse("surveys:language_set"),
        {"language": "cy", "next": "https://evil.example/"},
    )
    assert switched["Location"] == "/"


def question_page(survey_setup) -> tuple[Response, str]:
    response = start_response(invitation=survey_setup.personal_link, start_key="k" * 24)
    step = build_steps(response=response)[0]
    url = reverse(
        "surveys:respondent_step",
        kwargs={"token": response.resume_token, "step": step.slug},
    )
    return response, url


def test_switching_on_a_question_page_saves_what_was_typed(client, survey_setup):
    offer(survey_setup.survey, "en-gb", "cy")
    response, url = question_page(survey_setup)
    html = client.get(url).content.decode()
    # The buttons belong to the page's form, after a hidden copy of its Continue button.
    assert 'form="answers" name="continue" value="1" hidden' in html
    assert 'value="cy" lang="cy" form="answers">Cymraeg</button>' in html
    first = build_steps(response=response)[0].items[0]
    switched = client.post(url, {first.code.lower(): "4", "language": "cy"})
    assert switched.status_code == 302
    assert switched["Location"] == url
    assert switched.cookies[settings.LANGUAGE_COOKIE_NAME].value == "cy"
    assert Answer.objects.get(response=response, item=first).value == 4
    again = client.get(url)
    assert '<html lang="cy"' in again.content.decode()
    assert "Cadw a pharhau" in again.content.decode()
    assert again.context["form"].initial[first.code.lower()] == "4"


def test_a_comment_keeps_the_language_of_the_page_it_was_written_on(
    client, survey_setup
):
    from surveys.models import Comment

    offer(survey_setup.survey, "en-gb", "cy")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    response, url = question_page(survey_setup)
    first = build_steps(response=response)[0].items[0]
    client.post(url, {first.code.lower(): "4", "comment": "Sylw", "save_and_exit": "1"})
    assert Comment.objects.get(response=response).language == "cy"


def test_switching_with_a_mistake_on_the_page_shows_it_in_the_new_language(
    client, survey_setup
):
    offer(survey_setup.survey, "en-gb", "cy")
    response, url = question_page(survey_setup)
    first = build_steps(response=response)[0].items[0]
    page = client.post(url, {first.code.lower(): "99", "language": "cy"})
    assert page.status_code == 200
    assert "Mae problem wedi codi" in page.content.decode()
    assert page.cookies[settings.LANGUAGE_COOKIE_NAME].value == "cy"
    assert not Answer.objects.filter(response=response).exists()


def test_a_language_the_round_does_not_offer_is_not_switched_to(client, survey_setup):
    response, url = question_page(survey_setup)
    first = build_steps(response=response)[0].items[0]
    page = client.post(url, {first.code.lower(): "4", "language": "cy"})
    # Not a switch, so an ordinary Continue: the page's other questions still need answers.
    assert page.status_code == 200
    assert settings.LANGUAGE_COOKIE_NAME not in page.cookies
    assert "There is a problem" in page.content.decode()


def test_a_blank_page_drawn_in_english_is_drawn_again_in_welsh(client, survey_setup):
    offer(survey_setup.survey, "en-gb", "cy")
    _response, url = question_page(survey_setup)
    assert "Anything you would like to add" in client.get(url).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    welsh = client.get(url).content.decode()
    assert "Anything you would like to add" not in welsh
    assert "Oes unrhyw beth yr hoffech ei ychwanegu" in welsh


# Choosing a round's languages


def test_lead_creates_a_round_in_english_and_welsh(lead_client, team):
    with_welsh(team.round.instrument)
    lead_client.post(
        reverse("surveys:round_create", args=[team.partnership.public_id]),
        round_form_data(
            team.round.instrument, languages=["cy", "en-gb"], languages_shown="1"
        ),
    )
    assert Survey.objects.get(title="Spring 2027").languages == ["en-gb", "cy"]


def test_welsh_cannot_be_offered_with_a_questionnaire_that_has_no_welsh(
    lead_client, team
):
    instrument = team.round.instrument
    instrument.languages = ["en"]
    instrument.save(update_fields=["languages"])
    page = lead_client.post(
        reverse("surveys:round_create", args=[team.partnership.public_id]),
        round_form_data(instrument, languages=["cy", "en-gb"], languages_shown="1"),
    )
    assert page.status_code == 200
    assert "This questionnaire has no wording in Cymraeg" in page.content.decode()
    assert not Survey.objects.filter(title="Spring 2027").exists()


def test_a_round_needs_at_least_one_language(lead_client, team):
    page = lead_client.post(
        reverse("surveys:round_create", args=[team.partnership.public_id]),
        round_form_data(team.round.instrument, languages_shown="1"),
    )
    assert page.status_code == 200
    assert "Select at least one language" in page.content.decode()
    assert not Survey.objects.filter(title="Spring 2027").exists()


def test_a_language_not_on_the_list_is_refused(lead_client, team):
    page = lead_client.post(
        reverse("surveys:round_create", args=[team.partnership.public_id]),
        round_form_data(team.round.instrument, languages=["fr"], languages_shown="1"),
    )
    assert page.status_code == 200
    assert not Survey.objects.filter(title="Spring 2027").exists()


def test_lead_changes_an_open_rounds_languages(lead_client, team):
    with_welsh(team.round.instrument)
    edit = reverse(
        "surveys:round_edit", args=[team.partnership.public_id, team.round.public_id]
    )
    form = lead_client.get(edit)
    assert form.context["form"]["languages"].value() == ["en-gb"]
    assert '<span lang="cy">Cymraeg</span>' in form.content.decode()
    lead_client.post(
        edit,
        {
            "title": team.round.title,
            "anonymity_threshold": str(team.round.anonymity_threshold),
            "languages": ["cy"],
            "languages_shown": "1",
        },
    )
    team.round.refresh_from_db()
    assert team.round.languages == ["cy"]


def test_the_round_page_shows_its_languages(lead_client, team):
    offer(team.round, "en-gb", "cy")
    html = lead_client.get(team.round.get_absolute_url()).content.decode()
    assert '<span lang="en-gb">English</span>, <span lang="cy">Cymraeg</span>' in html


# A personal invitee's language: the one the lead gave them, which their emails are in


def personal_link(survey_setup, language: str):
    from tests.factories import InvitationFactory

    return InvitationFactory(
        survey=survey_setup.survey,
        organisation=survey_setup.org_link.organisation,
        language=language,
    )


def test_a_welsh_invitees_link_opens_in_welsh_whatever_the_browser_says(
    client, survey_setup
):
    offer(survey_setup.survey, "en-gb", "cy")
    invitation = personal_link(survey_setup, "cy")
    page = client.get(
        reverse("surveys:respondent_start", args=[invitation.token]),
        HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9",
    )
    assert '<html lang="cy"' in page.content.decode()


def test_a_language_picked_with_the_switcher_wins_over_the_invitees(
    client, survey_setup
):
    offer(survey_setup.survey, "en-gb", "cy")
    invitation = personal_link(survey_setup, "cy")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en-gb"
    page = client.get(reverse("surveys:respondent_start", args=[invitation.token]))
    assert ENGLISH_START in page.content.decode()


def test_an_invitees_language_the_round_does_not_offer_falls_back_to_the_round(
    client, survey_setup
):
    invitation = personal_link(survey_setup, "cy")  # the round offers English only
    page = client.get(reverse("surveys:respondent_start", args=[invitation.token]))
    assert '<html lang="en-gb"' in page.content.decode()


def test_a_welsh_page_links_the_privacy_notice_in_welsh(client, survey_setup):
    offer(survey_setup.survey, "en-gb", "cy")
    html = start_page(client, survey_setup, HTTP_ACCEPT_LANGUAGE="cy").content.decode()
    # The start page's summary and the footer both lead to the Welsh notice.
    assert html.count('href="/privacy?lang=cy"') == 2
