"""How a round's analysis is cached, refreshed after submissions and served meanwhile."""

import dataclasses
import re

import pytest
from django.core.cache import caches
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import json_script

from reports import pages
from reports.analysis import (
    analyse_survey,
    analysis_is_current,
    forget_analyses,
    request_refresh,
)
from reports.analysis import cache as analysis_module
from reports.analysis.cache import CACHE_ALIAS
from reports.page_models import Freshness
from surveys.models import Response
from surveys.services.responses import submit_response
from surveys.signals import response_submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def builds(monkeypatch):
    """Count the analyses actually built (not served from a cache)."""
    calls = []
    real = analysis_module.build_analysis

    def counting(survey):
        calls.append(survey.pk)
        return real(survey)

    monkeypatch.setattr(analysis_module, "build_analysis", counting)
    return calls


def submit_one_more(survey) -> Response:
    """Submit a response that was in progress (the demo leaves some part-way)."""
    response = survey.responses.filter(submitted_at__isnull=True).first()
    response.submitted_at = timezone.now()
    response.save(update_fields=["submitted_at"])
    return response


def test_a_round_is_analysed_once_until_its_answers_change(closed_demo, builds):
    _partnership, survey = closed_demo
    first = analyse_survey(survey)
    assert analyse_survey(survey) is first
    assert builds == [survey.pk]

    submit_one_more(survey)
    second = analyse_survey(survey)
    assert second is not first
    assert second.organisations["submitted"].sum() == (
        first.organisations["submitted"].sum() + 1
    )
    assert builds == [survey.pk, survey.pk]


def test_the_shared_cache_serves_a_process_that_has_not_built_the_round(demo, builds):
    _partnership, survey = demo
    built = analyse_survey(survey)
    analysis_module.local_analyses.clear()  # as in another gunicorn worker
    shared = analyse_survey(survey)
    assert builds == [survey.pk]
    assert shared.fingerprint == built.fingerprint
    assert shared.org_scores.equals(built.org_scores)


def test_while_the_worker_refreshes_dashboards_show_the_latest_figures_and_say_so(
    consultant_client, demo, builds
):
    _partnership, survey = demo
    before = analyse_survey(survey)
    submit_one_more(survey)
    caches[CACHE_ALIAS].set(f"reports:refreshing:{survey.pk}", 1)  # a refresh queued

    assert analyse_survey(survey) is before
    assert not analysis_is_current(survey, before)
    assert pages.freshness(survey) == Freshness(before.computed_at)
    page = consultant_client.get(reverse("reports:fit_matrix", args=[survey.public_id]))
    assert "These figures include responses up to" in page.content.decode()
    assert builds.count(survey.pk) == 1  # (the page also analyses the previous round)
    # Exports never take the stale figures.
    assert analyse_survey(survey, fresh=True) is not before


def test_a_new_threshold_is_never_served_from_an_older_analysis(demo, builds):
    _partnership, survey = demo
    before = analyse_survey(survey)
    caches[CACHE_ALIAS].set(f"reports:refreshing:{survey.pk}", 1)
    survey.anonymity_threshold = 8
    survey.save(update_fields=["anonymity_threshold"])

    now = analyse_survey(survey)
    assert now is not before
    assert now.threshold == 8
    assert pages.freshness(survey) is None


def test_without_a_refresh_under_way_a_changed_round_is_rebuilt_at_once(demo, builds):
    _partnership, survey = demo
    before = analyse_survey(survey)
    submit_one_more(survey)
    assert analyse_survey(survey) is not before
    assert pages.freshness(survey) is None


@pytest.fixture
def submissions():
    """Record the rounds that response_submitted is sent for."""
    received = []

    def listener(sender, survey_id, **kwargs):
        received.append(survey_id)

    response_submitted.connect(listener)
    yield received
    response_submitted.disconnect(listener)


def test_a_submission_asks_the_worker_to_rebuild_the_round(
    demo, builds, submissions, settings, django_capture_on_commit_callbacks
):
    settings.REPORTS_REFRESH_ON_SUBMIT = True
    _partnership, survey = demo
    response = survey.responses.filter(submitted_at__isnull=False).first()
    Response.objects.filter(pk=response.pk).update(submitted_at=None)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        submit_response(response=response)
    assert submissions == [survey.pk]
    # The task ran (immediate backend in tests): the round's analysis is current and cached.
    assert builds == [survey.pk]
    assert analysis_is_current(survey, analyse_survey(survey))
    assert builds == [survey.pk]
    assert caches[CACHE_ALIAS].get(f"reports:refreshing:{survey.pk}") is None


