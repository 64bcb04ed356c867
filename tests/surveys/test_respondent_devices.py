"""Respondents on organisation links: another device, "Not at all", time, check page."""

import logging
import re
import smtplib
from types import SimpleNamespace

import django_ratelimit.core
import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import models

from surveys.forms.respondent import field_name
from surveys.journey import (
    SECONDS_PER_ITEM,
    build_steps,
    estimated_minutes,
    minutes_for,
    section_summary,
)
from surveys.models import Answer, PartnershipMember
from tests.factories import OrganisationFactory
from tests.surveys.test_respondent import (
    answer_all,
    check_url,
    page_url,
    start,
    steps_for,
    valid_data,
)

pytestmark = pytest.mark.django_db

ADDRESS = "board.member.private@example.net"


@pytest.fixture(autouse=True)
def _limits_on(settings, monkeypatch) -> None:
    """Rate limits on, with a frozen window, so each test sets only the one it is about."""
    now = 1_700_000_000.0
    monkeypatch.setattr(
        django_ratelimit.core, "time", SimpleNamespace(time=lambda: now)
    )
    settings.RATELIMIT_ENABLE = True
    settings.RATELIMIT_RESPONDENT = "1000/m"
    settings.RATELIMIT_RESUME_EMAIL = "1000/h"
    settings.RATELIMIT_RESUME_EMAIL_IP = "1000/h"


def email_post(step, **answers) -> dict:
    return {**answers, "email_link": "1", "resume_email": ADDRESS}


# The estimate of time


def test_estimate_is_items_times_seconds_rounded_up_to_whole_minutes():
    assert estimated_minutes([], seconds_per_item=12) == 1
    assert estimated_minutes([5, 5], seconds_per_item=12) == 2  # 120 s
    assert estimated_minutes([5, 6], seconds_per_item=12) == 3  # 132 s
    assert estimated_minutes([50], seconds_per_item=12) == 10  # 600 s


def test_estimate_above_ten_minutes_is_in_fives():
    assert estimated_minutes([51], seconds_per_item=12) == 15  # 10.2 minutes
    assert estimated_minutes([100], seconds_per_item=12) == 20
    assert estimated_minutes([101], seconds_per_item=12) == 25


def test_estimate_counts_every_page_the_respondent_will_see(client, survey_setup):
    response = start(client, survey_setup.org_link)
    steps = build_steps(response=response)
    items = sum(len(s.items) for s in steps)
    assert minutes_for(steps) == estimated_minutes(
        [items], seconds_per_item=SECONDS_PER_ITEM
    )


def test_start_page_time_grows_with_the_number_of_partners(client, survey_setup):
    three = client.get(f"/s/{survey_setup.org_link.token}/").content.decode()
    PartnershipMember.objects.add(
        partnership=survey_setup.survey.partnership,
        organisations=[OrganisationFactory() for _ in range(9)],
    )
    twelve = client.get(f"/s/{survey_setup.org_link.token}/").content.decode()
    minutes = [
        int(re.search(r"it takes about (\d+) minutes", page).group(1))
        for page in (three, twelve)
    ]
    assert minutes[1] > minutes[0]
    assert minutes[0] <= 15


# Continue on another device


def test_an_organisation_link_page_offers_the_private_link_to_copy(
    client, survey_setup
):
    response = start(client, survey_setup.org_link)
    steps = steps_for(response)
    for position in (0, 1):
        html = client.get(page_url(response, steps[position])).content.decode()
        assert "Continue on another device" in html
        assert f'value="http://testserver/s/{response.resume_token}/"' in html
        assert "data-copy" in html
        assert 'name="resume_email"' in html
    first = client.get(page_url(response, steps[0])).content.decode()
    assert 'id="another-device" open' in first  # shown open on the first page


def test_a_personal_link_needs_no_private_link(client, survey_setup):
    response = start(client, survey_setup.personal_link)
    html = client.get(page_url(response, steps_for(response)[0])).content.decode()
    assert "Continue on another device" not in html


def test_start_page_of_a_shared_link_says_how_to_carry_on_elsewhere(
    client, survey_setup
):
    html = client.get(f"/s/{survey_setup.org_link.token}/").content.decode()
    assert "your own private link" in html
    assert "come back to this link later, on any device" not in html


def test_emailing_the_link_saves_the_page_and_sends_the_private_link(
    client, survey_setup
):
    response = start(client, survey_setup.org_link)
    step = steps_for(response)[0]
    first = field_name(step.items[0])
    page = client.post(
        page_url(response, step), email_post(step, **{first: "4"}), follow=True
    )
    assert page.redirect_chain[-1][0] == page_url(response, step) + "#another-device"
    assert "we have emailed you your private link" in page.content.decode()
    assert ADDRESS not in page.content.decode()
    assert Answer.objects.filter(response=response).count() == 1  # saved, partly
    (message,) = mail.outbox
    assert message.to == [ADDRESS]
    assert f"/s/{response.resume_token}/" in message.body
    assert survey_setup.org_link.token not in message.body


def _text_fields(model) -> list[str]:
    return [
        f.name
        for f in model._meta.get_fields()
        if isinstance(f, (models.CharField, models.TextField, models.JSONField))
        and not f.is_relation
    ]


