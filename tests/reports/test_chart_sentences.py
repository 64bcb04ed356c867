"""Chart summaries and the pair summary compare only where an interval supports it (§6.8).

The narrative rules have their own tables (test_narrative.py); these check that the charts
and pages hand those rules the intervals, so that no sentence on a page is written from
point estimates alone (issue 14's regressions, seen again by the independent reading).
"""

import math

import numpy as np
import pandas as pd
import pytest
from django.template.loader import render_to_string
from scipy import stats

from reports import board_pack, charts, fit, pages, scoring
from reports.analysis import analyse_survey

TRUST = pd.DataFrame(
    {"dimension": ["trust"], "title": ["Trust and relationships"], "order": [1]}
)
TWO = pd.DataFrame(
    {
        "dimension": ["purpose", "trust"],
        "title": ["Shared purpose", "Trust and relationships"],
        "order": [1, 2],
    }
)


def sector_cell(group: str, n: int, mean: float, sd: float) -> dict:
    return {
        "sector_group": group,
        "dimension": "trust",
        "n": n,
        "mean": mean,
        "sd": sd,
        "ci_low": mean - 1,
        "ci_high": mean + 1,
        "suppressed": False,
    }


# Sector groups


def test_sectors_at_three_responses_with_wide_intervals_are_not_said_to_differ():
    # The figures: Primary care 3.60 (n = 3, interval about 1 to 5) against
    # NHS providers and ICB 2.62.
    scores = pd.DataFrame(
        [
            sector_cell("Primary care", 3, 3.60, 1.0),
            sector_cell("NHS providers and ICB", 12, 2.62, 0.8),
        ]
    )
    summary = charts.sector_bars(scores, dimensions=TRUST, threshold=3).summary
    assert "differ most" not in summary
    assert summary.startswith(
        "Sector groups show no clear difference at this number of responses: the "
        "widest, on trust and relationships, is Primary care 3.60 against NHS "
        "providers and ICB 2.62"
    )


def test_sectors_that_clearly_differ_are_said_to_with_the_adjusted_interval():
    scores = pd.DataFrame(
        [
            sector_cell("Primary care", 40, 4.20, 0.5),
            sector_cell("NHS providers and ICB", 40, 2.60, 0.5),
        ]
    )
    _difference, low, high = scoring.welch_interval(4.2, 0.5, 40, 2.6, 0.5, 40, 0.95)
    summary = charts.sector_bars(scores, dimensions=TRUST, threshold=3).summary
    assert summary.startswith(
        "Sector groups differ most on trust and relationships: Primary care 4.20 against "
        f"NHS providers and ICB 2.60 (the interval allowing for every comparison runs "
        f"from {low:.2f} to {high:.2f})."
    )


# Profiles against the partnership average and against a partner


def org_cells(
    means: dict[tuple[int, str], float], *, n: int, sd: float
) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "organisation": org,
                "dimension": dimension,
                "n": n,
                "mean": mean,
                "sd": sd,
                "se": sd / math.sqrt(n),
                "ci_low": mean - 0.2,
                "ci_high": mean + 0.2,
                "suppressed": False,
            }
            for (org, dimension), mean in means.items()
        ]
    )


def test_the_difference_from_the_average_allows_for_the_organisation_being_in_it():
    scores = org_cells(
        {(1, "trust"): 4.0, (2, "trust"): 3.0, (3, "trust"): 2.0}, n=10, sd=1.0
    )
    [row] = scoring.difference_from_average(scores, 1).itertuples()
    # 4 − mean(4, 3, 2) = 1; variance (2/3)²·0.1 + 2·(1/3)²·0.1 = 0.0667; df by
    # Welch–Satterthwaite: 0.0667² / ((0.0444² + 2·0.0111²)/9).
    variance = (2 / 3) ** 2 * 0.1 + 2 * (1 / 3) ** 2 * 0.1
    df = variance**2 / (
        ((2 / 3) ** 2 * 0.1) ** 2 / 9 + 2 * ((1 / 3) ** 2 * 0.1) ** 2 / 9
    )
    half = stats.t.ppf(0.975, df) * math.sqrt(variance)
    assert row.difference == pytest.approx(1.0)
    assert (row.low, row.high) == pytest.approx((1 - half, 1 + half))


