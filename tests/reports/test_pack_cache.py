"""Board packs are drawn once per analysis, in the worker, and served from the cache."""

import datetime as dt

import pytest
from django.urls import reverse

from reports import pack_cache, pdf, tasks
from reports.analysis import forget_analyses
from surveys.models import Dimension
from surveys.services.focus_areas import create_focus_area

pytestmark = pytest.mark.django_db


@pytest.fixture
def drawn(monkeypatch):
    """Count the packs drawn, without starting Chromium."""
    calls: list[tuple[str, ...]] = []

    def partnership(survey, **_):
        calls.append(("partnership", str(survey.pk)))
        return b"%PDF-1.7 partnership " + str(len(calls)).encode()

    def pair(survey, a, b, **_):
        calls.append(("pair", a, b))
        return b"%PDF-1.7 pair " + str(len(calls)).encode()

    monkeypatch.setattr(pdf, "partnership_pdf", partnership)
    monkeypatch.setattr(pdf, "pair_pdf", pair)
    return calls


build_board_pack = tasks.build_board_pack


class _QueueOnly:
    """A task backend that only records what is queued, as a busy worker would."""

    def __init__(self) -> None:
        self.queued: list[tuple] = []

    def enqueue(self, *args) -> None:
        self.queued.append(args)


def queue_only(monkeypatch) -> list[tuple]:
    fake = _QueueOnly()
    monkeypatch.setattr(tasks, "build_board_pack", fake)
    return fake.queued


def partnership_url(survey):
    return reverse("reports:partnership_pdf", args=[survey.public_id])


def test_a_second_download_of_an_unchanged_pack_is_not_drawn_again(
    consultant_client, demo, drawn
):
    _partnership, survey = demo
    first = consultant_client.get(partnership_url(survey))
    second = consultant_client.get(partnership_url(survey))
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert drawn == [("partnership", str(survey.pk))]


def test_a_new_focus_area_draws_the_pack_again(consultant_client, demo, drawn):
    partnership, survey = demo
    consultant_client.get(partnership_url(survey))
    create_focus_area(
        survey=survey,
        pair=None,
        dimension=Dimension.objects.filter(instrument=survey.instrument).first(),
        finding="Trust is low between the council and the trust",
        action="Joint board away day",
        owner=partnership.members.first(),
        due_date=dt.date(2027, 3, 31),
        actor=None,
    )
    consultant_client.get(partnership_url(survey))
    assert len(drawn) == 2


def test_a_pack_not_drawn_yet_is_queued_once_and_the_page_says_it_is_being_prepared(
    consultant_client, demo, drawn, monkeypatch
):
    _partnership, survey = demo
    queued = queue_only(monkeypatch)
    for _ in range(3):  # three impatient clicks
        page = consultant_client.get(partnership_url(survey))
        assert page.status_code == 202
        assert "Preparing the results" in page.content.decode()
    # One build at a time; a consultant's pack carries no counts below K.
    assert queued == [(survey.pk, "", "", False)]
    assert drawn == []  # nothing drawn in a request

    build_board_pack.call(survey.pk, "", "")  # what the worker does
    ready = consultant_client.get(partnership_url(survey))
    assert ready.status_code == 200
    assert ready.content.startswith(b"%PDF")


def test_the_worker_draws_the_partnership_pack_after_refreshing_the_analysis(
    consultant_client, demo, drawn, settings
):
    _partnership, survey = demo
    settings.REPORTS_PACKS_AFTER_REFRESH = True
    forget_analyses()
    tasks.refresh_analysis.call(survey.pk)
    assert drawn == [("partnership", str(survey.pk))]
    consultant_client.get(partnership_url(survey))
    assert len(drawn) == 1  # served from the cache


def test_an_unknown_pair_is_not_found_and_queues_nothing(
    consultant_client, demo, drawn, monkeypatch
):
    _partnership, survey = demo
    queued = queue_only(monkeypatch)
    a = survey.partnership.members.first()
    url = reverse("reports:pair_pdf", args=[survey.public_id, a.public_id, a.public_id])
    assert consultant_client.get(url).status_code == 404
    assert queued == []


def test_the_key_changes_with_the_round_title_shown_on_the_cover(demo):
    _partnership, survey = demo
    request = pack_cache.PackRequest(survey.pk)
    before = pack_cache.pack_key(survey, request)
    survey.title = "Autumn 2026 (revised)"
    survey.save()
    assert pack_cache.pack_key(survey, request) != before
