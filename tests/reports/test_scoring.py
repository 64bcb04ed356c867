"""Scoring formulas checked against hand-computed values (no database)."""

import math

import numpy as np
import pandas as pd
import pytest

from reports import columns as c
from reports import scoring

NAN = np.nan
# t(.975, df) from printed t tables, so the tests do not lean on the code's own quantile.
T_975 = {1: 12.7062047, 2: 4.3026527, 3: 3.1824463, 4: 2.7764451, 9: 2.2621572}


def answers_frame(rows: list[tuple]) -> pd.DataFrame:
    """Build an answers frame from (response_id, organisation, dimension, item, reverse, value)."""
    frame = pd.DataFrame(rows, columns=c.ANSWER_COLUMNS)
    return frame.astype({c.REVERSE: bool, c.VALUE: "float64"})


def items_frame(spec: dict[str, list[tuple[str, bool]]]) -> pd.DataFrame:
    rows = [(dim, item, rev) for dim, items in spec.items() for item, rev in items]
    return pd.DataFrame(rows, columns=c.ITEM_COLUMNS)


def scores_frame(scores: dict[str, dict[str, list[float]]]) -> pd.DataFrame:
    """Respondent scores from {organisation: {dimension: [score per respondent]}}."""
    rows = [
        (f"{org}-{i}", org, dim, value)
        for org, dims in scores.items()
        for dim, values in dims.items()
        for i, value in enumerate(values)
    ]
    return pd.DataFrame(rows, columns=c.RESPONDENT_SCORE_COLUMNS)


ITEMS = items_frame(
    {
        "D1": [("D1.1", False), ("D1.2", False), ("D1.3", False), ("D1.4", True)],
        "D2": [("D2.1", False)],
        "D3": [
            ("D3.1", False),
            ("D3.2", False),
            ("D3.3", True),
            ("D3.4", False),
            ("D3.5", False),
        ],
    }
)


# --- score_answers ---------------------------------------------------------------------------


def test_score_answers_reverses_only_reverse_items_and_keeps_dont_know():
    answers = answers_frame(
        [
            ("r1", "A", "D1", "D1.1", False, 1),
            ("r1", "A", "D1", "D1.4", True, 2),  # 6 − 2 = 4
            ("r1", "A", "D1", "D1.4", True, NAN),  # "Don't know" stays missing
            ("r1", "A", "D1", "D1.4", True, 5),  # 6 − 5 = 1
        ]
    )
    before = answers.copy()
    scored = scoring.score_answers(answers)
    assert scored[c.SCORED_VALUE].tolist()[:2] == [1.0, 4.0]
    assert math.isnan(scored[c.SCORED_VALUE].iloc[2])
    assert scored[c.SCORED_VALUE].iloc[3] == 1.0
    pd.testing.assert_frame_equal(answers, before)  # input untouched


def test_missing_columns_are_named():
    answers = answers_frame([("r1", "A", "D1", "D1.1", False, 3)])
    with pytest.raises(
        ValueError, match="answers is missing required columns: item, value"
    ):
        scoring.respondent_scores(answers.drop(columns=[c.ITEM, c.VALUE]), ITEMS)
    with pytest.raises(
        ValueError, match="resp_scores is missing required columns: score"
    ):
        scoring.organisation_scores(
            pd.DataFrame(columns=["organisation", "dimension"]), threshold=3
        )


# --- respondent_scores -----------------------------------------------------------------------


def test_respondent_score_is_mean_of_answered_scored_values():
    answers = answers_frame(
        [
            ("r1", "A", "D1", "D1.1", False, 4),
            ("r1", "A", "D1", "D1.2", False, 5),
            ("r1", "A", "D1", "D1.3", False, NAN),
            ("r1", "A", "D1", "D1.4", True, 2),  # reversed: 4
        ]
    )
    result = scoring.respondent_scores(scoring.score_answers(answers), ITEMS)
    expected = pd.DataFrame(
        # (4 + 5 + 4) / 3 answered items; "Don't know" is missing, never the midpoint
        {
            "response_id": ["r1"],
            "organisation": ["A"],
            "dimension": ["D1"],
            "score": [13 / 3],
        }
    )
    pd.testing.assert_frame_equal(result, expected, check_dtype=False)


def test_respondent_scores_scores_raw_answers_too():
    answers = answers_frame([("r1", "A", "D2", "D2.1", False, 2)])
    result = scoring.respondent_scores(answers, ITEMS)  # no scored_value column yet
    assert result[c.SCORE].tolist() == [2.0]