def test_only_one_refresh_is_queued_per_round_at_a_time(demo, monkeypatch):
    _partnership, survey = demo
    queued = []
    # A worker that has taken the request but not yet finished it.
    monkeypatch.setattr(
        "reports.tasks.refresh", lambda survey: queued.append(survey.pk)
    )
    assert request_refresh(survey.pk)
    assert not request_refresh(survey.pk)
    assert queued == [survey.pk]


def test_pages_are_built_once_per_analysis(demo, monkeypatch):
    _partnership, survey = demo
    forget_analyses()
    first = pages.overview(survey)
    monkeypatch.setattr(pages, "_names", lambda analysis: pytest.fail("rebuilt"))
    again = pages.overview(survey)
    assert again == first
    with pytest.raises(dataclasses.FrozenInstanceError):
        again.rows = ()  # no caller can change the remembered page


def test_a_big_round_is_analysed_by_the_worker_while_its_pages_say_so(
    consultant_client, demo, builds, settings, monkeypatch
):
    _partnership, survey = demo
    settings.REPORTS_SYNC_BUILD_LIMIT = 10  # the demo round counts as big
    queued = []
    monkeypatch.setattr(
        "reports.tasks.refresh", lambda survey: queued.append(survey.pk)
    )
    url = reverse("reports:survey_overview", args=[survey.public_id])

    page = consultant_client.get(url)
    assert page.status_code == 202
    assert page["Retry-After"] == "5"
    html = page.content.decode()
    assert "Preparing the results" in html
    assert 'data-preparing="5"' in html  # static/js/preparing.js asks again every 5 s
    assert queued == [survey.pk]
    assert builds == []  # nothing built in the request

    analysis_module.refresh(survey)  # what the worker does
    assert consultant_client.get(url).status_code == 200
    assert builds == [survey.pk]


def test_a_big_round_keeps_showing_its_latest_figures_while_the_worker_catches_up(
    demo, builds, settings, monkeypatch
):
    _partnership, survey = demo
    before = analyse_survey(survey)
    settings.REPORTS_SYNC_BUILD_LIMIT = 10  # the demo round counts as big from now on
    queued = []
    monkeypatch.setattr(
        "reports.tasks.refresh", lambda survey: queued.append(survey.pk)
    )
    submit_one_more(survey)  # no refresh under way yet: the next view asks for one

    assert analyse_survey(survey) is before
    assert pages.freshness(survey) == Freshness(before.computed_at)
    assert queued == [survey.pk]
    assert builds == [survey.pk]


def _chart_scripts(html: str) -> dict[str, str]:
    """Each chart's JSON script element in a page, by its id."""
    return dict(
        re.findall(
            r'(<script id="([\w-]+-figure)" type="application/json">.*?</script>)',
            html,
            re.S,
        )
    )


def test_a_remembered_chart_is_the_script_a_fresh_build_writes(
    closed_demo, consultant_client
):
    _partnership, survey = closed_demo
    url = reverse("reports:survey_overview", args=[survey.public_id])
    first = consultant_client.get(url).content.decode()
    remembered = consultant_client.get(url).content.decode()  # the page's memo
    forget_analyses()
    fresh = consultant_client.get(url).content.decode()  # analysis and page rebuilt
    scripts = _chart_scripts(first)
    assert len(scripts) == 3
    assert _chart_scripts(remembered) == scripts == _chart_scripts(fresh)
    for chart in pages.overview(survey).charts:
        assert chart.figure_script == json_script(chart.figure, chart.data_id)


def test_a_remembered_chart_is_redrawn_when_the_answers_change(closed_demo):
    _partnership, survey = closed_demo
    before = {c.key: c.figure_script for c in pages.overview(survey).charts}
    submit_one_more(survey)
    after = pages.overview(survey).charts
    assert {c.key: c.figure_script for c in after} != before
    for chart in after:
        assert chart.figure_script == json_script(chart.figure, chart.data_id)


def test_a_pair_page_plans_from_the_analysis_it_shows(demo, consultant_client):
    _partnership, survey = demo
    analysis = analyse_survey(survey)
    shown = analysis.pairs[~analysis.pairs["suppressed"]].iloc[0]
    public = analysis.organisations.set_index("organisation")["public_id"]
    url = reverse(
        "reports:pair_detail",
        args=[
            survey.public_id,
            public[shown["organisation_a"]],
            public[shown["organisation_b"]],
        ],
    )
    consultant_client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert consultant_client.get(url).status_code == 200
    # The round's signature (its submissions' count and latest time) is read once; the
    # previous round's, for the changes since, is another round's.
    signatures = [
        q
        for q in queries
        if 'MAX("surveys_response"."submitted_at")' in q["sql"]
        and q["sql"].endswith(f'"surveys_response"."survey_id" = {survey.pk}')
    ]
    assert len(signatures) == 1
