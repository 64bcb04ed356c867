"""The statistics behind gap findings and fit intervals, checked by hand and against scipy.

MEASUREMENT.md §6.1 (Holm across a pair's dimensions) and §6.2 (noise-corrected fit,
noise-corrected absolute differences, BCa intervals). No database.
"""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from reports import fit

NAN = np.nan


# --- Holm's step-down correction (§6.1) -------------------------------------------------------


def test_holm_multiplies_the_ith_smallest_p_by_k_minus_i_and_never_lets_it_fall():
    # k = 4. Sorted: .005 × 4 = .02; .01 × 3 = .03; .03 × 2 = .06; .04 × 1 = .04, which
    # may not fall below the .06 before it. Back in the original order:
    adjusted = fit.holm_adjust([0.01, 0.04, 0.03, 0.005])
    np.testing.assert_allclose(adjusted, [0.03, 0.06, 0.06, 0.02])
    # At a family-wise .05 only the first and last are significant, where four separate
    # tests at .05 would have called all four.
    assert list(adjusted <= 0.05) == [True, False, False, True]


def test_holm_caps_at_one_and_counts_an_untestable_dimension_in_k():
    # The NaN (no variation and no difference) is one of the k = 3 looked at: .02 × 3.
    adjusted = fit.holm_adjust([0.02, NAN, 0.6])
    assert adjusted[0] == pytest.approx(0.06)
    assert math.isnan(adjusted[1])
    assert adjusted[2] == 1.0  # .6 × 2 = 1.2, capped
    assert fit.holm_adjust([]).size == 0


def test_welch_p_values_are_two_sided_and_exact_for_unanimous_sides():
    # t = 2.449490 on 4 df: p = .070484 (tables: between .10 and .05 two-sided).
    p = fit.welch_p_values(
        np.array([2.0, -2.0, 0.0]),
        np.array([math.sqrt(2 / 3), 0.0, 0.0]),
        [4, NAN, NAN],
    )
    assert p[0] == pytest.approx(0.070484, abs=1e-6)
    assert p[1] == 0.0  # both sides unanimous and different: no doubt at all
    assert math.isnan(p[2])  # both unanimous and equal: nothing to test


# --- noise-corrected profile fit (§6.2) -------------------------------------------------------


def test_profile_fit_takes_the_noise_off_d2_before_the_root():
    a = pd.Series([4.0, 3.0, 2.0], index=["D1", "D2", "D3"])
    b = pd.Series([3.0, 3.0, 4.0], index=["D1", "D2", "D3"])
    se = pd.Series([0.5, 0.5, 0.5], index=["D1", "D2", "D3"])
    result = fit.profile_similarity(a, b, None, se_a=se, se_b=se)
    # D² = 1 + 0 + 4 = 5; noise = 3 × (.25 + .25) = 1.5; (5 − 1.5)/3 = 7/6
    # → 100(1 − √(7/6)/4) = 72.9983
    assert result["d2"] == pytest.approx(5.0)
    assert result["noise"] == pytest.approx(1.5)
    assert result["profile_fit"] == pytest.approx(100 * (1 - math.sqrt(7 / 6) / 4))
    # The Cronbach–Gleser split is still of the observed D².
    assert result["elevation"] + result["scatter"] + result["shape"] == pytest.approx(5)


def test_profile_fit_is_100_when_the_noise_explains_all_of_d2():
    # D² = 0.25 + 0 + 0.25 = 0.5 < noise 3 × 0.5 = 1.5: floored at 0, a perfect fit.
    assert fit.corrected_profile_fit(0.5, 1.5, 3) == 100.0
    assert fit.corrected_profile_fit(5.0, 0.0, 3) == pytest.approx(
        100 * (1 - math.sqrt(5 / 3) / 4)
    )
    assert fit.corrected_profile_fit(1.0, 0.0, 0) is None


# --- noise-corrected absolute differences and BCa (§6.2) --------------------------------------------------


def test_expected_abs_is_the_folded_normal_mean():
    # Against scipy's folded normal: E|X| for X ~ N(μ, σ²) is foldnorm(c = |μ|/σ, scale σ).
    for mean, sd in [(0.0, 1.0), (1.5, 2.0), (-3.0, 0.5), (20.0, 27.2), (0.2, 13.6)]:
        expected = stats.foldnorm.mean(abs(mean) / sd, scale=sd)
        assert fit.expected_abs(mean, sd) == pytest.approx(expected, rel=1e-12)
    # By hand at μ = 0: σ√(2/π) = 0.7978846 σ; with σ = 0 it is |μ|.
    assert fit.expected_abs(0.0, 2.0) == pytest.approx(2 * 0.7978846, rel=1e-7)
    np.testing.assert_array_equal(fit.expected_abs(np.array([-3.0, 0.0]), 0.0), [3, 0])


def test_corrected_abs_difference_by_hand():
    assert fit.ABS_DIFFERENCE_SPREAD == 1.36
    # d̂ = 0, sd 1: 2 × 0 − E|N(0, w²)| = −w√(2/π) = −1.36 × 0.7978846 = −1.0851231.
    assert fit.corrected_abs_difference(0.0, 1.0) == pytest.approx(-1.0851231)
    # Far from zero the noise hardly folds: 2 × 10 − 10 = 10 (to 1e-9).
    assert fit.corrected_abs_difference(-10.0, 1.0) == pytest.approx(10.0, abs=1e-9)
    # No noise, or an unknown one, leaves |d̂|.
    np.testing.assert_array_equal(
        fit.corrected_abs_difference(np.array([-2.0, 3.0]), np.array([0.0, NAN])),
        [2.0, 3.0],
    )