def test_half_the_items_rule_uses_ceiling_of_j_over_two():
    answers = answers_frame(
        [
            # D1 has J = 4 items, so ⌈4/2⌉ = 2 answers are needed.
            ("one", "A", "D1", "D1.1", False, 3),
            ("one", "A", "D1", "D1.2", False, NAN),
            ("two", "A", "D1", "D1.1", False, 3),
            ("two", "A", "D1", "D1.2", False, 5),
            # D3 has J = 5 items, so ⌈5/2⌉ = 3 are needed: two answers are not enough.
            ("two", "A", "D3", "D3.1", False, 4),
            ("two", "A", "D3", "D3.2", False, 4),
            ("three", "A", "D3", "D3.1", False, 4),
            ("three", "A", "D3", "D3.2", False, 2),
            ("three", "A", "D3", "D3.3", True, 1),  # reversed: 5
            # D2 has J = 1 item: ⌈1/2⌉ = 1 answer suffices.
            ("one", "A", "D2", "D2.1", False, 1),
        ]
    )
    result = scoring.respondent_scores(answers, ITEMS)
    got = {(r.response_id, r.dimension): r.score for r in result.itertuples()}
    assert got == {
        ("two", "D1"): 4.0,  # (3 + 5) / 2
        ("three", "D3"): pytest.approx(11 / 3),  # (4 + 2 + 5) / 3
        ("one", "D2"): 1.0,
    }


def test_items_nobody_answered_still_count_towards_j():
    # D1 has 4 items in the instrument even though only D1.1 appears in the answers,
    # so one answer is below ⌈4/2⌉ = 2 and gives no score.
    answers = answers_frame([("r1", "A", "D1", "D1.1", False, 4)])
    assert scoring.respondent_scores(answers, ITEMS).empty


def test_all_dont_know_gives_no_respondent_score():
    answers = answers_frame(
        [("r1", "A", "D1", f"D1.{i}", i == 4, NAN) for i in range(1, 5)]
        + [("r1", "A", "D2", "D2.1", False, NAN)]
    )
    assert scoring.respondent_scores(answers, ITEMS).empty


# --- organisation_scores ---------------------------------------------------------------------


def test_organisation_scores_against_hand_computation():
    resp = scores_frame({"A": {"D1": [3, 4, 4, 5, 4], "D2": [5, 5, 5, 4, 5]}})
    result = scoring.organisation_scores(resp, threshold=5).set_index(c.DIMENSION)

    # D1: mean 20/5 = 4.0; deviations −1,0,0,1,0 → SS 2, var 2/4 = 0.5, sd √0.5.
    sd = math.sqrt(0.5)
    se = sd / math.sqrt(5)  # 0.316228
    half = T_975[4] * se  # 2.776445 × 0.316228 = 0.877962
    d1 = result.loc["D1"]
    assert d1[c.N] == 5
    assert d1[c.MEAN] == pytest.approx(4.0)
    assert d1[c.SD] == pytest.approx(sd)
    assert d1[c.SE] == pytest.approx(se)
    assert d1[c.CI_LOW] == pytest.approx(4.0 - half)  # 3.122038
    assert d1[c.CI_HIGH] == pytest.approx(4.0 + half)  # 4.877962
    assert d1[c.READINESS] == pytest.approx(75.0)  # 25 × (4 − 1)
    assert d1[c.BAND] == "strength"
    assert d1[c.UNCERTAIN] is True  # the CI reaches down into "develop"
    assert not d1[c.SUPPRESSED]

    # D2: mean 4.8; deviations .2,.2,.2,−.8,.2 → SS 0.8, var 0.2; se = √0.2/√5 = 0.2;
    # CI 4.8 ± 2.776445 × 0.2 = [4.244711, 5.355289] → clipped to 5.
    d2 = result.loc["D2"]
    assert d2[c.CI_LOW] == pytest.approx(4.8 - T_975[4] * 0.2)
    assert d2[c.CI_HIGH] == 5.0
    assert d2[c.UNCERTAIN] is False


