"""The respondent journey at /s/<token>/, page by page, including every kind of bad input."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from surveys.forms.respondent import field_name
from surveys.journey import Step, build_steps
from surveys.models import Answer, Comment, Item, ProfileAnswer, Response, Survey

pytestmark = pytest.mark.django_db


def start(client, invitation) -> Response:
    """Open a link, press Start now, and return the response it created."""
    page = client.get(f"/s/{invitation.token}/")
    key = re.search(r'name="start_key" value="([^"]+)"', page.content.decode()).group(1)
    client.post(f"/s/{invitation.token}/", {"start_key": key})
    return Response.objects.filter(invitation=invitation).latest("created_at")


def page_url(response: Response, step: Step | str) -> str:
    slug = step if isinstance(step, str) else step.slug
    return reverse(
        "surveys:respondent_step", kwargs={"token": response.resume_token, "step": slug}
    )


def check_url(response: Response) -> str:
    return reverse("surveys:respondent_check", kwargs={"token": response.resume_token})


def valid_data(step: Step, value: str = "4") -> dict[str, str]:
    """Answers that complete a page: `value` for ratings, 25 points each for profile prompts."""
    data = {}
    for item in step.items:
        if item.response_format == Item.Format.POINTS:
            data[field_name(item)] = "25"
        elif item.response_format == Item.Format.FAMILIARITY:
            data[field_name(item)] = "3"
        else:
            data[field_name(item)] = value
    return data


def answer_all(client, response: Response) -> None:
    for step in build_steps(response=response):
        result = client.post(page_url(response, step), valid_data(step))
        assert result.status_code == 302, (step.slug, result.content[:2000])


def steps_for(response: Response) -> list[Step]:
    return build_steps(response=response)


# The start page


def test_start_page_shows_the_privacy_notice(client, survey_setup):
    page = client.get(f"/s/{survey_setup.org_link.token}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "How we use your answers" in html
    assert "Northshire Council" in html
    assert "at least 5 people" in html


def test_starting_creates_a_response_and_goes_to_the_first_page(client, survey_setup):
    response = start(client, survey_setup.personal_link)
    first = steps_for(response)[0]
    assert response.organisation == survey_setup.home
    assert response.role == "board_member"
    page = client.get(f"/s/{survey_setup.personal_link.token}/")
    assert page.status_code == 302
    assert page["Location"] == page_url(response, first)


def test_double_clicked_start_makes_one_response(client, survey_setup):
    link = survey_setup.org_link
    page = client.get(f"/s/{link.token}/")
    key = re.search(r'name="start_key" value="([^"]+)"', page.content.decode()).group(1)
    client.post(f"/s/{link.token}/", {"start_key": key})
    client.post(f"/s/{link.token}/", {"start_key": key})
    assert link.responses.count() == 1


def test_a_tampered_start_key_is_refused(client, survey_setup):
    page = client.post(f"/s/{survey_setup.org_link.token}/", {"start_key": "<script>"})
    assert page.status_code == 200
    assert "There is a problem" in page.content.decode()
    assert not Response.objects.exists()


def test_an_organisation_link_gives_each_visitor_their_own_response(
    client, django_user_model, survey_setup
):
    from django.test import Client

    first = start(client, survey_setup.org_link)
    second = start(Client(), survey_setup.org_link)
    assert first.pk != second.pk
    assert first.resume_token != second.resume_token


def test_the_same_browser_is_offered_its_unfinished_answers(client, survey_setup):
    first = start(client, survey_setup.org_link)
    page = client.get(f"/s/{survey_setup.org_link.token}/")
    html = page.content.decode()
    # Offered, not opened: the next person on a shared computer must not land in them.
    assert page.status_code == 200
    assert "continue your answers" in html
    assert first.resume_token in html
    assert survey_setup.org_link.responses.count() == 1


# Answering pages


def test_a_valid_page_is_saved_and_leads_to_the_next(client, survey_setup):
    response = start(client, survey_setup.personal_link)
    first, second = steps_for(response)[:2]
    data = {
        **valid_data(first),
        field_name(first.items[0]): "dk",
        "comment": "  Budgets first. ",
    }
    result = client.post(page_url(response, first), data)
    assert result.status_code == 302
    assert result["Location"] == page_url(response, second)
    values = dict(
        Answer.objects.filter(response=response).values_list("item__code", "value")
    )
    assert values[first.items[0].code] is None  # Don't know
    assert values[first.items[1].code] == 4
    assert Comment.objects.get(response=response).text == "Budgets first."


def test_every_item_offers_dont_know(client, survey_setup):
    response = start(client, survey_setup.personal_link)
    for step in steps_for(response)[:2]:
        html = client.get(page_url(response, step)).content.decode()
        for item in step.items:
            assert f'name="{field_name(item)}"' in html
            assert re.search(
                rf'name="{field_name(item)}"[^>]*\n?[^>]*value="dk"', html
            ), item.code


def test_a_missing_answer_reshows_the_page_with_an_error_summary(client, survey_setup):
    response = start(client, survey_setup.personal_link)
    step = steps_for(response)[0]
    data = valid_data(step)
    missing = field_name(step.items[2])
    del data[missing]
    page = client.post(page_url(response, step), data)
    html = page.content.decode()
    assert page.status_code == 200
    assert "There is a problem" in html
    assert f'href="#id_{missing}_1"' in html  # the summary links to the first radio
    assert f'id="id_{missing}_1"' in html
    assert 'checked="checked"' in html  # the answers given are kept on the page
    assert not Answer.objects.filter(response=response).exists()


@pytest.mark.parametrize("bad_value", ["0", "6", "seven", "", "4; DROP TABLE"])
def test_a_value_outside_the_scale_is_refused(client, survey_setup, bad_value):
    response = start(client, survey_setup.personal_link)
    step = steps_for(response)[0]
    data = {**valid_data(step), field_name(step.items[0]): bad_value}
    page = client.post(page_url(response, step), data)
    assert page.status_code == 200
    assert "There is a problem" in page.content.decode()
    assert not Answer.objects.filter(response=response).exists()


def test_a_forged_item_is_refused_and_nothing_saved(client, survey_setup):
    response = start(client, survey_setup.personal_link)
    step, other = steps_for(response)[:2]
    forged = {**valid_data(step), field_name(other.items[0]): "5", "item_999999": "1"}
    page = client.post(page_url(response, step), forged)
    assert page.status_code == 200
    assert "questions that are not on it" in page.content.decode()
    assert not Answer.objects.filter(response=response).exists()


def test_an_unknown_page_is_a_friendly_404(client, survey_setup):
    response = start(client, survey_setup.personal_link)
    page = client.get(page_url(response, "no_such_page"))
    assert page.status_code == 404
    assert "Survey link not recognised" in page.content.decode()


def test_a_partner_page_asks_about_the_partner_by_name(client, survey_setup):
    response = start(client, survey_setup.personal_link)
    partner_steps = [s for s in steps_for(response) if s.subject]
    assert [s.subject for s in partner_steps] == sorted(
        survey_setup.partners, key=lambda o: o.name
    )
    html = client.get(page_url(response, partner_steps[0])).content.decode()
    assert "How you see Northshire Hospitals" in html
    assert (
        "Northshire Hospitals is honest with us" in html
        or "Northshire Hospitals" in html
    )
    assert "{partner}" not in html


def test_not_knowing_a_partner_skips_its_other_questions(client, survey_setup):
    response = start(client, survey_setup.personal_link)
    step = next(s for s in steps_for(response) if s.subject)
    data = {**valid_data(step), field_name(step.items[0]): "1"}
    assert client.post(page_url(response, step), data).status_code == 302
    saved = Answer.objects.filter(response=response, subject_organisation=step.subject)
    assert list(saved.values_list("item__code", "value")) == [("P0", 1)]


def test_knowing_a_partner_requires_the_ratings(client, survey_setup):
    response = start(client, survey_setup.personal_link)
    step = next(s for s in steps_for(response) if s.subject)
    page = client.post(page_url(response, step), {field_name(step.items[0]): "3"})
    assert page.status_code == 200
    assert (
        page.content.decode().count('class="govuk-error-message"')
        == len(step.items) - 1
    )
    assert not Answer.objects.filter(response=response).exists()


def test_profile_points_must_add_up_to_100(client, survey_setup):
    response = start(client, survey_setup.personal_link)
    step = next(s for s in steps_for(response) if s.block == "profile")
    data = valid_data(step)
    first_points = next(
        i for i in step.items if i.response_format == Item.Format.POINTS
    )
    data[field_name(first_points)] = "35"
    page = client.post(page_url(response, step), data)
    assert "must add up to 100 (they add up to 110)" in page.content.decode()
    assert not ProfileAnswer.objects.filter(response=response).exists()


def test_a_profile_question_can_be_skipped(client, survey_setup):
    response = start(client, survey_setup.personal_link)
    step = next(s for s in steps_for(response) if s.block == "profile")
    data = {k: v for k, v in valid_data(step).items() if not k.startswith("cp1_")}
    assert client.post(page_url(response, step), data).status_code == 302
    assert ProfileAnswer.objects.filter(response=response).count() == 8


# Resume


def test_resume_from_the_same_link_on_another_device(client, survey_setup):
    from django.test import Client

    response = start(client, survey_setup.personal_link)
    steps = steps_for(response)
    client.post(page_url(response, steps[0]), valid_data(steps[0], value="2"))
    other_device = Client()
    page = other_device.get(f"/s/{survey_setup.personal_link.token}/")
    assert page["Location"] == page_url(response, steps[1])
    earlier = other_device.get(page_url(response, steps[0])).content.decode()
    assert earlier.count('checked="checked"') == len(steps[0].items)


def test_save_and_come_back_later_shows_the_private_link(client, survey_setup):
    response = start(client, survey_setup.org_link)
    step = steps_for(response)[0]
    result = client.post(
        page_url(response, step), {**valid_data(step), "save_and_exit": "1"}
    )
    page = client.get(result["Location"])
    assert "Your answers are saved" in page.content.decode()
    assert response.resume_token in page.content.decode()


def test_change_links_return_to_check_your_answers(client, survey_setup):
    response = start(client, survey_setup.personal_link)
    answer_all(client, response)
    step = steps_for(response)[3]
    result = client.post(
        page_url(response, step) + "?change=1", valid_data(step, value="1")
    )
    assert result["Location"] == check_url(response)


# Check and submit


def test_check_your_answers_lists_every_answer_with_change_links(client, survey_setup):
    response = start(client, survey_setup.personal_link)
    answer_all(client, response)
    html = client.get(check_url(response)).content.decode()
    for step in steps_for(response):
        assert f"{page_url(response, step)}?change=1" in html
    assert html.count(">Agree<") >= 40


def test_submitting_records_the_time_and_shows_the_confirmation(client, survey_setup):
    response = start(client, survey_setup.personal_link)
    answer_all(client, response)
    page = client.get(check_url(response))
    digest = re.search(r'name="digest" value="([^"]+)"', page.content.decode()).group(1)
    result = client.post(check_url(response), {"digest": digest})
    assert result.status_code == 302
    response.refresh_from_db()
    assert response.submitted_at is not None
    assert "Answers submitted" in client.get(result["Location"]).content.decode()


def test_submitting_twice_is_harmless(client, survey_setup):
    response = start(client, survey_setup.personal_link)
    answer_all(client, response)
    digest = re.search(
        r'name="digest" value="([^"]+)"',
        client.get(check_url(response)).content.decode(),
    ).group(1)
    client.post(check_url(response), {"digest": digest})
    submitted_at = Response.objects.get(pk=response.pk).submitted_at
    second = client.post(check_url(response), {"digest": digest})
    assert second.status_code == 410
    assert Response.objects.get(pk=response.pk).submitted_at == submitted_at
    assert Response.objects.count() == 1


def test_an_incomplete_response_cannot_be_submitted(client, survey_setup):
    response = start(client, survey_setup.personal_link)
    steps = steps_for(response)
    client.post(page_url(response, steps[0]), valid_data(steps[0]))
    digest = re.search(
        r'name="digest" value="([^"]+)"',
        client.get(check_url(response)).content.decode(),
    ).group(1)
    page = client.post(check_url(response), {"digest": digest})
    assert page.status_code == 200
    assert f'href="#section-{steps[1].slug}"' in page.content.decode()
    assert Response.objects.get(pk=response.pk).submitted_at is None


def test_a_tampered_digest_asks_to_check_again(client, survey_setup):
    response = start(client, survey_setup.personal_link)
    answer_all(client, response)
    page = client.post(check_url(response), {"digest": "forged"})
    assert "changed after this page was shown" in page.content.decode()
    assert Response.objects.get(pk=response.pk).submitted_at is None


# Links that cannot be used


def test_a_personal_link_cannot_be_used_after_submission(client, survey_setup):
    response = start(client, survey_setup.personal_link)
    answer_all(client, response)
    Response.objects.filter(pk=response.pk).update(submitted_at=timezone.now())
    for url in (
        f"/s/{survey_setup.personal_link.token}/",
        page_url(response, "leadership"),
        check_url(response),
    ):
        page = client.get(url)
        assert page.status_code == 410
        assert "You have already answered this survey" in page.content.decode()


def test_an_unknown_link_is_a_friendly_404(client, db):
    page = client.get("/s/not-a-real-token/")
    assert page.status_code == 404
    assert "Survey link not recognised" in page.content.decode()
    assert "Traceback" not in page.content.decode()


def test_a_closed_survey_is_a_friendly_410(client, survey_setup):
    Survey.objects.filter(pk=survey_setup.survey.pk).update(status=Survey.Status.CLOSED)
    page = client.get(f"/s/{survey_setup.org_link.token}/")
    assert page.status_code == 410
    assert "This survey has closed" in page.content.decode()


def test_answers_cannot_be_saved_once_the_closing_date_passes(client, survey_setup):
    response = start(client, survey_setup.personal_link)
    step = steps_for(response)[0]
    Survey.objects.filter(pk=survey_setup.survey.pk).update(
        closes_at=timezone.now() - timedelta(minutes=1)
    )
    page = client.post(page_url(response, step), valid_data(step))
    assert page.status_code == 410
    assert not Answer.objects.filter(response=response).exists()


def test_a_survey_not_yet_open_says_so(client, survey_setup):
    Survey.objects.filter(pk=survey_setup.survey.pk).update(
        opens_at=timezone.now() + timedelta(days=2)
    )
    page = client.get(f"/s/{survey_setup.org_link.token}/")
    assert page.status_code == 404
    assert "This survey is not open yet" in page.content.decode()


def test_a_revoked_link_no_longer_works(client, survey_setup):
    survey_setup.org_link.revoked_at = timezone.now()
    survey_setup.org_link.save()
    assert client.get(f"/s/{survey_setup.org_link.token}/").status_code == 404


def test_journey_pages_are_not_cached_and_carry_a_csp(client, survey_setup):
    page = client.get(f"/s/{survey_setup.org_link.token}/")
    assert "no-store" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]
    csp = page["Content-Security-Policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert "'self'" in script_src
    assert "unsafe-inline" not in script_src
    assert "<script>" not in page.content.decode()  # no inline scripts anywhere


def test_replacing_an_organisation_link_does_not_strand_people_part_way(
    client, survey_setup
):
    response = start(client, survey_setup.org_link)
    survey_setup.org_link.revoked_at = timezone.now()
    survey_setup.org_link.save()
    assert client.get(f"/s/{survey_setup.org_link.token}/").status_code == 404
    step = steps_for(response)[0]
    assert client.post(page_url(response, step), valid_data(step)).status_code == 302


def test_a_partner_name_with_markup_is_shown_as_text(client, survey_setup):
    partner = survey_setup.partners[0]
    partner.name = '<a href="//evil.example">Sign in again</a>'
    partner.save()
    response = start(client, survey_setup.personal_link)
    step = next(s for s in steps_for(response) if s.subject == partner)
    html = client.get(page_url(response, step)).content.decode()
    assert '<a href="//evil.example">' not in html
    assert "&lt;a href=" in html


def test_wording_with_apostrophes_is_not_double_escaped(client, survey_setup):
    response = start(client, survey_setup.personal_link)
    html = client.get(page_url(response, steps_for(response)[0])).content.decode()
    assert "&amp;#x27;" not in html
    assert "&amp;amp;" not in html