def _bias_of_corrected_abs(d: np.ndarray, w: float) -> np.ndarray:
    # For d̂ ~ N(d, 1): E[2|d̂|] = 2E|N(d, 1)| and E E|d̂ + ε| = E|N(d, 1 + w²)|.
    return (
        2 * stats.foldnorm.mean(d, scale=1.0)
        - stats.foldnorm.mean(d / math.sqrt(1 + w**2), scale=math.sqrt(1 + w**2))
        - d
    )


def test_corrected_abs_difference_has_the_smallest_largest_bias_at_its_spread():
    # At d = 0 the bias is √(2/π)(2 − √(1 + w²)) = 0.7978846 × (2 − 1.6881943) = 0.2488;
    # the plain |d̂| runs 0.798 high there and the spread-1 bootstrap correction 0.467.
    d = np.linspace(0.0, 10.0, 2001)
    bias = _bias_of_corrected_abs(d, fit.ABS_DIFFERENCE_SPREAD)
    assert bias[0] == pytest.approx(0.7978846 * (2 - math.sqrt(1 + 1.36**2)))
    worst = np.abs(bias).max()
    assert worst == pytest.approx(0.2495, abs=5e-4)
    for other in (1.0, 1.3, 1.42):
        assert np.abs(_bias_of_corrected_abs(d, other)).max() > worst


def test_corrected_abs_difference_monte_carlo_matches_the_closed_form_bias():
    # A small fixed-seed check of the closed form: d = 0 and d = 1.2 (where the bias is
    # most negative), 20,000 draws, Monte Carlo error about 0.006.
    rng = np.random.default_rng(13)
    noise = rng.standard_normal(20_000)
    for d in (0.0, 1.2):
        simulated = fit.corrected_abs_difference(d + noise, 1.0).mean() - d
        closed = _bias_of_corrected_abs(np.array([d]), fit.ABS_DIFFERENCE_SPREAD)[0]
        assert simulated == pytest.approx(closed, abs=0.025)


def _jackknife(x: np.ndarray, statistic) -> np.ndarray:
    return np.array([statistic(np.delete(x, i)) for i in range(len(x))])


def test_bca_matches_scipy_for_one_sample_mean():
    rng = np.random.default_rng(3)
    x = rng.gamma(2.0, 1.0, 15)  # skewed, so both z0 and the acceleration matter
    result = stats.bootstrap(
        (x,), np.mean, method="BCa", n_resamples=999, rng=np.random.default_rng(5)
    )
    low, high = fit.bca_interval(
        float(x.mean()), result.bootstrap_distribution, [_jackknife(x, np.mean)]
    )
    assert low == pytest.approx(result.confidence_interval.low, rel=1e-12)
    assert high == pytest.approx(result.confidence_interval.high, rel=1e-12)


def test_bca_matches_scipy_for_two_independent_samples():
    # The acceleration of a two-sample statistic sums each sample's jackknife influence,
    # scaled by its own size; scipy does the same.
    rng = np.random.default_rng(8)
    x, y = rng.gamma(2.0, 1.0, 7), rng.normal(3.0, 1.0, 11)

    def difference(a, b, axis=-1):
        return np.mean(a, axis=axis) - np.mean(b, axis=axis)

    result = stats.bootstrap(
        (x, y), difference, method="BCa", n_resamples=999, rng=np.random.default_rng(9)
    )
    jackknife = [
        np.array([np.delete(x, i).mean() - y.mean() for i in range(len(x))]),
        np.array([x.mean() - np.delete(y, i).mean() for i in range(len(y))]),
    ]
    low, high = fit.bca_interval(
        float(difference(x, y)), result.bootstrap_distribution, jackknife
    )
    assert low == pytest.approx(result.confidence_interval.low, rel=1e-12)
    assert high == pytest.approx(result.confidence_interval.high, rel=1e-12)


def test_bca_of_a_constant_statistic_is_a_point_and_of_nothing_is_missing():
    assert fit.bca_interval(4.0, np.full(50, 4.0), [np.full(5, 4.0)]) == (4.0, 4.0)
    low, high = fit.bca_interval(4.0, np.array([NAN, NAN]), [])
    assert math.isnan(low)
    assert math.isnan(high)


def test_small_sample_widening_turns_a_bootstrapped_mean_into_the_t_interval():
    # n = 6: √(6/5) × t(.975, 5)/z(.975) = 1.095445 × 2.570582/1.959964 = 1.436726
    widen = fit.small_sample_widening(np.array([6.0, 1.0, 0.0]))
    assert widen[0] == pytest.approx(1.436726, abs=1e-6)
    assert list(widen[1:]) == [1.0, 1.0]  # nothing to widen with one answer or none
    # Resampled means spread √((n−1)/n)·s/√n; widened, ±1.96 of that is ±t·s/√n.
    n = 8.0
    spread = math.sqrt((n - 1) / n) * fit.small_sample_widening(np.array([n]))[0]
    assert 1.959964 * spread == pytest.approx(stats.t.ppf(0.975, n - 1), rel=1e-6)