def test_finite_population_correction_shrinks_the_standard_error():
    resp = scores_frame({"A": {"D1": [3, 4, 4, 5, 4]}, "B": {"D1": [3, 4, 4, 5, 4]}})
    population = pd.Series({"A": 10})  # B's board size is unknown: f = 1
    result = scoring.organisation_scores(resp, threshold=5, population=population)
    # f = √((N − n)/(N − 1)) = √(5/9) = 0.745356; se = 0.316228 × 0.745356 = 0.235702
    se = math.sqrt(0.5) / math.sqrt(5)
    assert result[c.SE].tolist() == pytest.approx([se * math.sqrt(5 / 9), se])


def test_suppression_at_k_minus_one_hides_every_figure_and_n():
    resp = scores_frame({"A": {"D1": [2, 3, 4, 3]}, "B": {"D1": [2, 3, 4, 3, 3]}})
    result = scoring.organisation_scores(resp, threshold=5)
    expected = pd.DataFrame(
        {
            "organisation": ["A", "B"],
            "dimension": ["D1", "D1"],
            "n": [NAN, 5.0],
            "mean": [NAN, 3.0],
            # B: deviations −1,0,1,0,0 → SS 2, var 0.5
            "sd": [NAN, math.sqrt(0.5)],
            "se": [NAN, math.sqrt(0.5) / math.sqrt(5)],
            "ci_low": [NAN, 3.0 - T_975[4] * math.sqrt(0.1)],
            "ci_high": [NAN, 3.0 + T_975[4] * math.sqrt(0.1)],
            "readiness": [NAN, 50.0],
            "band": pd.Series([None, "develop"], dtype=object),
            "uncertain": pd.Series([None, True], dtype=object),  # 2.12–3.88 spans 3.0
            "suppressed": [True, False],
        }
    )
    pd.testing.assert_frame_equal(result, expected, check_dtype=False, atol=1e-6)


def test_every_organisation_gets_every_dimension_even_with_no_respondents():
    resp = scores_frame(
        {"A": {"D1": [4, 4, 4], "D2": [3, 3, 3]}, "B": {"D1": [2, 2, 2]}}
    )
    result = scoring.organisation_scores(resp, threshold=3)
    b_d2 = result[(result[c.ORGANISATION] == "B") & (result[c.DIMENSION] == "D2")].iloc[
        0
    ]
    assert b_d2[c.SUPPRESSED]
    assert math.isnan(b_d2[c.N])
    assert math.isnan(b_d2[c.MEAN])
    assert b_d2[c.BAND] is None
    assert list(result.columns) == c.ORGANISATION_SCORE_COLUMNS


def test_one_respondent_has_no_sd_and_no_interval():
    resp = scores_frame({"A": {"D1": [3.5]}})
    row = scoring.organisation_scores(resp, threshold=1).iloc[0]
    assert row[c.N] == 1
    assert row[c.MEAN] == 3.5
    assert math.isnan(row[c.SD])
    assert math.isnan(row[c.CI_LOW])
    assert math.isnan(row[c.CI_HIGH])
    assert row[c.BAND] == "develop"
    assert row[c.UNCERTAIN] is True  # no interval, so the band cannot be relied on


def test_zero_spread_gives_a_zero_width_interval():
    resp = scores_frame({"A": {"D1": [3, 3, 3]}})
    row = scoring.organisation_scores(resp, threshold=3).iloc[0]
    assert (row[c.SD], row[c.CI_LOW], row[c.CI_HIGH]) == (0.0, 3.0, 3.0)
    assert row[c.UNCERTAIN] is False


@pytest.mark.parametrize(
    ("mean", "band"),
    [
        (5.0, "strength"),
        (4.0, "strength"),
        (3.9999999999999996, "strength"),  # 4 after floating-point averaging
        (3.99, "develop"),
        (3.0, "develop"),
        (2.99, "concern"),
        (1.0, "concern"),
        (NAN, None),
    ],
)
def test_band_for(mean, band):
    assert scoring.band_for(mean) == band


# --- overall_readiness -----------------------------------------------------------------------


def test_overall_readiness_averages_unsuppressed_dimensions():
    resp = scores_frame(
        {
            "A": {
                "D1": [4, 4, 4],
                "D2": [3, 3, 3],
                "D3": [1, 1],
            },  # D3 suppressed at K = 3
            "B": {"D1": [5, 5]},
        }
    )
    org = scoring.organisation_scores(resp, threshold=3)
    result = scoring.overall_readiness(org)
    expected = pd.DataFrame(
        {
            "organisation": ["A", "B"],
            # A: (4 + 3) / 2 = 3.5 → 25 × 2.5 = 62.5; B: every dimension suppressed
            "readiness": [62.5, NAN],
            "mean": [3.5, NAN],
            "n_dimensions": [2, 0],
            "suppressed": [False, True],
        }
    )
    pd.testing.assert_frame_equal(result, expected, check_dtype=False)


