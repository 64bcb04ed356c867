"""Extending an open round and reopening a closed one: confirmed, audited, and safe."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from surveys.models import AuditEvent, Survey
from surveys.services.rounds import (
    RoundStateError,
    close_round,
    date_change_effect,
    move_closing_date,
)
from tests.factories import ResponseFactory

pytestmark = pytest.mark.django_db


def dates_url(team) -> str:
    return reverse(
        "surveys:round_dates", args=[team.partnership.public_id, team.round.public_id]
    )


def date_fields(days: int, **extra) -> dict:
    day = timezone.localdate() + timedelta(days=days)
    return {
        "closes_on_0": day.day,
        "closes_on_1": day.month,
        "closes_on_2": day.year,
        **extra,
    }


def submit(team, short_name: str, n: int) -> None:
    link = team.org_links[short_name]
    for _ in range(n):
        ResponseFactory(invitation=link, submitted_at=timezone.now())


@pytest.fixture
def closed(team):
    team.round.anonymity_threshold = 3
    team.round.save()
    submit(team, "NHFT", 4)
    submit(team, "NCC", 2)
    team.round = close_round(survey=team.round, actor=team.lead)
    return team


def test_round_page_offers_to_reopen_a_closed_round_and_extend_an_open_one(
    lead_client, team
):
    page = lead_client.get(team.round.get_absolute_url()).content.decode()
    assert "Extend round" in page
    assert dates_url(team) in page
    close_round(survey=team.round, actor=team.lead)
    page = lead_client.get(team.round.get_absolute_url()).content.decode()
    assert "Reopen round" in page
    assert dates_url(team) in page


def test_reopening_asks_for_a_date_then_states_the_effect_before_changing_anything(
    lead_client, closed
):
    released = Survey.objects.get(pk=closed.round.pk).results_released_at
    assert released is not None
    form = lead_client.get(dates_url(closed))
    assert "Reopen the round" in form.content.decode()
    page = lead_client.post(dates_url(closed), date_fields(14))
    text = page.content.decode()
    assert page.templates[0].name == "surveys/manage/round_dates_confirm.html"
    assert Survey.objects.get(pk=closed.round.pk).status == Survey.Status.CLOSED
    assert "The results released when the round closed on" in text
    assert "stay as they are" in text
    assert "count only in whole groups of 3 per organisation" in text
    # NHFT's 4 responses are shown; NCC's 2 are fewer than K and stay hidden.
    assert "Right now the results count 4 responses, from 1 of 2 organisations" in text
    assert "not shown: fewer than 3" in text
    assert 'name="closes_on_0"' in text  # the date is carried to the confirmation


def test_confirming_reopens_the_round_keeps_the_release_moment_and_audits_it(
    lead_client, closed
):
    released = Survey.objects.get(pk=closed.round.pk).results_released_at
    page = lead_client.post(dates_url(closed), date_fields(14, confirm="1"))
    assert page.status_code == 302
    survey = Survey.objects.get(pk=closed.round.pk)
    assert survey.status == Survey.Status.OPEN
    assert survey.is_accepting_answers()
    assert timezone.localtime(
        survey.closes_at
    ).date() == timezone.localdate() + timedelta(days=14)
    assert survey.results_released_at == released
    event = AuditEvent.objects.get(survey=survey, action="round_reopened")
    assert event.actor == closed.lead
    assert event.summary.startswith(f"Reopened the round ‘{survey.title}’ until ")


def test_closing_a_reopened_round_again_keeps_the_first_release_moment(closed):
    released = Survey.objects.get(pk=closed.round.pk).results_released_at
    day = timezone.localdate() + timedelta(days=3)
    survey = move_closing_date(survey=closed.round, closes_on=day, actor=closed.lead)
    submit(closed, "NCC", 1)
    survey = close_round(survey=survey, actor=closed.lead)
    assert Survey.objects.get(pk=survey.pk).results_released_at == released


def test_extending_an_open_round_before_its_close_shows_nothing_early(
    lead_client, team
):
    team.round.closes_at = timezone.now() + timedelta(days=2)
    team.round.save()
    text = lead_client.post(dates_url(team), date_fields(20)).content.decode()
    assert "Extend the round to" in text
    assert "No results are shown yet" in text
    lead_client.post(dates_url(team), date_fields(20, confirm="1"))
    survey = Survey.objects.get(pk=team.round.pk)
    assert survey.results_released_at is None
    assert AuditEvent.objects.filter(survey=survey, action="round_extended").exists()


def test_extending_a_round_whose_closing_date_passed_stores_its_release(team):
    team.round.closes_at = timezone.now() - timedelta(hours=1)
    team.round.save()
    passed = team.round.closes_at
    move_closing_date(
        survey=team.round,
        closes_on=timezone.localdate() + timedelta(days=5),
        actor=team.lead,
    )
    assert Survey.objects.get(pk=team.round.pk).results_released_at == passed


@pytest.mark.parametrize(
    ("days", "error"),
    [
        (-1, "The new closing date must be today or in the future"),
        (1, "The new closing date must be after the current one"),
    ],
)
def test_a_date_that_does_not_move_the_close_later_is_refused(
    lead_client, team, days, error
):
    team.round.closes_at = timezone.now() + timedelta(days=10)
    team.round.save()
    page = lead_client.post(dates_url(team), date_fields(days, confirm="1"))
    assert error in page.content.decode()
    assert Survey.objects.get(pk=team.round.pk).closes_at == team.round.closes_at
    assert not AuditEvent.objects.exists()


def test_a_round_whose_personal_data_was_deleted_cannot_reopen(lead_client, closed):
    Survey.objects.filter(pk=closed.round.pk).update(
        personal_data_deleted_at=timezone.now()
    )
    page = lead_client.post(dates_url(closed), date_fields(5, confirm="1"))
    assert "personal data has been deleted" in page.content.decode()
    assert Survey.objects.get(pk=closed.round.pk).status == Survey.Status.CLOSED
    assert (
        "Reopen round"
        not in lead_client.get(closed.round.get_absolute_url()).content.decode()
    )


def test_a_draft_is_sent_to_its_details_page(lead_client, team):
    Survey.objects.filter(pk=team.round.pk).update(status=Survey.Status.DRAFT)
    page = lead_client.get(dates_url(team))
    assert page.status_code == 302
    assert page["Location"].endswith("/edit/")
    with pytest.raises(RoundStateError):
        move_closing_date(
            survey=team.round, closes_on=timezone.localdate(), actor=team.lead
        )


def test_effect_counts_what_is_shown_and_what_waits_after_reopening(closed):
    survey = move_closing_date(
        survey=closed.round,
        closes_on=timezone.localdate() + timedelta(days=5),
        actor=closed.lead,
    )
    submit(closed, "NHFT", 2)  # fewer than K since the close: they wait
    effect = date_change_effect(survey=survey)
    by_name = {o.name: o for o in effect.organisations}
    nhft = by_name["Northshire Hospitals NHS Foundation Trust"]
    assert (nhft.counted, nhft.waiting, nhft.shown) == (4, 2, True)
    assert effect.counted == 4


@pytest.mark.parametrize("role", ["consultant", "analyst"])
def test_readers_cannot_extend_or_reopen(client, team, role):
    client.force_login(getattr(team, role))
    assert client.get(dates_url(team)).status_code == 403
    assert client.post(dates_url(team), date_fields(9, confirm="1")).status_code == 403
    assert not AuditEvent.objects.exists()


def test_outsider_gets_404_and_anonymous_is_sent_to_sign_in(client, team):
    assert client.get(dates_url(team))["Location"].startswith(reverse("login"))
    client.force_login(team.outsider)
    assert client.post(dates_url(team), date_fields(9, confirm="1")).status_code == 404


@pytest.mark.parametrize(
    ("opens", "closes", "shown"),
    [
        (False, False, "From the day it opens, no closing date set"),
        (True, False, "From 1 March 2030, no closing date set"),
        (False, True, "From the day it opens to 31 March 2030"),
    ],
)
def test_the_round_page_states_its_dates_as_one_sentence(
    lead_client, team, opens, closes, shown
):
    # Found by the audit: "From the day it opens , no closing date set".
    moment = timezone.make_aware(timezone.datetime(2030, 3, 1, 12))
    team.round.opens_at = moment if opens else None
    team.round.closes_at = moment + timedelta(days=30) if closes else None
    team.round.save()
    html = lead_client.get(team.round.get_absolute_url()).content.decode()
    assert shown in " ".join(html.split())
