"""Fit formulas checked against hand-computed values (no database)."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from reports import columns as c
from reports import fit, scoring

NAN = np.nan
T_975_DF4 = 2.7764451  # t(.975, 4) from printed tables


def series(values: list[float], dims: list[str] | None = None) -> pd.Series:
    return pd.Series(
        values, index=dims or [f"D{i + 1}" for i in range(len(values))], dtype="float64"
    )


# --- profile_similarity ----------------------------------------------------------------------


def test_profile_similarity_against_hand_computation():
    a = series([4, 3, 2, 5])
    b = series([3, 3, 4, NAN])  # D4 is missing for B, so k = 3
    norm = series([3, 2, 3, 3])
    result = fit.profile_similarity(a, b, norm)
    # a − b = 1, 0, −2 → D² = 5.  ā = 3, b̄ = 10/3.
    # σa = √(2/3), σb = √2/3 (divisor k); cov = (1·(−1/3) + 0 + (−1)(2/3))/3 = −1/3.
    # elevation = 3(−1/3)² = 1/3; scatter = 3(σa − σb)² = 8/3 − 4/√3;
    # shape = 2·3·(σaσb − cov) = 4/√3 + 2.  Sum = 1/3 + 8/3 + 2 = 5 = D².
    assert result["k"] == 3
    assert result["d2"] == pytest.approx(5.0)
    assert result["elevation"] == pytest.approx(1 / 3)
    assert result["scatter"] == pytest.approx(8 / 3 - 4 / math.sqrt(3))
    assert result["shape"] == pytest.approx(4 / math.sqrt(3) + 2)
    assert result["level_gap"] == pytest.approx(-1 / 3)
    # profile_fit = 100(1 − √(5/3)/4) = 67.7251
    assert result["profile_fit"] == pytest.approx(100 * (1 - math.sqrt(5 / 3) / 4))
    # a − norm = 1, 1, −1 and b − norm = 0, 1, 1: deviations (2/3, 2/3, −4/3) and
    # (−2/3, 1/3, 1/3); Σ products = −2/3, SS 8/3 and 2/3 → r = (−2/3)/√(16/9) = −0.5
    assert result["shape_similarity"] == pytest.approx(-0.5)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_cronbach_gleser_parts_sum_to_d2(seed):
    rng = np.random.default_rng(seed)
    a, b, norm = (series(list(rng.uniform(1, 5, 9))) for _ in range(3))
    result = fit.profile_similarity(a, b, norm)
    assert result["elevation"] + result["scatter"] + result["shape"] == pytest.approx(
        ((a - b) ** 2).sum()
    )


def test_shape_similarity_is_none_for_a_flat_profile_or_fewer_than_three_dimensions():
    flat = fit.profile_similarity(
        series([3, 3, 3]), series([2, 3, 4]), series([3, 3, 3])
    )
    assert flat["shape_similarity"] is None  # a − norm has zero variance
    assert flat["shape"] == 0.0  # σa = 0, so all of D² is elevation and scatter
    assert flat["elevation"] + flat["scatter"] == pytest.approx(flat["d2"])

    two = fit.profile_similarity(series([4, 2]), series([2, 4]), series([3, 3]))
    assert two["k"] == 2
    assert two["shape_similarity"] is None
    assert two["d2"] == 8.0


def test_identical_profiles_fit_perfectly_and_no_common_dimension_gives_nothing():
    same = fit.profile_similarity(
        series([4, 3, 2]), series([4, 3, 2]), series([3, 3, 3])
    )
    assert (same["d2"], same["profile_fit"], same["level_gap"]) == (0.0, 100.0, 0.0)
    assert same["shape_similarity"] == pytest.approx(1.0)

    empty = fit.profile_similarity(series([4, NAN]), series([NAN, 3]), series([3, 3]))
    assert empty["k"] == 0
    assert all(value is None for key, value in empty.items() if key != "k")


# --- culture ---------------------------------------------------------------------------------


def profile_points_frame() -> pd.DataFrame:
    rows = [
        ("a1", "A", "drive", "H", 40),
        ("a1", "A", "drive", "I", 30),
        ("a1", "A", "drive", "E", 20),
        ("a1", "A", "drive", "F", 10),
        ("a1", "A", "noticed", "H", 20),
        ("a1", "A", "noticed", "I", 20),
        ("a1", "A", "noticed", "E", 40),
        ("a1", "A", "noticed", "F", 20),
        # a2 answered one prompt and gave F nothing (no row): F counts as 0 points.
        ("a2", "A", "drive", "H", 10),
        ("a2", "A", "drive", "I", 20),
        ("a2", "A", "drive", "E", 70),
    ]
    return pd.DataFrame(rows, columns=c.PROFILE_POINT_COLUMNS)


def test_culture_profiles_average_each_respondent_then_the_organisation():
    points = profile_points_frame()
    before = points.copy()
    result = fit.culture_profiles(points, threshold=2).drop(
        columns=["lead", "lead_low", "lead_high"]
    )
    # a1 = (40+20)/2, (30+20)/2, (20+40)/2, (10+20)/2 = 30, 25, 30, 15
    # a2 = 10, 20, 70, 0;  A = mean of the two respondents
    expected = pd.DataFrame(
        {
            "organisation": ["A"],
            "H": [20.0],
            "I": [22.5],
            "E": [50.0],
            "F": [7.5],
            "n": [2.0],
            "suppressed": [False],
        }
    )
    pd.testing.assert_frame_equal(result, expected, check_dtype=False)
    assert result[c.CULTURE_TYPES].sum(axis=1).iloc[0] == pytest.approx(100)
    pd.testing.assert_frame_equal(points, before)


def test_culture_profiles_suppress_below_threshold_including_n():
    row = fit.culture_profiles(profile_points_frame(), threshold=3).iloc[0]
    assert row[c.SUPPRESSED]
    assert row[[*c.CULTURE_TYPES, c.N]].isna().all()


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ([40, 30, 20, 10], [40, 30, 20, 10], 100.0),  # identical
        ([100, 0, 0, 0], [0, 100, 0, 0], 0.0),  # opposite: ½(100 + 100) = 100 apart
        ([40, 30, 20, 10], [20, 30, 40, 10], 80.0),  # 100 − ½(20 + 0 + 20 + 0)
    ],
)
def test_culture_fit(a, b, expected):
    assert (
        fit.culture_fit(series(a, c.CULTURE_TYPES), series(b, c.CULTURE_TYPES))
        == expected
    )


def test_culture_fit_is_nan_when_a_profile_is_missing():
    missing = series([NAN] * 4, c.CULTURE_TYPES)
    assert math.isnan(fit.culture_fit(missing, series([25] * 4, c.CULTURE_TYPES)))


# --- partner ratings -------------------------------------------------------------------------


def test_partner_ratings_against_hand_computation():
    rows = []
    raters = {
        "a1": {"P0": 3, "P1": 4, "P2": 5, "P3": NAN, "P4": 4, "P5": 2, "P6": 3},
        "a2": {"P0": 2, "P1": 2, "P2": 2, "P3": 2, "P4": NAN, "P6": 5},
        "a3": {"P0": 1},  # does not know B: not a rater
        "a4": {"P0": 4, "P1": NAN, "P2": NAN, "P3": NAN, "P4": 5, "P6": 4},
    }
    for rid, answers in raters.items():
        rows += [(rid, "A", "B", item, value) for item, value in answers.items()]
    ratings = fit.partner_ratings(pd.DataFrame(rows, columns=c.PARTNER_ANSWER_COLUMNS))
    # trust: a1 mean(4, 5) = 4.5, a2 mean(2, 2, 2) = 2, a4 none → (4.5 + 2)/2 = 3.25
    # compatibility (P4): (4 + 5)/2 = 4.5; meta (P6): (3 + 5 + 4)/3 = 4
    expected = pd.DataFrame(
        {
            "organisation": ["A"],
            "subject": ["B"],
            "n_raters": [3],
            "trust": [3.25],
            "compatibility": [4.5],
            "meta": [4.0],
            "n_trust": [2],
            "n_compatibility": [2],
            "n_meta": [3],
            # sample sd over raters: trust (4.5, 2), compatibility (4, 5), meta (3, 5, 4)
            "sd_trust": [math.sqrt(2 * 1.25**2)],
            "sd_compatibility": [math.sqrt(0.5)],
            "sd_meta": [1.0],
        }
    )
    pd.testing.assert_frame_equal(ratings, expected, check_dtype=False)


def test_partner_ratings_blank_the_spread_with_a_figure_too_few_raters_gave():
    rows = [
        ("a1", "A", "B", "P0", 3),
        ("a1", "A", "B", "P1", 4),
        ("a1", "A", "B", "P6", 2),
        ("a2", "A", "B", "P0", 3),
        ("a2", "A", "B", "P1", 2),
    ]
    ratings = fit.partner_ratings(
        pd.DataFrame(rows, columns=c.PARTNER_ANSWER_COLUMNS), threshold=2
    ).iloc[0]
    assert ratings[c.SD_TRUST] == pytest.approx(math.sqrt(2))
    # Only a1 answered P6: below K, so neither the mean nor its spread is shown.
    assert math.isnan(ratings[c.META])
    assert math.isnan(ratings[c.SD_META])


# --- dimension gaps --------------------------------------------------------------------------


def scores_frame(scores: dict[str, dict[str, list[float]]]) -> pd.DataFrame:
    rows = [
        (f"{org}-{i}", org, dim, value)
        for org, dims in scores.items()
        for dim, values in dims.items()
        for i, value in enumerate(values)
    ]
    return pd.DataFrame(rows, columns=c.RESPONDENT_SCORE_COLUMNS)


def test_dimension_gaps_against_hand_computation():
    resp = scores_frame(
        {
            "A": {"D1": [3, 4, 5], "D2": [5, 5, 4], "D3": [4, 4, 4], "D4": [2, 3, 4]},
            "B": {"D1": [1, 2, 3], "D2": [2, 2, 3], "D3": [4, 4, 4], "D4": [2, 3]},
        }
    )
    result = fit.dimension_gaps(resp, "A", "B", threshold=3)
    # D4 is dropped: B has 2 < 3 respondents there.
    # Equal n and variances make Welch df = 2(n − 1) = 4, so t = 2.776445 from tables.
    # D1: gap 4 − 2 = 2; var 1 and 1 → SE = √(1/3 + 1/3) = 0.816497; CI 2 ± 2.266958
    #     → [−0.267, 4.267] includes 0, so not a clear gap; z = 2.449490;
    #     pooled sd 1, Hedges J = 1 − 3/(4·6 − 9) = 0.8 → g = 1.6.
    # D2: gap 14/3 − 7/3 = 7/3; var 1/3 each → SE = √(2/9) = 0.471405;
    #     CI 7/3 ± 1.308816 = [1.025, 3.642] → clear; z = 4.949747; g = 0.8 · (7/3)/√(1/3).
    # D3: both unanimous: SE 0, zero-width CI, z undefined → listed last.
    # Holm over the k = 3 dimensions compared (§6.1): Welch p on 4 df is .007763 for D2
    # (t = 4.949747) and .070484 for D1 (t = 2.449490); D3 has nothing to test but is one of
    # the three. Adjusted: D2 .007763 × 3 = .023288 ≤ .05 → clear; D1 .070484 × 2 = .140968.
    # The simultaneous interval uses t(1 − .05/6, 4) = 3.960786 from tables.
    se1, se2 = math.sqrt(2 / 3), math.sqrt(2 / 9)
    t_sim = 3.9607865
    expected = pd.DataFrame(
        {
            "dimension": ["D2", "D1", "D3"],
            "mean_a": [14 / 3, 4.0, 4.0],
            "mean_b": [7 / 3, 2.0, 4.0],
            "gap": [7 / 3, 2.0, 0.0],
            "se": [se2, se1, 0.0],
            "ci_low": [7 / 3 - T_975_DF4 * se2, 2 - T_975_DF4 * se1, 0.0],
            "ci_high": [7 / 3 + T_975_DF4 * se2, 2 + T_975_DF4 * se1, 0.0],
            "effect_size": [0.8 * (7 / 3) / math.sqrt(1 / 3), 1.6, NAN],
            "clear": [True, False, False],
            "z": [(7 / 3) / se2, 2 / se1, NAN],
            "sim_ci_low": [7 / 3 - t_sim * se2, 2 - t_sim * se1, 0.0],
            "sim_ci_high": [7 / 3 + t_sim * se2, 2 + t_sim * se1, 0.0],
            "p_value": [0.0077626, 0.0704840, NAN],
            "p_holm": [3 * 0.0077626, 2 * 0.0704840, NAN],
        }
    )
    pd.testing.assert_frame_equal(result, expected, check_dtype=False, atol=1e-6)


def test_nine_dimensions_share_one_five_percent_error_rate():
    # Nine dimensions, each with Welch p = .02 on its own: separately each would be a clear
    # gap at 95%; as one family Holm needs p ≤ .05/9 = .0056 for the first, so none is.
    rng = np.random.default_rng(4)
    base = rng.normal(0, 1, 10)
    base = (base - base.mean()) / base.std(ddof=1)  # sd exactly 1
    target_gap = stats.t.ppf(1 - 0.02 / 2, 18) * math.sqrt(2 / 10)  # p = .02 exactly
    dims = [f"D{d}" for d in range(1, 10)]
    resp = scores_frame(
        {
            "A": {d: list(3 + target_gap + base) for d in dims},
            "B": {d: list(3 + base) for d in dims},
        }
    )
    gaps = fit.dimension_gaps(resp, "A", "B", threshold=5)
    np.testing.assert_allclose(gaps[c.P_VALUE], 0.02)
    np.testing.assert_allclose(gaps[c.P_HOLM], 0.02 * 9)  # all tie: each × 9, capped ≥
    assert (gaps[c.CI_LOW] > 0).all()  # every ordinary 95% interval excludes zero
    assert (gaps[c.SIM_CI_LOW] < 0).all()  # no simultaneous one does
    assert not gaps[c.CLEAR].any()


def test_a_small_gap_is_not_clear_even_when_its_interval_excludes_zero():
    resp = scores_frame(
        {"A": {"D1": [4.0, 4.1, 4.2] * 3}, "B": {"D1": [3.7, 3.8, 3.9] * 3}}
    )
    row = fit.dimension_gaps(resp, "A", "B", threshold=3).iloc[0]
    assert row[c.GAP] == pytest.approx(0.3)
    assert row[c.CI_LOW] > 0
    assert not row[c.CLEAR]  # |gap| < 0.5


# --- pairwise fit ----------------------------------------------------------------------------


def pair_inputs(*, b_raters_of_a: int = 2) -> dict:
    """Three organisations, K = 2: A and B can be compared, C has one respondent."""
    resp = pd.DataFrame(
        [
            ("a1", "A", "D1", 5.0),
            ("a1", "A", "D2", 3.0),
            ("a1", "A", "D3", 2.0),
            ("a2", "A", "D1", 3.0),
            ("a2", "A", "D2", 3.0),
            ("a2", "A", "D3", 2.0),
            ("b1", "B", "D1", 3.0),
            ("b1", "B", "D2", 2.0),
            ("b1", "B", "D3", 4.0),
            ("b2", "B", "D1", 3.0),
            ("b2", "B", "D2", 4.0),
            ("b2", "B", "D3", 4.0),
            ("c1", "C", "D1", 1.0),
            ("c1", "C", "D2", 1.0),
            ("c1", "C", "D3", 1.0),
        ],
        columns=c.RESPONDENT_SCORE_COLUMNS,
    )
    culture = pd.DataFrame(
        {
            "organisation": ["A", "B", "C"],
            "H": [40.0, 20.0, NAN],
            "I": [30.0, 30.0, NAN],
            "E": [20.0, 40.0, NAN],
            "F": [10.0, 10.0, NAN],
            "n": [2.0, 2.0, NAN],
            "suppressed": [False, False, True],
        }
    )
    ratings = pd.DataFrame(
        {
            "organisation": ["A", "B", "A", "C"],
            "subject": ["B", "A", "C", "A"],
            "n_raters": [2, b_raters_of_a, 2, 1],
            "trust": [4.0, 3.0, 3.0, 5.0],
            "compatibility": [3.0, 4.0, 3.0, 5.0],
            "meta": [4.5, 2.0, 3.0, 5.0],
            "n_trust": [2, b_raters_of_a, 2, 1],
            "n_compatibility": [2, b_raters_of_a, 2, 1],
            "n_meta": [2, b_raters_of_a, 2, 1],
        }
    )
    org_scores = scoring.organisation_scores(resp, threshold=2)
    return {
        "resp_scores": resp,
        "org_scores": org_scores,
        "culture": culture,
        "ratings": ratings,
    }


def test_pairwise_fit_against_hand_computation():
    inputs = pair_inputs()
    before = {key: frame.copy() for key, frame in inputs.items()}
    result = fit.pairwise_fit(**inputs, threshold=2, n_boot=200)
    assert list(result.columns) == [*c.FIT_CSV_COLUMNS, *c.FIT_EXTRA_COLUMNS]
    assert len(result) == 6  # ordered pairs of three organisations
    row = result.set_index([c.ORGANISATION_A, c.ORGANISATION_B]).loc[("A", "B")]

    # Profiles: A = 4, 3, 2 and B = 3, 3, 4, so D² = 1 + 0 + 4 = 5 over k = 3.
    # Noise (§6.2): A's D1 answers 5, 3 (sd √2, SE 1) and B's D2 answers 2, 4 (SE 1); the
    # rest are unanimous. Σ SE² = 2, so profile_fit = 100(1 − √((5 − 2)/3)/4) = 75.
    assert row[c.PROFILE_FIT] == pytest.approx(75.0)
    assert row[c.LEVEL_GAP] == pytest.approx(-1 / 3)
    assert row[c.ELEVATION] + row[c.SCATTER] + row[c.SHAPE] == pytest.approx(5.0)
    # Shape needs 3 other organisations shown (§6.4); C is suppressed, so none.
    assert math.isnan(row[c.SHAPE_SIMILARITY])
    assert row[c.SHAPE_SIMILARITY_NOTE] == fit.SHAPE_TOO_FEW_OTHERS
    # Without the raw frames nothing but profiles is resampled, so culture and trust keep
    # their plain §5 values: 100 − ½(20 + 0 + 20 + 0) = 80.
    assert row[c.CULTURE_FIT] == pytest.approx(80.0)
    # Trust: 25(4 − 1) = 75 from A to B; 25(3 − 1) = 50 back; mutual = the smaller.
    assert row[c.TRUST_A_TO_B] == pytest.approx(75.0)
    assert row[c.TRUST_B_TO_A] == pytest.approx(50.0)
    assert row[c.ASYMMETRY] == pytest.approx(25.0)
    assert row[c.MUTUAL_TRUST] == pytest.approx(50.0)
    # Compatibility is the mean of the two directions' means (§6.3), not the pool of
    # answers: (3 + 4)/2 = 3.5 → 25 × 2.5 = 62.5.
    assert row[c.COMPATIBILITY] == pytest.approx(62.5)
    # meta_gap_A = 25(4.5 − 1) − 50 = 37.5: A overestimates how much B trusts it.
    # meta_gap_B = 25(2 − 1) − 75 = −50: B underestimates A's trust.
    assert row[c.META_GAP_A] == pytest.approx(37.5)
    assert row[c.META_GAP_B] == pytest.approx(-50.0)
    # Ratings without their spread over raters give the gaps no interval.
    assert row[[c.META_GAP_A_LOW, c.META_GAP_A_HIGH]].isna().all()
    # fit = .3 × 62.5 + .3 × 50 + .2 × 80 + .2 × 75 = 64.75
    assert row[c.FIT] == pytest.approx(64.75)
    # |62.5 − mean(75, 80)| = 15 < 25
    assert row[c.PERCEIVED_ACTUAL_FLAG] is False
    # Gaps: D1 1/1 = 1, D2 0/1 = 0, D3 −2 with SE 0 (both unanimous) → the largest, with a
    # zero-width simultaneous interval, and clear (p = 0, |gap| ≥ 0.5).
    assert row[c.LARGEST_GAP_DIMENSION] == "D3"
    assert row[c.LARGEST_GAP] == pytest.approx(-2.0)
    assert (row[c.LARGEST_GAP_LOW], row[c.LARGEST_GAP_HIGH]) == (-2.0, -2.0)
    assert row[c.LARGEST_GAP_CLEAR] is True
    assert not row[c.SUPPRESSED]

    back = result.set_index([c.ORGANISATION_A, c.ORGANISATION_B]).loc[("B", "A")]
    assert back[c.TRUST_A_TO_B] == pytest.approx(50.0)
    assert back[c.TRUST_B_TO_A] == pytest.approx(75.0)
    assert back[c.COMPATIBILITY] == pytest.approx(62.5)  # the same two directions
    assert back[c.META_GAP_A] == pytest.approx(-50.0)
    assert back[c.META_GAP_B] == pytest.approx(37.5)
    assert back[c.LEVEL_GAP] == pytest.approx(1 / 3)
    assert back[c.LARGEST_GAP] == pytest.approx(2.0)
    # Both orders draw the same resamples, so they report the same interval.
    assert (back[c.FIT_CI_LOW], back[c.FIT_CI_HIGH]) == (
        row[c.FIT_CI_LOW],
        row[c.FIT_CI_HIGH],
    )
    for key, frame in inputs.items():
        pd.testing.assert_frame_equal(frame, before[key])


def meta_answers(meta_of_b: list[float], trust_of_a: list[float]) -> pd.DataFrame:
    """A's raters guess how much B trusts A (P6); B's raters say how much they do (P1–P3)."""
    rows = []
    for i, value in enumerate(meta_of_b):
        rows += [(f"a{i}", "A", "B", "P0", 3), (f"a{i}", "A", "B", "P6", value)]
        rows += [(f"a{i}", "A", "B", item, 3) for item in c.TRUST_ITEMS]
    for i, value in enumerate(trust_of_a):
        rows += [(f"b{i}", "B", "A", "P0", 3), (f"b{i}", "B", "A", "P6", 3)]
        rows += [(f"b{i}", "B", "A", item, value) for item in c.TRUST_ITEMS]
    return pd.DataFrame(rows, columns=c.PARTNER_ANSWER_COLUMNS)


def meta_gap_row(answers: pd.DataFrame, rating_threshold: int = 2) -> pd.Series:
    """The A–B row, with A and B shown (K = 2) and their ratings cut at `rating_threshold`."""
    inputs = pair_inputs()
    inputs["ratings"] = fit.partner_ratings(answers, threshold=rating_threshold)
    result = fit.pairwise_fit(**inputs, threshold=2, n_boot=20)
    return result.set_index([c.ORGANISATION_A, c.ORGANISATION_B]).loc[("A", "B")]


def test_meta_gap_interval_is_welch_on_the_raters_rescaled_to_points():
    meta, trust = [4.0, 5.0, 5.0], [2.0, 4.0, 3.0, 2.0]
    row = meta_gap_row(meta_answers(meta, trust))
    # A expects B's trust at 25(14/3 − 1) = 91.67; B answers 25(2.75 − 1) = 43.75.
    assert row[c.META_GAP_A] == pytest.approx(25 * (14 / 3 - 2.75))
    # Welch's interval of the raw answers (scipy), times 25 points per scale point.
    welch = stats.ttest_ind(meta, trust, equal_var=False).confidence_interval(0.95)
    assert row[c.META_GAP_A_LOW] == pytest.approx(25 * welch.low)
    assert row[c.META_GAP_A_HIGH] == pytest.approx(25 * welch.high)
    assert row[c.META_GAP_A_LOW] < row[c.META_GAP_A] < row[c.META_GAP_A_HIGH]


@pytest.mark.parametrize(
    ("meta", "trust", "rating_threshold", "gap_shown"),
    [
        ([4.0, 5.0], [2.0, 4.0], 3, False),  # two raters a side, K = 3: no gap at all
        ([4.0, 5.0, 4.0], [2.0, 4.0], 3, False),  # one side below K
        ([4.0, 4.0], [3.0, 3.0], 2, True),  # nobody differs: a gap but no interval
    ],
    ids=["below-K", "one-side-below-K", "no-spread"],
)
def test_meta_gap_interval_is_blank_below_the_threshold_or_without_spread(
    meta, trust, rating_threshold, gap_shown
):
    row = meta_gap_row(meta_answers(meta, trust), rating_threshold=rating_threshold)
    assert not row[c.SUPPRESSED]
    assert pd.notna(row[c.META_GAP_A]) is gap_shown
    assert row[[c.META_GAP_A_LOW, c.META_GAP_A_HIGH]].isna().all()


def test_pairs_with_an_organisation_below_threshold_are_suppressed_entirely():
    result = fit.pairwise_fit(**pair_inputs(), threshold=2, n_boot=50)
    hidden = result[
        (result[c.ORGANISATION_A] == "C") | (result[c.ORGANISATION_B] == "C")
    ]
    assert len(hidden) == 4
    assert hidden[c.SUPPRESSED].all()
    figures = [
        col
        for col in c.PAIRWISE_FIT_COLUMNS
        if col not in {c.ORGANISATION_A, c.ORGANISATION_B, c.SUPPRESSED}
    ]
    assert hidden[figures].isna().all().all()


def test_too_few_raters_back_hides_return_trust_and_renormalises_fit():
    # Only one of B's respondents rated A (< K = 2): B → A is suppressed, and A → B keeps
    # its figures but loses trust_b_to_a, mutual trust, both meta gaps and B's P4.
    result = fit.pairwise_fit(**pair_inputs(b_raters_of_a=1), threshold=2, n_boot=50)
    pairs = result.set_index([c.ORGANISATION_A, c.ORGANISATION_B])
    assert pairs.loc[("B", "A"), c.SUPPRESSED]
    row = pairs.loc[("A", "B")]
    assert not row[c.SUPPRESSED]
    assert row[c.TRUST_A_TO_B] == pytest.approx(75.0)
    for column in (
        c.TRUST_B_TO_A,
        c.MUTUAL_TRUST,
        c.ASYMMETRY,
        c.META_GAP_A,
        c.META_GAP_B,
    ):
        assert math.isnan(row[column])
    compatibility = 25 * (3 - 1)  # A's raters only
    assert row[c.COMPATIBILITY] == pytest.approx(compatibility)
    # Without mutual trust the weights .3 + .2 + .2 = .7 are renormalised:
    # (.3 × 50 + .2 × 80 + .2 × 75) / .7 = 65.7143
    assert row[c.FIT] == pytest.approx(
        (0.3 * compatibility + 0.2 * 80 + 0.2 * 75) / 0.7
    )


def test_custom_weights_and_unknown_weights():
    inputs = pair_inputs()
    only_culture = {
        "culture_fit": 1.0,
        "compatibility": 0,
        "mutual_trust": 0,
        "profile_fit": 0,
    }
    result = fit.pairwise_fit(**inputs, threshold=2, n_boot=50, weights=only_culture)
    assert (
        result.set_index([c.ORGANISATION_A, c.ORGANISATION_B]).at[("A", "B"), c.FIT]
        == 80.0
    )
    with pytest.raises(ValueError, match="unknown fit weights: trust"):
        fit.pairwise_fit(**inputs, threshold=2, weights={"trust": 1.0})
    assert sum(fit.DEFAULT_WEIGHTS.values()) == pytest.approx(1.0)


def test_pairwise_fit_rejects_frames_without_their_columns():
    inputs = pair_inputs()
    inputs["ratings"] = inputs["ratings"].drop(columns=[c.TRUST, c.META])
    with pytest.raises(
        ValueError, match="ratings is missing required columns: trust, meta"
    ):
        fit.pairwise_fit(**inputs, threshold=2)


# --- bootstrap -------------------------------------------------------------------------------


def synthetic_partnership(
    *,
    organisations: int = 8,
    respondents: int = 30,
    dimensions: int = 9,
    items_per_dimension: int = 4,
    seed: int = 1,
) -> dict[str, pd.DataFrame]:
    """Build every input frame for a realistic partnership (the benchmark's data)."""
    rng = np.random.default_rng(seed)
    orgs = [f"org{o}" for o in range(organisations)]
    dims = [f"D{d + 1}" for d in range(dimensions)]
    items = pd.DataFrame(
        [
            (d, f"{d}.{i + 1}", i == items_per_dimension - 1)
            for d in dims
            for i in range(items_per_dimension)
        ],
        columns=c.ITEM_COLUMNS,
    )
    rids = np.array([f"{o}-r{r}" for o in orgs for r in range(respondents)])
    rorg = np.repeat(orgs, respondents)
    level = np.repeat(
        rng.normal(3.3, 0.5, (organisations, dimensions)), items_per_dimension, 1
    )
    noise = rng.normal(0, 0.9, (len(rids), len(items)))
    raw = np.clip(np.rint(np.repeat(level, respondents, axis=0) + noise), 1, 5)
    raw = np.where(items[c.REVERSE].to_numpy(), 6 - raw, raw)
    raw[rng.random(raw.shape) < 0.08] = np.nan  # "Don't know"
    answers = pd.DataFrame(
        {
            c.RESPONSE_ID: np.repeat(rids, len(items)),
            c.ORGANISATION: np.repeat(rorg, len(items)),
            c.DIMENSION: np.tile(items[c.DIMENSION].to_numpy(), len(rids)),
            c.ITEM: np.tile(items[c.ITEM].to_numpy(), len(rids)),
            c.REVERSE: np.tile(items[c.REVERSE].to_numpy(), len(rids)),
            c.VALUE: raw.ravel(),
        }
    )
    # Partner block: every respondent is asked about every other organisation.
    rater = np.repeat(rids, organisations - 1)
    rater_org = np.repeat(rorg, organisations - 1)
    subject = np.concatenate([[s for s in orgs if s != o] for o in rorg])
    familiarity = rng.integers(1, 5, len(rater)).astype(float)
    values = np.clip(np.rint(rng.normal(3.4, 1.0, (len(rater), 6))), 1, 5)
    values[rng.random(values.shape) < 0.1] = np.nan
    known = familiarity > 1
    partner = pd.concat(
        [
            pd.DataFrame(
                {
                    c.RESPONSE_ID: rater,
                    c.ORGANISATION: rater_org,
                    c.SUBJECT: subject,
                    c.ITEM: "P0",
                    c.VALUE: familiarity,
                }
            )
        ]
        + [
            pd.DataFrame(
                {
                    c.RESPONSE_ID: rater[known],
                    c.ORGANISATION: rater_org[known],
                    c.SUBJECT: subject[known],
                    c.ITEM: f"P{j + 1}",
                    c.VALUE: values[known, j],
                }
            )
            for j in range(6)
        ],
        ignore_index=True,
    )
    # Culture profile: three prompts, 100 points each.
    points = np.round(rng.dirichlet([2, 1.5, 2.5, 1], (len(rids), 3)) * 100)
    points[..., 3] = 100 - points[..., :3].sum(axis=-1)
    profile = pd.DataFrame(
        {
            c.RESPONSE_ID: np.repeat(rids, 12),
            c.ORGANISATION: np.repeat(rorg, 12),
            c.PROMPT: np.tile(
                np.repeat(["drive", "noticed", "decisions"], 4), len(rids)
            ),
            c.CULTURE_TYPE: np.tile(c.CULTURE_TYPES, len(rids) * 3),
            c.POINTS: points.ravel(),
        }
    )
    return {
        "answers": answers,
        "items": items,
        "partner_answers": partner,
        "profile_points": profile,
    }


def fit_inputs(data: dict[str, pd.DataFrame], *, threshold: int = 5) -> dict:
    """Score a synthetic partnership into pairwise_fit's keyword arguments."""
    resp = scoring.respondent_scores(
        scoring.score_answers(data["answers"]), data["items"]
    )
    return {
        "resp_scores": resp,
        "org_scores": scoring.organisation_scores(resp, threshold=threshold),
        "culture": fit.culture_profiles(data["profile_points"], threshold=threshold),
        "ratings": fit.partner_ratings(data["partner_answers"]),
        "threshold": threshold,
        "profile_points": data["profile_points"],
        "partner_answers": data["partner_answers"],
    }


@pytest.fixture(scope="module")
def partnership() -> dict:
    return fit_inputs(synthetic_partnership())


def test_bootstrap_is_deterministic_and_its_interval_contains_the_estimate(partnership):
    first = fit.pairwise_fit(**partnership)
    again = fit.pairwise_fit(**partnership)
    pd.testing.assert_frame_equal(first, again)
    assert len(first) == 8 * 7
    assert not first[c.SUPPRESSED].any()
    assert (first[c.FIT_CI_LOW] <= first[c.FIT]).all()
    assert (first[c.FIT] <= first[c.FIT_CI_HIGH]).all()
    assert (first[c.FIT_CI_HIGH] > first[c.FIT_CI_LOW]).all()

    other_seed = fit.pairwise_fit(**partnership, seed=7)
    # The point estimates are corrected in closed form, so only the intervals depend on
    # the draws.
    for column in (
        c.FIT,
        c.PROFILE_FIT,
        c.CULTURE_FIT,
        c.MUTUAL_TRUST,
        c.COMPATIBILITY,
    ):
        pd.testing.assert_series_equal(first[column], other_seed[column])
    assert not np.allclose(first[c.FIT_CI_LOW], other_seed[c.FIT_CI_LOW])


def test_resampling_the_ratings_and_culture_widens_the_interval(partnership):
    # Without the raw partner and culture frames only profile_fit is resampled.
    aggregated = {
        key: value
        for key, value in partnership.items()
        if key not in {"profile_points", "partner_answers"}
    }
    narrow = fit.pairwise_fit(**aggregated, n_boot=500)
    wide = fit.pairwise_fit(**partnership, n_boot=500)
    narrow_width = (narrow[c.FIT_CI_HIGH] - narrow[c.FIT_CI_LOW]).mean()
    wide_width = (wide[c.FIT_CI_HIGH] - wide[c.FIT_CI_LOW]).mean()
    assert wide_width > narrow_width
    # Profiles and compatibility do not depend on resampling the other blocks; culture_fit
    # and mutual_trust are bias-corrected only when their raw answers are resampled.
    pd.testing.assert_series_equal(narrow[c.PROFILE_FIT], wide[c.PROFILE_FIT])
    pd.testing.assert_series_equal(narrow[c.COMPATIBILITY], wide[c.COMPATIBILITY])
    assert (wide[c.CULTURE_FIT] > narrow[c.CULTURE_FIT]).all()  # noise pulled it down


def raw_pair_inputs() -> dict:
    """A and B, two respondents each and K = 2, with raw culture points and ratings."""
    resp = pd.DataFrame(
        [
            (r, o, d, 3.0)
            for r, o in (("a1", "A"), ("a2", "A"), ("b1", "B"), ("b2", "B"))
            for d in ("D1", "D2", "D3")
        ],
        columns=c.RESPONDENT_SCORE_COLUMNS,
    )
    allocations = {
        ("a1", "A"): [60, 20, 20, 0],
        ("a2", "A"): [20, 40, 20, 20],
        ("b1", "B"): [20, 30, 40, 10],
        ("b2", "B"): [20, 30, 40, 10],
    }
    profile = pd.DataFrame(
        [
            (r, o, "drive", t, float(p))
            for (r, o), points in allocations.items()
            for t, p in zip(c.CULTURE_TYPES, points, strict=True)
        ],
        columns=c.PROFILE_POINT_COLUMNS,
    )
    trust = {("a1", "A", "B"): 5, ("a2", "A", "B"): 3}
    partner = pd.DataFrame(
        [
            (r, o, s, item, value)
            for r, o, s in (
                ("a1", "A", "B"),
                ("a2", "A", "B"),
                ("b1", "B", "A"),
                ("b2", "B", "A"),
            )
            for item, value in [
                ("P0", 3.0),
                *((i, float(trust.get((r, o, s), 3))) for i in c.TRUST_ITEMS),
                ("P4", 4.0),
                ("P6", 3.0),
            ]
        ],
        columns=c.PARTNER_ANSWER_COLUMNS,
    )
    return {
        "resp_scores": resp,
        "org_scores": scoring.organisation_scores(resp, threshold=2),
        "culture": fit.culture_profiles(profile, threshold=2),
        "ratings": fit.partner_ratings(partner, threshold=2),
        "profile_points": profile,
        "partner_answers": partner,
    }


def test_culture_fit_and_mutual_trust_take_the_noise_off_each_difference():
    row = (
        fit.pairwise_fit(**raw_pair_inputs(), threshold=2, n_boot=200)
        .set_index([c.ORGANISATION_A, c.ORGANISATION_B])
        .loc[("A", "B")]
    )
    w = 1.36

    def corrected(d: float, sd: float) -> float:  # 2|d| − E|N(|d|, (w·sd)²)|, by scipy
        return 2 * abs(d) - stats.foldnorm.mean(abs(d) / (w * sd), scale=w * sd)

    # Culture: A = (40, 30, 20, 10), B = (20, 30, 40, 10); A's answers 60/20, 20/40,
    # 20/20, 0/20 give SE² = s²/2 = 400, 100, 0, 100 and B's are unanimous. Plain
    # culture_fit = 100 − ½(20 + 0 + 20 + 0) = 80. Corrected, H: corrected(20, 20);
    # I and F: 0 − E|N(0, 13.6²)| = −10.851; E, with no noise: 20.
    distance = corrected(20, 20) + 2 * corrected(0, 10) + 20
    assert corrected(0, 10) == pytest.approx(-10.851231, abs=1e-6)
    assert row[c.CULTURE_FIT] == pytest.approx(100 - distance / 2)
    assert row[c.CULTURE_FIT] > 80
    # Trust: A's raters 5 and 3 about B (T = 4, SE² = 1), B's 3 and 3 about A (SE² 0):
    # 75 and 50 on the 0–100 scale, d = 25 with sd 25·√1. mutual = mean − ½|d|
    # corrected = 62.5 − ½ corrected(25, 25), above the plain min of 50.
    assert row[c.TRUST_A_TO_B] == pytest.approx(75.0)
    assert row[c.TRUST_B_TO_A] == pytest.approx(50.0)
    assert row[c.MUTUAL_TRUST] == pytest.approx(62.5 - corrected(25, 25) / 2)
    assert row[c.MUTUAL_TRUST] > 50
    assert row[c.CULTURE_FIT_CI_LOW] <= row[c.CULTURE_FIT] <= row[c.CULTURE_FIT_CI_HIGH]


def test_small_pair_bootstrap_contains_its_estimate():
    result = fit.pairwise_fit(**pair_inputs(), threshold=2, n_boot=500, seed=11)
    row = result.set_index([c.ORGANISATION_A, c.ORGANISATION_B]).loc[("A", "B")]
    assert row[c.FIT_CI_LOW] <= row[c.FIT] <= row[c.FIT_CI_HIGH]


# --- MEASUREMENT.md §6: shape, data the estimate withholds, independence of other pairs ---------


def shape_inputs(others: int) -> dict:
    """A and B plus `others` organisations with one shared profile, 2 unanimous raters each."""
    profiles = {"A": [4, 3, 2], "B": [3, 3, 4]} | {
        f"O{i}": [3, 2, 3] for i in range(others)
    }
    resp = scores_frame(
        {
            org: {f"D{d + 1}": [value, value] for d, value in enumerate(levels)}
            for org, levels in profiles.items()
        }
    )
    culture = pd.DataFrame(
        {"organisation": ["A"], "H": [25.0], "I": [25.0], "E": [25.0], "F": [25.0]}
    ).assign(n=2.0, suppressed=True)
    ratings = pd.DataFrame(
        {
            "organisation": ["A", "B"],
            "subject": ["B", "A"],
            "n_raters": [2, 2],
            "trust": [4.0, 4.0],
            "compatibility": [4.0, 4.0],
            "meta": [4.0, 4.0],
        }
    )
    return {
        "resp_scores": resp,
        "org_scores": scoring.organisation_scores(resp, threshold=2),
        "culture": culture,
        "ratings": ratings,
        "threshold": 2,
        "n_boot": 50,
    }


def test_shape_similarity_uses_the_profile_of_the_other_organisations():
    row = (
        fit.pairwise_fit(**shape_inputs(others=3))
        .set_index([c.ORGANISATION_A, c.ORGANISATION_B])
        .loc[("A", "B")]
    )
    # Normative profile from the three others only (§6.4): 3, 2, 3. a − p̄ = 1, 1, −1 and
    # b − p̄ = 0, 1, 1 → r = −0.5 (deviations (2/3, 2/3, −4/3) and (−2/3, 1/3, 1/3)).
    # A mean over all five organisations (3.2, 2.4, 3) would have given −0.0767.
    assert row[c.SHAPE_SIMILARITY] == pytest.approx(-0.5)
    assert row[c.SHAPE_SIMILARITY_NOTE] is None


def test_shape_similarity_is_blank_with_its_reason_below_three_others():
    row = (
        fit.pairwise_fit(**shape_inputs(others=2))
        .set_index([c.ORGANISATION_A, c.ORGANISATION_B])
        .loc[("A", "B")]
    )
    assert math.isnan(row[c.SHAPE_SIMILARITY])
    assert row[c.SHAPE_SIMILARITY_NOTE] == (
        "fewer than 3 other organisations to compare with"
    )


def test_answers_the_estimate_withholds_never_enter_its_resamples():
    # Two of B's raters answered P4 about A: fewer than K = 5, so B's view of A's
    # values is withheld from compatibility. Changing those two answers must change
    # nothing, interval included.
    data = synthetic_partnership(organisations=2, respondents=12, seed=5)
    partner = data["partner_answers"].copy()
    b_p4 = (partner[c.ORGANISATION] == "org1") & (partner[c.ITEM] == "P4")
    keep = partner[b_p4].index[:2]
    partner.loc[b_p4 & ~partner.index.isin(keep), c.VALUE] = np.nan

    def run(values: list[float]) -> pd.Series:
        answers = partner.copy()
        answers.loc[keep, c.VALUE] = values
        inputs = fit_inputs({**data, "partner_answers": answers})
        inputs["ratings"] = fit.partner_ratings(answers, threshold=5)
        result = fit.pairwise_fit(**inputs, n_boot=300)
        return result.set_index([c.ORGANISATION_A, c.ORGANISATION_B]).loc[
            ("org0", "org1")
        ]

    low, high = run([1.0, 1.0]), run([5.0, 5.0])
    assert not low[c.SUPPRESSED]
    assert low[c.COMPATIBILITY] > 0  # A's view of B alone
    for column in (
        c.COMPATIBILITY,
        c.COMPATIBILITY_CI_LOW,
        c.COMPATIBILITY_CI_HIGH,
        c.FIT,
        c.FIT_CI_LOW,
        c.FIT_CI_HIGH,
    ):
        assert low[column] == high[column], column


def test_a_hidden_organisation_moves_no_other_pair_in_any_digit():
    # Issue 12: org0 has 2 respondents (K = 5, so it is suppressed everywhere). One more
    # response from it must leave every other pair's figures bit-identical, intervals
    # included: each organisation's resamples come from a stream of its own.
    data = synthetic_partnership(organisations=5, respondents=8, seed=3)

    def without(hidden: set[str]) -> dict:
        return {
            key: frame[~frame[c.RESPONSE_ID].isin(hidden)]
            if c.RESPONSE_ID in frame
            else frame
            for key, frame in data.items()
        }

    org0 = [f"org0-r{r}" for r in range(8)]
    two, three = fit_inputs(without(set(org0[2:]))), fit_inputs(without(set(org0[3:])))
    before = fit.pairwise_fit(**two, n_boot=400)
    after = fit.pairwise_fit(**three, n_boot=400)
    others = ~(
        before[c.ORGANISATION_A].eq("org0") | before[c.ORGANISATION_B].eq("org0")
    )
    assert not before.loc[others, c.SUPPRESSED].any()
    assert before.loc[~others, c.SUPPRESSED].all()
    pd.testing.assert_frame_equal(
        before[others].reset_index(drop=True),
        after[others].reset_index(drop=True),
        check_exact=True,
    )


def test_component_intervals_sit_around_their_estimates():
    result = fit.pairwise_fit(**fit_inputs(synthetic_partnership(organisations=3)))
    for component, (low, high) in c.COMPONENT_INTERVALS.items():
        assert (result[low] <= result[component]).all(), component
        assert (result[component] <= result[high]).all(), component
        assert ((result[low] >= 0) & (result[high] <= 100)).all(), component