# --- agreement (rwg(j)) ----------------------------------------------------------------------

RWG_ITEMS = items_frame({"D1": [("X1", False), ("X2", True)]})


def test_rwg_j_matches_the_multilevel_formula():
    answers = answers_frame(
        [
            ("r1", "A", "D1", "X1", False, 4),
            ("r2", "A", "D1", "X1", False, 5),
            ("r3", "A", "D1", "X1", False, 3),
            ("r1", "A", "D1", "X2", True, 4),  # reversed → 2
            ("r2", "A", "D1", "X2", True, 4),
            ("r3", "A", "D1", "X2", True, 4),
        ]
    )
    # multilevel::rwg.j(ranvar = 2): X1 var(4,5,3) = 1, X2 var(2,2,2) = 0 → s̄² = 0.5;
    # s̄²/σ²E = 0.25; rwg(j) = 2(1 − .25) / (2(1 − .25) + .25) = 1.5 / 1.75 = 0.857143
    result = scoring.agreement(answers, RWG_ITEMS)
    expected = pd.DataFrame(
        {
            "organisation": ["A"],
            "dimension": ["D1"],
            "rwg_j": [1.5 / 1.75],
            "n": [3],
            "divided": [False],
        }
    )
    pd.testing.assert_frame_equal(result, expected, check_dtype=False)


def test_rwg_j_caps_the_variance_at_the_null_and_marks_division():
    answers = answers_frame(
        [
            (f"r{i}", "A", "D1", item, item == "X2", v)
            for item in ("X1", "X2")
            for i, v in enumerate([1, 5, 1, 5])
        ]
    )
    # var(1,5,1,5) = 16/3 > 2 for both items → s̄² capped at 2 → rwg(j) = 0
    row = scoring.agreement(answers, RWG_ITEMS).iloc[0]
    assert row[c.RWG_J] == 0.0
    assert row[c.DIVIDED]


def test_rwg_j_is_one_for_unanimous_answers_and_missing_below_two_respondents():
    answers = answers_frame(
        [(f"r{i}", "A", "D1", "X1", False, 4) for i in range(3)]
        + [(f"r{i}", "A", "D1", "X2", True, 2) for i in range(3)]
        + [("s1", "B", "D1", "X1", False, 4), ("s1", "B", "D1", "X2", True, 2)]
    )
    result = scoring.agreement(answers, RWG_ITEMS).set_index(c.ORGANISATION)
    assert result.at["A", c.RWG_J] == 1.0
    assert math.isnan(result.at["B", c.RWG_J])
    assert result.at["B", c.N] == 1
    assert not result.at["B", c.DIVIDED]


# --- "Don't know" ----------------------------------------------------------------------------


def test_dont_know_rates_per_organisation_dimension_and_item():
    answers = answers_frame(
        [
            ("r1", "A", "D1", "D1.1", False, NAN),
            ("r1", "A", "D1", "D1.2", False, 3),
            ("r2", "A", "D1", "D1.1", False, 2),
            ("r2", "A", "D1", "D1.2", False, 4),
            ("s1", "B", "D1", "D1.1", False, NAN),
            ("s1", "B", "D1", "D1.2", False, NAN),
        ]
    )
    by_org = scoring.dont_know_rates(answers)
    expected = pd.DataFrame(
        # A: 1 of 4 answers; B: 2 of 2
        {
            "organisation": ["A", "B"],
            "dimension": ["D1", "D1"],
            "dont_know_rate": [0.25, 1.0],
        }
    )
    pd.testing.assert_frame_equal(by_org, expected, check_dtype=False)

    by_item = scoring.item_dont_know_rates(answers)
    expected_items = pd.DataFrame(
        # D1.1: 2 of 3 answers; D1.2: 1 of 3
        {
            "item": ["D1.1", "D1.2"],
            "dimension": ["D1", "D1"],
            "dont_know_rate": [2 / 3, 1 / 3],
            "n": [3, 3],
        }
    )
    pd.testing.assert_frame_equal(by_item, expected_items, check_dtype=False)


# --- Cronbach's alpha ------------------------------------------------------------------------

