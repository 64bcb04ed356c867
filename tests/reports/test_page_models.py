"""Page models: one rescale, one reverse score, fit weights from settings, changes with intervals."""

import math
import re
from pathlib import Path

import numpy as np
import pytest
from django.urls import reverse
from scipy import stats

from reports import pages, scoring
from reports.figures import Estimate
from reports.templatetags import figures as f

ROOT = Path(__file__).resolve().parents[2]


def test_readiness_is_the_1_to_5_scale_as_0_to_100():
    assert scoring.to_readiness(1.0) == 0
    assert scoring.to_readiness(5.0) == 100
    assert scoring.to_readiness(3.42) == pytest.approx(60.5)
    assert list(scoring.to_readiness(np.array([2.0, 4.0]))) == [25.0, 75.0]


def test_reverse_scoring_turns_the_scale_round():
    assert [scoring.reverse_score(v) for v in [1, 2, 3, 4, 5]] == [5, 4, 3, 2, 1]


def test_the_rescale_and_the_reverse_score_are_written_once():
    # Every other copy of "25 × (mean − 1)" or "6 − value" calls the functions instead.
    copies = re.compile(r"\b25 \* \(|\* 25\b|\b6 - (value|x)\b|- 1\) \* 25")
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in ("reports", "surveys")
        for path in (ROOT / folder).rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if copies.search(line.split("#")[0])
    ]
    assert found == []


def test_a_change_has_a_welch_interval():
    # Two independent samples: the interval is Welch's t interval on the difference.
    now, before = np.array([3.0, 3.5, 4.0, 4.5, 4.0]), np.array([2.5, 3.0, 3.0, 2.0])
    se = [x.std(ddof=1) / math.sqrt(len(x)) for x in (now, before)]
    change, low, high = scoring.welch_change(
        now.mean(), se[0], len(now) - 1, before.mean(), se[1], len(before) - 1
    )
    expected = stats.ttest_ind(now, before, equal_var=False).confidence_interval()
    assert change == pytest.approx(now.mean() - before.mean())
    assert (low, high) == pytest.approx((expected.low, expected.high))


def test_a_change_whose_interval_spans_zero_says_no_clear_change():
    assert f.change(Estimate(4.2, low=-2.1, high=10.5)) == "no clear change (−2 to +10)"
    assert f.change(Estimate(0.51, low=0.1, high=0.92), 2) == "+0.51 (+0.10 to +0.92)"
    assert f.change(None) == "–"
    assert f.signed(-0.004, 2) == "0.00"
    assert f.interval(Estimate(3.4, low=3.1, high=3.72)) == "3.10–3.72"
    assert f.readiness(Estimate(None)) == "–"


@pytest.mark.django_db
def test_every_change_on_the_pages_comes_with_its_interval(consultant_client, demo):
    _partnership, survey = demo
    page = pages.overview(survey)
    changes = [r.change for r in page.rows if not r.suppressed]
    assert changes
    assert all(c is not None and c.has_interval for c in changes)
    html = consultant_client.get(
        reverse("reports:survey_overview", args=[survey.public_id])
    ).content.decode()
    for change in changes:
        assert f.change(change) in html
    organisation = next(r.partner for r in page.rows if not r.suppressed)
    org_page = pages.organisation(survey, organisation.public_id)
    shown = [r.change for r in org_page.dimension_rows if not r.suppressed]
    assert shown
    assert all(c.has_interval for c in shown)
    assert any(not c.excludes(0) for c in shown), "the demo should have an unclear one"
    html = consultant_client.get(
        reverse(
            "reports:organisation_detail",
            args=[survey.public_id, organisation.public_id],
        )
    ).content.decode()
    assert "no clear change" in html
    for change in shown:
        assert f.change(change, 2) in html


@pytest.mark.django_db
def test_the_fit_weights_are_a_setting_that_the_pages_explain(
    consultant_client, demo, settings
):
    _partnership, survey = demo
    url = reverse("reports:fit_matrix", args=[survey.public_id])
    html = consultant_client.get(url).content.decode()
    assert "how compatible partners feel their values are (30%)" in html
    settings.FIT_WEIGHTS = {
        "compatibility": 0.5,
        "mutual_trust": 0.5,
        "culture_fit": 0.0,
        "profile_fit": 0.0,
    }
    html = consultant_client.get(url).content.decode()
    explained = re.search(r'id="fit-weights">(.*?)</p>', html, re.S).group(1)
    assert "how compatible partners feel their values are (50%)" in explained
    assert "how much they trust each other" in explained
    assert "culture profiles" not in explained
    assert "30%" not in explained
    # ... and the figures follow: fit is now the mean of compatibility and trust.
    pair = next(r for r in pages.fit_matrix(survey, "fit").rows if not r.suppressed)
    analysis_pairs = pages.analyse_survey(survey).pairs
    both = analysis_pairs[["compatibility", "mutual_trust"]].notna().all(axis=1)
    row = analysis_pairs[~analysis_pairs["suppressed"] & both].iloc[0]
    assert row["fit"] == pytest.approx(
        (row["compatibility"] + row["mutual_trust"]) / 2, abs=1e-9
    )
    assert pair.fit.known