def test_a_profile_near_the_average_is_not_called_furthest_above_or_below():
    # NHFT's "furthest below on Openness and learning (-0.61)" with an interval from −1.42
    # to 0.20: the summary may not say "furthest".
    scores = org_cells(
        {(1, "purpose"): 3.3, (1, "trust"): 2.4, (2, "purpose"): 3.0}
        | {(2, "trust"): 3.0, (3, "purpose"): 3.0, (3, "trust"): 3.0},
        n=5,
        sd=1.2,
    )
    mine = scores[scores["organisation"] == 1]
    chart = charts.radar(
        mine,
        scores.groupby("dimension", as_index=False)["mean"].mean(),
        key="profile",
        dimensions=TWO,
        name="NHFT",
        differences=scoring.difference_from_average(scores, 1, level=1 - 0.05 / 2),
    )
    assert "furthest" not in chart.summary
    assert chart.summary.startswith(
        "NHFT is not clearly above or below the partnership average on any dimension "
        "at this number of responses."
    )


def test_a_profile_clearly_below_the_average_says_where_with_its_interval():
    scores = org_cells(
        {(1, "purpose"): 3.0, (1, "trust"): 1.6, (2, "purpose"): 3.0}
        | {(2, "trust"): 3.6, (3, "purpose"): 3.0, (3, "trust"): 3.8},
        n=30,
        sd=0.6,
    )
    differences = scoring.difference_from_average(scores, 1, level=1 - 0.05 / 2)
    trust = differences.set_index("dimension").loc["trust"]
    chart = charts.radar(
        scores[scores["organisation"] == 1],
        scores.groupby("dimension", as_index=False)["mean"].mean(),
        key="profile",
        dimensions=TWO,
        name="NHFT",
        differences=differences,
    )
    # 1.6 − mean(1.6, 3.6, 3.8) = −1.40, its interval allowing for both dimensions.
    assert chart.summary.startswith(
        "Compared with the partnership average, NHFT is furthest below on trust and "
        f"relationships (−1.40, interval −{abs(trust['low']):.2f} to "
        f"−{abs(trust['high']):.2f})."
    )
    assert "above" not in chart.summary


def test_without_intervals_a_profile_chart_compares_nothing():
    scores = org_cells({(1, "trust"): 4.8, (2, "trust"): 1.2}, n=5, sd=1.0)
    chart = charts.radar(
        scores[scores["organisation"] == 1],
        scores[scores["organisation"] == 2],
        key="pair-profiles",
        dimensions=TRUST,
        name="NHFT",
    )
    assert "furthest" not in chart.summary


# Culture profiles


def respondents_points(rows: list[tuple[float, float, float, float]]) -> pd.DataFrame:
    """One culture-profile prompt per respondent of organisation 1, points as given."""
    return pd.DataFrame(
        [
            {
                "response_id": index,
                "organisation": 1,
                "prompt": "C1",
                "culture_type": letter,
                "points": points,
            }
            for index, row in enumerate(rows)
            for letter, points in zip("HIEF", row, strict=True)
        ]
    )


def test_the_culture_lead_is_a_paired_interval_over_respondents():
    rows = [(60, 20, 10, 10), (50, 30, 10, 10), (40, 40, 10, 10), (70, 10, 10, 10)]
    [profile] = fit.culture_profiles(respondents_points(rows), threshold=2).itertuples()
    leads = np.array([h - i for h, i, _e, _f in rows], dtype=float)  # H leads I
    half = stats.t.ppf(1 - 0.05 / 6 / 2, 3) * leads.std(ddof=1) / 2
    assert profile.lead == pytest.approx(leads.mean())
    assert (profile.lead_low, profile.lead_high) == pytest.approx(
        (leads.mean() - half, leads.mean() + half)
    )


def test_a_culture_type_that_clearly_leads_is_called_the_strongest():
    rows = [(60, 20, 10, 10), (62, 18, 10, 10), (58, 22, 10, 10), (61, 19, 10, 10)] * 3
    culture = fit.culture_profiles(respondents_points(rows), threshold=5)
    summary = charts.culture_bars(culture, names={1: "NHFT"}, threshold=5).summary
    assert summary.startswith("At NHFT, the strongest culture type is hierarchy")


def test_a_culture_type_whose_lead_is_unclear_is_only_the_highest():
    rows = [(60, 20, 10, 10), (10, 70, 10, 10), (55, 25, 10, 10), (20, 60, 10, 10)]
    rows += [(50, 30, 10, 10)]
    culture = fit.culture_profiles(respondents_points(rows), threshold=5)
    summary = charts.culture_bars(culture, names={1: "NHFT"}, threshold=5).summary
    assert "strongest" not in summary
    assert "but there is no clear difference at this number of responses" in summary


# The pair summary