ALPHA_ITEMS = items_frame(
    {"D1": [("Y1", False), ("Y2", False), ("Y3", True)], "D2": [("Z1", False)]}
)


def alpha_answers() -> pd.DataFrame:
    scored_rows = {"r1": (1, 2, 2), "r2": (2, 2, 3), "r3": (3, 4, 3), "r4": (4, 4, 5)}
    rows = [
        # Y3 is reverse-worded: store the raw answer 6 − x so that its scored value is x.
        (rid, "A", "D1", item, item == "Y3", 6 - v if item == "Y3" else v)
        for rid, values in scored_rows.items()
        for item, v in zip(("Y1", "Y2", "Y3"), values, strict=True)
    ]
    rows += [  # r5 said "Don't know" to Y2, so listwise deletion drops them
        ("r5", "A", "D1", "Y1", False, 5),
        ("r5", "A", "D1", "Y2", False, NAN),
        ("r5", "A", "D1", "Y3", True, 1),
    ]
    rows += [(rid, "A", "D2", "Z1", False, 3) for rid in scored_rows]
    return answers_frame(rows)


def test_cronbach_alpha_against_hand_computation():
    result = scoring.cronbach_alpha(alpha_answers(), ALPHA_ITEMS).set_index(c.DIMENSION)
    # Complete cases r1–r4, scored: Y1 = 1,2,3,4; Y2 = 2,2,4,4; Y3 = 2,3,3,5.
    # Item variances 5/3, 4/3, 19/12 → Σ = 55/12. Totals 5,7,10,13 → variance 49/4.
    # α = 3/2 × (1 − (55/12)/(49/4)) = 3/2 × (1 − 55/147) = 138/147 = 0.938776
    assert result.at["D1", c.ALPHA] == pytest.approx(138 / 147)
    # r(Y1,Y2) = 4/√(5·4); r(Y1,Y3) = 4.5/√(5·4.75); r(Y2,Y3) = 3/√(4·4.75)
    mean_r = (4 / math.sqrt(20) + 4.5 / math.sqrt(23.75) + 3 / math.sqrt(19)) / 3
    assert result.at["D1", c.MEAN_INTER_ITEM_R] == pytest.approx(mean_r)  # 0.835352
    assert result.at["D1", c.N_COMPLETE] == 4
    assert result.at["D1", c.N_ITEMS] == 3
    # A single-item dimension has no alpha (J = 1).
    assert math.isnan(result.at["D2", c.ALPHA])
    assert math.isnan(result.at["D2", c.MEAN_INTER_ITEM_R])
    assert result.at["D2", c.N_ITEMS] == 1


def test_cronbach_alpha_needs_three_complete_respondents_and_some_variance():
    few = alpha_answers()[lambda d: d[c.RESPONSE_ID].isin(["r1", "r2", "r5"])]
    assert math.isnan(scoring.cronbach_alpha(few, ALPHA_ITEMS).at[0, c.ALPHA])

    same = answers_frame(
        [
            (f"r{i}", "A", "D1", item, False, 3)
            for i in range(4)
            for item in ("Y1", "Y2", "Y3")
        ]
    )
    row = scoring.cronbach_alpha(same, ALPHA_ITEMS).set_index(c.DIMENSION).loc["D1"]
    assert math.isnan(row[c.ALPHA])  # σ²ₓ = 0
    assert math.isnan(row[c.MEAN_INTER_ITEM_R])
    assert row[c.N_COMPLETE] == 4


# --- ICC -------------------------------------------------------------------------------------


def test_icc_against_a_hand_computed_anova():
    resp = scores_frame({"A": {"D1": [2, 3, 4], "D2": [3, 4]}, "B": {"D1": [4, 5]}})
    result = scoring.icc(resp).set_index(c.DIMENSION)
    # D1: N = 5, G = 2, group means 3 and 4.5, grand mean 18/5 = 3.6.
    # SSB = 3(3 − 3.6)² + 2(4.5 − 3.6)² = 1.08 + 1.62 = 2.7 → MSB = 2.7 / 1 = 2.7
    # SSW = (1 + 0 + 1) + (.25 + .25) = 2.5 → MSW = 2.5 / (5 − 2) = 0.833333
    # n₀ = (5 − (9 + 4)/5) / 1 = 2.4
    msb, msw, n0 = 2.7, 2.5 / 3, 2.4
    assert result.at["D1", c.ICC1] == pytest.approx(
        (msb - msw) / (msb + (n0 - 1) * msw)
    )
    assert result.at["D1", c.ICC1] == pytest.approx(0.482759, abs=1e-6)
    assert result.at["D1", c.ICC2] == pytest.approx((msb - msw) / msb)  # 0.691358
    assert result.at["D1", c.N_GROUPS] == 2
    # D2 has one organisation only: no between-organisation variance to estimate.
    assert math.isnan(result.at["D2", c.ICC1])
    assert result.at["D2", c.N_GROUPS] == 1