def test_the_typed_address_never_reaches_the_database_or_the_logs(
    client, survey_setup, caplog
):
    caplog.set_level(logging.DEBUG)
    response = start(client, survey_setup.org_link)
    step = steps_for(response)[0]
    client.post(page_url(response, step), email_post(step), follow=True)
    assert len(mail.outbox) == 1
    for model in apps.get_models():
        for name in _text_fields(model):
            lookup = {f"{name}__icontains": ADDRESS}
            assert not model.objects.filter(**lookup).exists(), (model, name)
    for session in Session.objects.all():
        assert ADDRESS not in repr(session.get_decoded())
    assert ADDRESS not in caplog.text
    assert all(ADDRESS not in c.value for c in client.cookies.values())


def test_a_mistyped_address_saves_nothing_and_says_what_is_wrong(client, survey_setup):
    response = start(client, survey_setup.org_link)
    step = steps_for(response)[0]
    data = {**email_post(step, **valid_data(step)), "resume_email": "not-an-address"}
    page = client.post(page_url(response, step), data)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Enter an email address in the correct format" in html
    assert 'href="#resume-email"' in html
    assert mail.outbox == []
    assert not Answer.objects.filter(response=response).exists()
    assert 'value="4"' in html
    assert "checked" in html


def test_emailing_the_link_is_rate_limited(client, survey_setup, settings):
    settings.RATELIMIT_RESUME_EMAIL = "2/h"
    response = start(client, survey_setup.org_link)
    step = steps_for(response)[0]
    pages = [
        client.post(page_url(response, step), email_post(step), follow=True)
        for _ in range(3)
    ]
    assert len(mail.outbox) == 2
    assert "emailed too many times" in pages[-1].content.decode()


def test_a_mail_server_that_is_down_loses_no_answers(
    client, survey_setup, monkeypatch, caplog
):
    def refuse(self, messages):
        raise smtplib.SMTPRecipientsRefused({ADDRESS: (550, b"no")})

    monkeypatch.setattr(
        "django.core.mail.backends.locmem.EmailBackend.send_messages", refuse
    )
    response = start(client, survey_setup.org_link)
    step = steps_for(response)[0]
    first = field_name(step.items[0])
    page = client.post(
        page_url(response, step), email_post(step, **{first: "2"}), follow=True
    )
    assert "the email could not be sent" in page.content.decode()
    assert Answer.objects.filter(response=response, value=2).exists()
    assert ADDRESS not in caplog.text


# "Not at all" for a partner


def test_a_partner_page_marks_the_familiarity_question_for_the_script(
    client, survey_setup
):
    response = start(client, survey_setup.org_link)
    step = next(s for s in steps_for(response) if s.subject)
    html = client.get(page_url(response, step)).content.decode()
    assert f'data-skip-field="{field_name(step.items[0])}" data-skip-value="1"' in html


def test_changing_a_partner_to_not_at_all_drops_its_earlier_ratings(
    client, survey_setup
):
    response = start(client, survey_setup.org_link)
    step = next(s for s in steps_for(response) if s.subject)
    client.post(page_url(response, step), valid_data(step))
    assert Answer.objects.filter(subject_organisation=step.subject).count() == len(
        step.items
    )
    # Without JavaScript the ratings are still on the page and posted with "Not at all".
    data = {**valid_data(step), field_name(step.items[0]): "1"}
    assert client.post(page_url(response, step), data).status_code == 302
    saved = Answer.objects.filter(response=response, subject_organisation=step.subject)
    assert list(saved.values_list("value", flat=True)) == [1]


# The check page


def test_check_page_sums_up_each_page_in_one_row_with_a_change_link(
    client, survey_setup
):
    response = start(client, survey_setup.org_link)
    answer_all(client, response)
    steps = steps_for(response)
    partner = next(s for s in steps if s.subject)
    client.post(page_url(response, partner), {field_name(partner.items[0]): "1"})
    html = client.get(check_url(response)).content.decode()
    rows = re.findall(r'<div class="govuk-summary-list__row" id="section-', html)
    assert len(rows) == len(steps)
    assert html.count("?change=1") == len(steps)
    assert "Not at all: its other questions are skipped" in html
    assert "All 5 answered" in html or "All 4 answered" in html
    # The answers themselves sit one click away, not in rows of their own.
    assert html.count("<details") == len(steps)
    assert "govuk-summary-list__row" not in html.split("app-answer-list")[1][:200]
    for heading in (
        "About your organisation",
        "How you see your partners",
        "Culture profile",
    ):
        assert f">{heading}</h2>" in html


def test_section_summary_in_words():
    assert section_summary(answered=0, questions=5, dont_know=0, comment=False) == (
        "Not answered yet"
    )
    assert section_summary(answered=5, questions=5, dont_know=2, comment=True) == (
        "All 5 answered, 2 ‘Don’t know’. Comment added"
    )
    assert section_summary(answered=3, questions=5, dont_know=0, comment=False) == (
        "3 of 5 answered"
    )
    assert section_summary(answered=1, questions=1, dont_know=0, comment=False) == (
        "Answered"
    )