def pair_result(**figures) -> pd.Series:
    base = {
        "fit": 60.0,
        "fit_ci_low": 50.0,
        "fit_ci_high": 70.0,
        "trust_a_to_b": 72.0,
        "trust_b_to_a": 37.0,
        "asymmetry": 35.0,
        "asymmetry_low": None,
        "asymmetry_high": None,
        "perceived_actual_flag": False,
        "profile_fit": 60.0,
        "culture_fit": 60.0,
        "compatibility": 60.0,
        "perceived_actual": 0.0,
        "perceived_actual_low": None,
        "perceived_actual_high": None,
    }
    return pd.Series(base | figures)


def summary_of(result: pd.Series) -> str:
    return pages.pair_summary(
        result, pd.DataFrame(), titles={}, name_a="NHFT", name_b="NCC"
    )


def test_trust_that_is_clearly_one_sided_is_said_to_be():
    # The demo's NHFT and NCC: 72 against 37 at n = 20 and 30 read "no clear difference".
    text = summary_of(pair_result(asymmetry_low=22.0, asymmetry_high=48.0))
    assert (
        "Trust is one-sided: NHFT trusts NCC more than NCC trusts NHFT (NHFT 72 against "
        "NCC 37, of 100)."
    ) in text


def test_trust_whose_difference_spans_zero_is_not_called_one_sided():
    text = summary_of(pair_result(asymmetry_low=-3.0, asymmetry_high=73.0))
    assert "one-sided" not in text
    assert (
        "There is no clear difference at this number of responses in how much" in text
    )


def test_the_pair_summary_says_feel_and_fact_differ_where_the_page_flags_it():
    # The fit page's "Feel and fact differ" tag and the summary must agree.
    text = summary_of(
        pair_result(
            perceived_actual_flag=True,
            compatibility=90.0,
            perceived_actual=30.0,
            perceived_actual_low=12.0,
            perceived_actual_high=44.0,
        )
    )
    assert "feel more compatible (90 of 100) than their own answers show" in text
    assert "no clear difference" not in text.split("Trust")[0].split("feel")[-1]


# The demo's own pairs and board report


def test_feel_and_fact_is_flagged_only_where_its_interval_excludes_zero(demo):
    _partnership, survey = demo
    pairs = analyse_survey(survey).pairs
    compared = pairs.dropna(subset=["perceived_actual"])
    assert len(compared), "the demo should compare feel and fact for some pair"
    for row in compared.itertuples():
        clear = row.perceived_actual_low > 0 or row.perceived_actual_high < 0
        assert (
            row.perceived_actual_low
            <= row.perceived_actual
            <= row.perceived_actual_high
        )
        assert bool(row.perceived_actual_flag) == (
            abs(row.perceived_actual) >= 25 and clear
        )


def test_trust_asymmetry_carries_the_welch_interval_of_the_two_sets_of_raters(demo):
    _partnership, survey = demo
    analysis = analyse_survey(survey)
    ratings = analysis.ratings.set_index(["organisation", "subject"])
    row = analysis.pairs.dropna(subset=["asymmetry_low"]).iloc[0]
    a, b = row["organisation_a"], row["organisation_b"]
    ab, ba = ratings.loc[(a, b)], ratings.loc[(b, a)]
    _, low, high = scoring.welch_interval(
        ab["trust"],
        ab["sd_trust"],
        int(ab["n_trust"]),
        ba["trust"],
        ba["sd_trust"],
        int(ba["n_trust"]),
    )
    assert (row["asymmetry_low"], row["asymmetry_high"]) == pytest.approx(
        (25 * low, 25 * high)
    )


def test_the_board_report_lists_the_organisations_left_out_without_stray_commas(demo):
    _partnership, survey = demo
    context = board_pack.partnership_report(survey)
    assert context["hidden_names"], "the demo's last organisation is below K"
    html = render_to_string("reports/pdf/partnership.html", context)
    assert f"{', '.join(context['hidden_names'])}: fewer than" in html
    assert ", :" not in html


def test_a_clear_difference_is_not_hidden_by_a_wider_one_beside_it():
    # Trust differs more but with a wide interval; purpose differs less, clearly.
    differences = pd.DataFrame(
        {
            "dimension": ["purpose", "trust"],
            "difference": [0.6, 0.9],
            "low": [0.3, -0.2],
            "high": [0.9, 2.0],
        }
    )
    scores = org_cells({(1, "purpose"): 3.6, (1, "trust"): 3.9}, n=30, sd=0.6)
    chart = charts.radar(
        scores,
        scores,
        key="profile",
        dimensions=TWO,
        name="NHFT",
        differences=differences,
    )
    assert chart.summary.startswith(
        "Compared with the partnership average, NHFT is furthest above on shared purpose "
        "(+0.60, interval +0.30 to +0.90)."
    )