# --- item_distribution -----------------------------------------------------------------------


def test_item_distribution_counts_raw_answers_including_dont_know():
    answers = answers_frame(
        [
            ("r1", "A", "D1", "D1.4", True, 1),  # raw answers, not reversed
            ("r2", "A", "D1", "D1.4", True, 5),
            ("r3", "A", "D1", "D1.4", True, 5),
            ("r4", "A", "D1", "D1.4", True, NAN),
        ]
    )
    result = scoring.item_distribution(answers)
    expected = pd.DataFrame(
        {
            "organisation": ["A"] * 6,
            "item": ["D1.4"] * 6,
            "dimension": ["D1"] * 6,
            "value": pd.Series([1, 2, 3, 4, 5, "dk"], dtype=object),
            "count": [1, 0, 0, 0, 2, 1],
            "share": [0.25, 0.0, 0.0, 0.0, 0.5, 0.25],
        }
    )
    pd.testing.assert_frame_equal(result, expected, check_dtype=False)


# --- empty input -----------------------------------------------------------------------------


def test_empty_answers_give_empty_frames_with_their_columns():
    answers = answers_frame([])
    resp = scoring.respondent_scores(answers, ITEMS)
    org = scoring.organisation_scores(resp, threshold=5)
    assert list(resp.columns) == c.RESPONDENT_SCORE_COLUMNS
    assert list(org.columns) == c.ORGANISATION_SCORE_COLUMNS
    assert list(scoring.overall_readiness(org).columns) == c.OVERALL_COLUMNS
    assert list(scoring.agreement(answers, ITEMS).columns) == c.AGREEMENT_COLUMNS
    assert list(scoring.icc(resp).columns) == c.ICC_COLUMNS
    assert list(scoring.item_distribution(answers).columns) == c.DISTRIBUTION_COLUMNS


def test_welch_interval_matches_a_hand_computation():
    # se² = .6²/10 + .8²/12 = .089333; Welch df = 19.82; t(.975, 19.82) = 2.0863.
    gap, low, high = scoring.welch_interval(3.8, 0.6, 10, 3.3, 0.8, 12)
    assert gap == pytest.approx(0.5)
    assert (low, high) == pytest.approx((-0.12382, 1.12382), abs=1e-5)


def test_welch_interval_matches_scipy_on_raw_answers():
    from scipy import stats

    now, before = np.array([4, 3, 5, 4, 4, 2, 5.0]), np.array([3, 2, 4, 3, 3, 2.0])
    expected = stats.ttest_ind(now, before, equal_var=False).confidence_interval(0.9)
    gap, low, high = scoring.welch_interval(
        now.mean(), now.std(ddof=1), 7, before.mean(), before.std(ddof=1), 6, level=0.9
    )
    assert gap == pytest.approx(now.mean() - before.mean())
    assert (low, high) == pytest.approx((expected.low, expected.high), rel=1e-12)


@pytest.mark.parametrize(
    ("sd_a", "n_a", "sd_b", "n_b"),
    [(0.5, 1, 0.5, 8), (0.5, 8, 0.5, 1), (0.0, 8, 0.0, 8)],
)
def test_welch_interval_is_missing_without_a_standard_error(sd_a, n_a, sd_b, n_b):
    gap, low, high = scoring.welch_interval(3.5, sd_a, n_a, 3.0, sd_b, n_b)
    assert gap == pytest.approx(0.5)
    assert math.isnan(low)
    assert math.isnan(high)


def test_a_wider_level_gives_a_wider_welch_interval():
    _gap, low95, high95 = scoring.welch_interval(3.8, 0.6, 10, 3.3, 0.8, 12)
    _gap, low99, high99 = scoring.welch_interval(3.8, 0.6, 10, 3.3, 0.8, 12, level=0.99)
    assert low99 < low95
    assert high99 > high95
