"""Compare organisations: profile similarity, culture, partner ratings and pairwise fit.

The formulas are MEASUREMENT.md §5 "Pairwise fit" as revised by §6.1–6.4: Holm-corrected
gap findings, noise-corrected fit estimates with BCa bootstrap intervals, compatibility as
the mean of the two directions, and shape similarity against the other organisations.
Nothing here imports Django, and no function changes the frames it is given. Column names
live in `reports.columns`.
"""

import hashlib
import math
from collections.abc import Hashable, Mapping, Sequence
from types import MappingProxyType

import numpy as np
import pandas as pd
from scipy import sparse, special
from scipy import stats as st

from reports import columns as c
from reports.scoring import (
    READINESS_PER_POINT,
    SCALE_MAX,
    SCALE_MIN,
    require_columns,
    t_quantile,
    to_readiness,
    welch_interval,
)

# Values and trust outweigh similarity (seed 004; Kristof-Brown et al. 2005).
DEFAULT_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {c.COMPATIBILITY: 0.3, c.MUTUAL_TRUST: 0.3, c.CULTURE_FIT: 0.2, c.PROFILE_FIT: 0.2}
)
CLEAR_GAP = 0.5
FAMILY_ALPHA = 0.05  # family-wise error rate over one pair's dimensions (§6.1)
CONFIDENCE = 0.95
PERCEIVED_ACTUAL_LIMIT = 25.0
MIN_OTHERS_FOR_SHAPE = (
    3  # §6.4: fewer others and the normative profile is mostly A and B
)
SHAPE_TOO_FEW_OTHERS = "fewer than 3 other organisations to compare with"
SHAPE_TOO_FEW_DIMENSIONS = "fewer than 3 dimensions to compare"
SHAPE_FLAT = "a profile is flat once the other organisations' profile is taken away"
_SIMILARITY_KEYS = [
    "k",
    "d2",
    "noise",
    "elevation",
    "scatter",
    "shape",
    c.LEVEL_GAP,
    c.PROFILE_FIT,
    c.SHAPE_SIMILARITY,
    c.SHAPE_SIMILARITY_NOTE,
]
_NUMERIC_FIT_COLUMNS = [
    col
    for col in c.PAIRWISE_FIT_COLUMNS
    if col
    not in {
        c.ORGANISATION_A,
        c.ORGANISATION_B,
        c.LARGEST_GAP_DIMENSION,
        c.SUPPRESSED,
        c.PERCEIVED_ACTUAL_FLAG,
        c.LARGEST_GAP_CLEAR,
        c.SHAPE_SIMILARITY_NOTE,
    }
]
_TINY = 1e-12
# How far corrected_abs_difference spreads the noise: the value that minimises the largest
# bias of 2|d̂| − E|d̂ + ε| over all true differences (MEASUREMENT.md §6.2; README).
ABS_DIFFERENCE_SPREAD = 1.36


def _readiness(mean: float | None) -> float | None:
    return None if mean is None or pd.isna(mean) else to_readiness(float(mean))


def _or_none(value: float | None) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


# --- pure statistics -------------------------------------------------------------------------


def holm_adjust(p_values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Return Holm step-down adjusted p-values; a missing p counts in k and stays missing."""
    p = np.asarray(p_values, dtype="float64")
    k = len(p)
    if k == 0:
        return p.copy()
    # An untestable dimension (no variation, no difference) is still one of the k looked at.
    filled = np.where(np.isnan(p), 1.0, p)
    order = np.argsort(filled, kind="stable")
    # The i-th smallest p (from 0) is multiplied by k − i, and adjusted p-values never fall.
    stepped = np.maximum.accumulate((k - np.arange(k)) * filled[order])
    adjusted = np.empty(k)
    adjusted[order] = np.minimum(stepped, 1.0)
    return np.where(np.isnan(p), np.nan, adjusted)


def welch_p_values(gap: np.ndarray, se: np.ndarray, df: np.ndarray) -> np.ndarray:
    """Return two-sided Welch p-values; a gap with zero SE (both unanimous) has p = 0."""
    gap, se, df = (np.asarray(x, dtype="float64") for x in (gap, se, df))
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.abs(gap) / se
        p = 2 * st.t.sf(t, np.where(df >= 1, df, 1.0))
    exact = (se == 0) & (gap != 0)
    return np.where(exact, 0.0, np.where((se > 0) & (df >= 1), p, np.nan))


def corrected_profile_fit(d2: float, noise: float, k: int) -> float | None:
    """Return 100(1 − √(max(D² − noise, 0)/k)/4): profile_fit without the noise bias.

    E[Σ(â_d − b̂_d)²] = D² + Σ_d(SE²_a,d + SE²_b,d), so `noise` (that sum) is taken off
    before the root (MEASUREMENT.md §6.2).
    """
    if k == 0 or d2 is None or pd.isna(d2) or pd.isna(noise):
        return None
    return float(
        100 * (1 - math.sqrt(max(d2 - noise, 0.0) / k) / (SCALE_MAX - SCALE_MIN))
    )


def expected_abs(mean: np.ndarray | float, sd: np.ndarray | float) -> np.ndarray:
    """Return E|X| for X ~ N(mean, sd²): sd·√(2/π)·exp(−mean²/2sd²) + mean·(1 − 2Φ(−mean/sd)).

    This is the mean of the folded normal; with sd = 0 it is |mean|.
    """
    mean = np.abs(np.asarray(mean, dtype="float64"))
    sd = np.asarray(sd, dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(sd > 0, mean / sd, np.inf)
        spread = np.where(
            sd > 0, sd * math.sqrt(2 / math.pi) * np.exp(-0.5 * ratio**2), 0.0
        )
    return spread + mean * (1 - 2 * special.ndtr(-ratio))


def corrected_abs_difference(
    difference: np.ndarray | float,
    sd: np.ndarray | float,
    *,
    spread: float = ABS_DIFFERENCE_SPREAD,
) -> np.ndarray:
    """Return 2|d̂| − E|d̂ + ε|, ε ~ N(0, (spread·sd)²): |d| with the noise bias taken off.

    d̂ is a difference of two independent means with standard error `sd`, and |d̂| runs
    high by up to 0.8·sd (at d = 0). This is the bootstrap bias correction 2θ̂ − mean θ*
    of |d̂| in closed form, with the resampling error's sd set to `spread`·sd: 1.36 makes
    the largest bias over every true d as small as it can be (±0.25·sd, against +0.47·sd
    at d = 0 for spread 1). A missing sd leaves |d̂| as it is.
    """
    difference = np.abs(np.asarray(difference, dtype="float64"))
    sd = np.asarray(sd, dtype="float64")
    known = np.isfinite(sd)
    folded = expected_abs(difference, np.where(known, spread * sd, 0.0))
    return np.where(known, 2 * difference - folded, difference)


def bca_interval(
    estimate: float,
    replicates: np.ndarray,
    jackknife: Sequence[np.ndarray],
    *,
    level: float = CONFIDENCE,
) -> tuple[float, float]:
    """Return the BCa bootstrap interval of a statistic (Efron & Tibshirani 1993, §14.3).

    `replicates` are the statistic over bootstrap resamples; `jackknife` holds, for each
    independently resampled group (each organisation), the statistic with each of that
    group's members left out in turn. Bias correction z0 counts ties as half, and the
    acceleration sums the groups' influence values as `scipy.stats.bootstrap` does.
    """
    values = np.asarray(replicates, dtype="float64")
    values = values[np.isfinite(values)]
    if not values.size or not np.isfinite(estimate):
        return math.nan, math.nan
    b = values.size
    share_below = (
        np.count_nonzero(values < estimate) + np.count_nonzero(values <= estimate)
    ) / (2 * b)
    # All replicates on one side of θ̂ would make z0 infinite: cap it at what B can show.
    z0 = special.ndtri(np.clip(share_below, 0.5 / b, 1 - 0.5 / b))
    num = den = 0.0
    for group in jackknife:
        left_out = np.asarray(group, dtype="float64")
        left_out = left_out[np.isfinite(left_out)]
        n = left_out.size
        if n < 2:
            continue
        influence = (n - 1) * (left_out.mean() - left_out)
        num += float((influence**3).sum()) / n**3
        den += float((influence**2).sum()) / n**2
    acceleration = num / (6 * den**1.5) if den > _TINY else 0.0
    z = special.ndtri(np.array([(1 - level) / 2, (1 + level) / 2]))
    shifted = z0 + z
    with np.errstate(divide="ignore", invalid="ignore"):
        levels = special.ndtr(z0 + shifted / (1 - acceleration * shifted))
    # A very skewed jackknife can push 1 − a(z0 + z) through zero; fall back to the ends.
    levels = np.where(1 - acceleration * shifted > 0, levels, [0.0, 1.0])
    low, high = np.quantile(values, np.clip(levels, 0.0, 1.0))
    return float(low), float(high)


def _pair_stream(organisation: object, seed: int) -> np.random.Generator:
    # Each organisation's resamples come from its own stream, named by the seed and the
    # organisation alone, so no other organisation (shown or hidden, however many people
    # answered it) can move a pair's interval in any digit (issue 12).
    digest = hashlib.blake2b(str(organisation).encode(), digest_size=8).digest()
    return np.random.default_rng([seed, int.from_bytes(digest, "big")])


# --- profiles --------------------------------------------------------------------------------


def profile_similarity(
    a: pd.Series,
    b: pd.Series,
    norm: pd.Series | None,
    *,
    se_a: pd.Series | None = None,
    se_b: pd.Series | None = None,
) -> dict:
    """Compare two dimension profiles: D², its Cronbach–Gleser split, fit and shape r.

    With the means' standard errors, profile_fit is noise-corrected (§6.2); the split
    stays that of the observed D². `norm` is the normative profile of the organisations
    other than A and B (§6.4), or None when there are too few of them.
    """
    index = a.index.union(b.index)

    def aligned(series: pd.Series | None) -> np.ndarray | None:
        if series is None:
            return None
        return series.astype("float64").reindex(index).to_numpy()

    return _similarity(
        aligned(a),
        aligned(b),
        aligned(norm),
        se_a=aligned(se_a),
        se_b=aligned(se_b),
    )


def _similarity(
    a: np.ndarray,
    b: np.ndarray,
    norm: np.ndarray | None,
    *,
    se_a: np.ndarray | None,
    se_b: np.ndarray | None,
) -> dict:
    both = np.isfinite(a) & np.isfinite(b)
    k = int(both.sum())
    result: dict = dict.fromkeys(_SIMILARITY_KEYS)
    if k == 0:
        return result | {"k": 0}
    av, bv = a[both], b[both]
    d2 = float(((av - bv) ** 2).sum())
    mean_a, mean_b = av.mean(), bv.mean()
    sd_a, sd_b = av.std(), bv.std()  # divisor k
    covariance = float(((av - mean_a) * (bv - mean_b)).mean())
    elevation = k * (mean_a - mean_b) ** 2
    scatter = k * (sd_a - sd_b) ** 2
    # 2kσaσb(1 − r) written as 2k(σaσb − cov), which stays defined when a σ is 0.
    shape = max(2 * k * (sd_a * sd_b - covariance), 0.0)
    if not math.isclose(elevation + scatter + shape, d2, rel_tol=1e-9, abs_tol=1e-9):
        raise ArithmeticError("Cronbach–Gleser components do not sum to D²")
    noise = 0.0
    if se_a is not None and se_b is not None:
        noise = float(
            (se_a[both] ** 2 + se_b[both] ** 2).sum()
        )  # NaN if one is missing
    shape_similarity, note = None, SHAPE_TOO_FEW_OTHERS
    if norm is not None:
        centred = both & np.isfinite(norm)
        note = SHAPE_TOO_FEW_DIMENSIONS
        if centred.sum() >= 3:
            da, db = a[centred] - norm[centred], b[centred] - norm[centred]
            note = SHAPE_FLAT
            if da.std() > _TINY and db.std() > _TINY:
                shape_similarity, note = float(np.corrcoef(da, db)[0, 1]), None
    return {
        "k": k,
        "d2": d2,
        "noise": noise,
        "elevation": float(elevation),
        "scatter": float(scatter),
        "shape": float(shape),
        c.LEVEL_GAP: float(mean_a - mean_b),
        c.PROFILE_FIT: corrected_profile_fit(d2, noise, k),
        c.SHAPE_SIMILARITY: shape_similarity,
        c.SHAPE_SIMILARITY_NOTE: note,
    }


def _respondent_culture(profile_points: pd.DataFrame) -> pd.DataFrame:
    # One row per respondent: the mean of their prompt allocations. A type left out of an
    # answered prompt scored 0 points, so each respondent's four values still sum to 100.
    allocations = (
        profile_points.astype({c.POINTS: "float64"})
        .pivot_table(
            index=[c.RESPONSE_ID, c.ORGANISATION, c.PROMPT],
            columns=c.CULTURE_TYPE,
            values=c.POINTS,
            aggfunc="sum",
            fill_value=0.0,
        )
        .reindex(columns=c.CULTURE_TYPES, fill_value=0.0)
    )
    return (
        allocations.groupby(level=[c.RESPONSE_ID, c.ORGANISATION])
        .mean()
        .astype("float64")
        .reset_index()
    )


def _culture_leads(respondents: pd.DataFrame) -> pd.DataFrame:
    """Each organisation's top culture type minus the next, per respondent, with its interval.

    The difference is within respondents (their points add up to 100), so its interval is a
    one-sample t interval of each respondent's top − next points; picking the top two of
    four types is one of the six pairwise comparisons, so the level is 1 − .05/6.
    """
    pairs = len(c.CULTURE_TYPES) * (len(c.CULTURE_TYPES) - 1) // 2
    level = 1 - FAMILY_ALPHA / pairs
    rows = {}
    for organisation, group in respondents.groupby(c.ORGANISATION):
        means = group[c.CULTURE_TYPES].mean()
        ranked = sorted(c.CULTURE_TYPES, key=lambda t: (-means[t], t))
        lead = (group[ranked[0]] - group[ranked[1]]).astype("float64")
        n, sd = len(lead), float(lead.std())
        half = (
            float(st.t.ppf(0.5 + level / 2, n - 1)) * sd / math.sqrt(n)
            if n >= 2
            else math.nan
        )
        value = float(lead.mean())
        rows[organisation] = (value, value - half, value + half)
    return pd.DataFrame.from_dict(
        rows,
        orient="index",
        columns=[c.CULTURE_LEAD, c.CULTURE_LEAD_LOW, c.CULTURE_LEAD_HIGH],
        dtype="float64",
    ).rename_axis(c.ORGANISATION)


def culture_profiles(profile_points: pd.DataFrame, *, threshold: int) -> pd.DataFrame:
    """Average the points per culture type for each organisation, suppressing n < threshold."""
    require_columns(profile_points, c.PROFILE_POINT_COLUMNS, name="profile_points")
    respondents = _respondent_culture(profile_points)
    # Each respondent counts once, however many of the prompts they answered.
    profile = respondents.groupby(c.ORGANISATION)[c.CULTURE_TYPES].mean()
    n = respondents.groupby(c.ORGANISATION)[c.RESPONSE_ID].size().astype("float64")
    lead = _culture_leads(respondents)
    frame = (
        profile.assign(**{c.N: n}).join(lead).reset_index().rename_axis(columns=None)
    )
    suppressed = frame[c.N] < threshold
    hidden = [*c.CULTURE_TYPES, c.N, *lead.columns]
    frame[hidden] = frame[hidden].astype("float64")
    frame.loc[suppressed, hidden] = np.nan
    return frame.assign(**{c.SUPPRESSED: suppressed.astype(bool)})[c.CULTURE_COLUMNS]


def culture_fit(c_a: pd.Series, c_b: pd.Series) -> float:
    """Return 100 − ½Σ|c_A,t − c_B,t| over the four culture types (NaN if one is missing)."""
    a = pd.Series(c_a).reindex(c.CULTURE_TYPES).astype("float64")
    b = pd.Series(c_b).reindex(c.CULTURE_TYPES).astype("float64")
    if a.isna().any() or b.isna().any():
        return math.nan
    return float(100 - 0.5 * (a - b).abs().sum())


def _rater_table(partner_answers: pd.DataFrame) -> pd.DataFrame:
    # One row per respondent and rated organisation; only P0 > 1 ("I know how B works")
    # makes a rater, and a rater's trust is the mean of whichever of P1–P3 they answered.
    wide = (
        partner_answers.groupby([c.RESPONSE_ID, c.ORGANISATION, c.SUBJECT, c.ITEM])[
            c.VALUE
        ]
        .mean()
        .unstack(c.ITEM)
        .reindex(
            columns=[
                c.FAMILIARITY_ITEM,
                *c.TRUST_ITEMS,
                c.COMPATIBILITY_ITEM,
                c.META_ITEM,
            ]
        )
        .astype("float64")
    )
    rated = wide[c.FAMILIARITY_ITEM].gt(1)
    return pd.DataFrame(
        {
            "rated": rated,
            c.TRUST: wide[c.TRUST_ITEMS].mean(axis=1).where(rated),
            c.COMPATIBILITY: wide[c.COMPATIBILITY_ITEM].where(rated),
            c.META: wide[c.META_ITEM].where(rated),
        }
    ).reset_index()


def partner_ratings(
    partner_answers: pd.DataFrame, *, threshold: int | None = None
) -> pd.DataFrame:
    """Average how each organisation's raters see each partner: trust, values, meta-perception.

    Each figure comes with its count and sample standard deviation over the raters. With a
    threshold, each figure answered by fewer than K raters (the rest said "Don't know") is
    blanked with its spread and its count set to 0, so no figure ever rests on fewer than
    K people.
    """
    require_columns(partner_answers, c.PARTNER_ANSWER_COLUMNS, name="partner_answers")
    raters = _rater_table(partner_answers)
    ratings = (
        raters.groupby([c.ORGANISATION, c.SUBJECT], as_index=False)
        .agg(
            **{
                c.N_RATERS: ("rated", "sum"),
                c.TRUST: (c.TRUST, "mean"),
                c.COMPATIBILITY: (c.COMPATIBILITY, "mean"),
                c.META: (c.META, "mean"),
                c.N_TRUST: (c.TRUST, "count"),
                c.N_COMPATIBILITY: (c.COMPATIBILITY, "count"),
                c.N_META: (c.META, "count"),
                c.SD_TRUST: (c.TRUST, "std"),
                c.SD_COMPATIBILITY: (c.COMPATIBILITY, "std"),
                c.SD_META: (c.META, "std"),
            }
        )
        .astype({c.N_RATERS: int})[c.RATING_COLUMNS]
    )
    if threshold is not None:
        for figure, count, sd in (
            (c.TRUST, c.N_TRUST, c.SD_TRUST),
            (c.COMPATIBILITY, c.N_COMPATIBILITY, c.SD_COMPATIBILITY),
            (c.META, c.N_META, c.SD_META),
        ):
            too_few = ratings[count] < threshold
            ratings.loc[too_few, [figure, sd]] = float("nan")
            ratings.loc[too_few, count] = 0
    return ratings


# --- dimension gaps --------------------------------------------------------------------------


def _dimension_stats(resp_scores: pd.DataFrame) -> pd.DataFrame:
    return resp_scores.groupby([c.ORGANISATION, c.DIMENSION])[c.SCORE].agg(
        n="count", mean="mean", var="var"
    )


def _org_stats(stats: pd.DataFrame, organisation: object) -> pd.DataFrame:
    if organisation in stats.index.get_level_values(c.ORGANISATION):
        return stats.xs(organisation, level=c.ORGANISATION)
    return stats.iloc[0:0].droplevel(c.ORGANISATION)


def _gaps(stats_a: pd.DataFrame, stats_b: pd.DataFrame, threshold: int) -> pd.DataFrame:
    dims = stats_a.index.union(stats_b.index).sort_values()
    a, b = stats_a.reindex(dims), stats_b.reindex(dims)
    table = _gap_arrays(
        np.asarray(dims, dtype=object),
        a.to_numpy("float64").T,
        b.to_numpy("float64").T,
        threshold,
    )
    return pd.DataFrame(table, columns=c.GAP_COLUMNS)


def _gap_arrays(
    dims: np.ndarray, a: np.ndarray, b: np.ndarray, threshold: int
) -> dict[str, np.ndarray]:
    # a and b are (n, mean, var) rows over the same dimensions; NaN n = nobody scored it.
    n_a, mean_a, var_a = a
    n_b, mean_b, var_b = b
    keep = (np.nan_to_num(n_a) >= threshold) & (np.nan_to_num(n_b) >= threshold)
    n_a, n_b = n_a[keep], n_b[keep]
    mean_a, mean_b, var_a, var_b = mean_a[keep], mean_b[keep], var_a[keep], var_b[keep]
    k = int(keep.sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        v_a, v_b = var_a / n_a, var_b / n_b
        gap = mean_a - mean_b
        se = np.sqrt(v_a + v_b)
        welch = (v_a + v_b) ** 2 / (v_a**2 / (n_a - 1) + v_b**2 / (n_b - 1))
        usable = welch >= 1
        # A zero SE (both sides unanimous) gives a zero-width interval, not a missing one.
        half = np.where(se > 0, t_quantile(welch) * se, np.where(se == 0, 0.0, np.nan))
        # The simultaneous interval: each of the k at 1 − α/k, so all k hold together.
        t_sim = st.t.ppf(
            1 - FAMILY_ALPHA / (2 * max(k, 1)), np.where(usable, welch, 1.0)
        )
        sim_half = np.where(
            se > 0, np.where(usable, t_sim, np.nan) * se, np.where(se == 0, 0.0, np.nan)
        )
        pooled = np.sqrt(((n_a - 1) * var_a + (n_b - 1) * var_b) / (n_a + n_b - 2))
        hedges = (
            (1 - 3 / (4 * (n_a + n_b) - 9)) * gap / np.where(pooled > 0, pooled, np.nan)
        )
        z = gap / se
    p_value = welch_p_values(gap, se, welch)
    p_holm = holm_adjust(p_value)
    # A pair's k dimensions are one family (§6.1): Holm keeps the chance of any false
    # "clear gap" between identical organisations at 5%, where k tests at 95% gave a third.
    significant = np.nan_to_num(p_holm, nan=1.0) <= FAMILY_ALPHA
    clear = significant & (np.round(np.abs(gap), 9) >= CLEAR_GAP)
    # Largest |gap|/SE first; dimensions are already in name order for ties; NaN last.
    order = np.argsort(np.where(np.isnan(z), np.inf, -np.abs(z)), kind="stable")
    return {
        c.DIMENSION: dims[keep][order],
        c.MEAN_A: mean_a[order],
        c.MEAN_B: mean_b[order],
        c.GAP: gap[order],
        c.SE: se[order],
        c.CI_LOW: (gap - half)[order],
        c.CI_HIGH: (gap + half)[order],
        c.EFFECT_SIZE: hedges[order],
        c.CLEAR: clear[order].astype(bool),
        c.Z: z[order],
        c.SIM_CI_LOW: (gap - sim_half)[order],
        c.SIM_CI_HIGH: (gap + sim_half)[order],
        c.P_VALUE: p_value[order],
        c.P_HOLM: p_holm[order],
    }


def dimension_gaps(
    resp_scores: pd.DataFrame, a: Hashable, b: Hashable, *, threshold: int
) -> pd.DataFrame:
    """Compare A and B per dimension (A − B), largest |gap|/SE first.

    Each gap has its Welch 95% CI and the simultaneous interval (level 1 − .05/k over the
    k dimensions compared); it is clear when Holm-significant and at least 0.5 (§6.1).
    """
    require_columns(
        resp_scores, [c.ORGANISATION, c.DIMENSION, c.SCORE], name="resp_scores"
    )
    stats = _dimension_stats(resp_scores)
    return _gaps(_org_stats(stats, a), _org_stats(stats, b), threshold)


# --- combining components --------------------------------------------------------------------


def _combine(
    components: dict[str, float | None], weights: Mapping[str, float]
) -> float | None:
    available = {
        k: v for k, v in components.items() if v is not None and weights[k] > 0
    }
    total = sum(weights[k] for k in available)
    if not available or total <= 0:
        return None
    return sum(weights[k] * v for k, v in available.items()) / total


def _combine_boot(
    components: dict[str, np.ndarray | None], weights: Mapping[str, float]
) -> np.ndarray:
    num = den = 0.0
    for key, values in components.items():
        if values is None:
            continue
        present = np.isfinite(values)
        num = num + weights[key] * np.where(present, values, 0.0)
        den = den + weights[key] * present
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(np.asarray(den) > 0, num / den, np.nan)


# --- resampling ------------------------------------------------------------------------------


class _Resamples:
    """Each organisation's respondents resampled n_boot times, and its jackknife.

    For every organisation it holds the column means of the per-respondent table over
    the n_boot resamples, the n leave-one-out samples and the sample itself, and the
    resamples' means widened for the organisation's size, and the squared standard
    error of each sample mean (`sampling_variance`). `evaluate` then computes a
    pair's statistic, in one vectorised pass per block, as its bootstrap replicates, its
    jackknife over A, its jackknife over B and its estimate.
    """

    def __init__(
        self,
        *,
        resp_scores: pd.DataFrame,
        dimensions: list,
        organisations: list,
        profile_points: pd.DataFrame | None,
        partner_answers: pd.DataFrame | None,
        n_boot: int,
        seed: int,
    ) -> None:
        self.has_culture = profile_points is not None
        self.has_ratings = partner_answers is not None
        self.n_boot = n_boot
        keys = [c.ORGANISATION, c.RESPONSE_ID]
        frames = [resp_scores[keys]]
        per_respondent = [
            resp_scores.groupby([*keys, c.DIMENSION])[c.SCORE]
            .mean()
            .unstack(c.DIMENSION)
            .reindex(columns=dimensions)
        ]
        if profile_points is not None:
            frames.append(profile_points[keys])
            per_respondent.append(
                _respondent_culture(profile_points).set_index(keys)[c.CULTURE_TYPES]
            )
        if partner_answers is not None:
            frames.append(partner_answers[keys])
            per_respondent.append(
                _rater_table(partner_answers)
                .groupby([*keys, c.SUBJECT])[[c.TRUST, c.COMPATIBILITY]]
                .mean()
                .unstack(c.SUBJECT)
            )
        # Every respondent of the organisation is resampled, whichever blocks they answered.
        universe = pd.MultiIndex.from_frame(
            pd.concat(frames).drop_duplicates().sort_values(keys)
        )
        table = pd.concat(
            [
                frame.set_axis(frame.columns.to_flat_index(), axis=1).reindex(universe)
                for frame in per_respondent
            ],
            axis=1,
        ).astype("float64")
        self.columns = {col: i for i, col in enumerate(table.columns)}
        self.sizes: dict = {}
        # Column means: `plain` over the resamples, the jackknife and the sample, in that
        # order; `wide` over the resamples, spread for the organisation's size.
        self.plain: dict = {}
        self.wide: dict = {}
        self.variance: dict = {}
        present_orgs = set(table.index.get_level_values(0))
        for organisation in organisations:
            if organisation not in present_orgs:
                continue
            values = table.xs(organisation, level=0).to_numpy()
            n = len(values)
            rng = _pair_stream(organisation, seed)
            # Resampling n respondents with replacement: how often each one is drawn, as
            # counts per replicate (one bincount over all replicates; cheaper than
            # numpy's multinomial for big organisations).
            drawn = (
                rng.integers(0, n, size=(n_boot, n)) + n * np.arange(n_boot)[:, None]
            )
            weights = (
                np.bincount(drawn.ravel(), minlength=n_boot * n)
                .reshape(n_boot, n)
                .astype("float64")
            )
            present = np.isfinite(values)
            sums = self._blocks(weights, np.where(present, values, 0.0))
            counts = self._blocks(weights, present.astype("float64"))
            with np.errstate(invalid="ignore", divide="ignore"):
                means = sums / counts
            sample = means[-1]
            answered = counts[-1]
            with np.errstate(invalid="ignore", divide="ignore"):
                squares = np.where(present, (values - sample) ** 2, 0.0).sum(axis=0)
                # The squared standard error of each column mean, s²/n over who answered.
                self.variance[organisation] = np.where(
                    answered > 1, squares / (answered - 1) / answered, np.nan
                )
            self.sizes[organisation] = n
            self.plain[organisation] = means
            self.wide[organisation] = sample + small_sample_widening(counts[-1]) * (
                means[:n_boot] - sample
            )

    @staticmethod
    def _blocks(weights: np.ndarray, values: np.ndarray) -> np.ndarray:
        # Most cells are empty (each person rates a few partners): multiply sparse.
        boot = np.asarray((sparse.csr_matrix(values).T @ weights.T).T)
        total = values.sum(axis=0, keepdims=True)
        return np.vstack([boot, total - values, total])

    def sampling_variance(self, organisation: object, columns: list) -> np.ndarray:
        """Return the squared standard errors of the organisation's means of `columns`."""
        return self.variance[organisation][[self.columns[col] for col in columns]]

    def has(self, organisation: object, columns: list) -> bool:
        return organisation in self.plain and all(
            col in self.columns for col in columns
        )

    def evaluate(
        self,
        statistic,
        a: object,
        columns_a: list,
        b: object,
        columns_b: list,
    ) -> np.ndarray:
        """Evaluate statistic(A's means, B's means) on the pair's resamples and jackknife.

        Returns the values over the widened resamples, the jackknife over A, the
        jackknife over B and the sample, in that order. Broadcasting pairs each row of
        one side with the other.
        """
        boot, n_a = self.n_boot, self.sizes[a]
        index_a = [self.columns[col] for col in columns_a]
        index_b = [self.columns[col] for col in columns_b]
        plain_a, plain_b = self.plain[a][:, index_a], self.plain[b][:, index_b]
        wide_a, wide_b = self.wide[a][:, index_a], self.wide[b][:, index_b]
        whole_a, whole_b = plain_a[-1:], plain_b[-1:]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.concatenate(
                [
                    statistic(wide_a, wide_b),
                    statistic(plain_a[boot : boot + n_a], whole_b),
                    statistic(whole_a, plain_b[boot:-1]),
                    statistic(whole_a, whole_b),
                ]
            )


def small_sample_widening(n: np.ndarray) -> np.ndarray:
    """Return √(n/(n−1))·t(.975, n−1)/z(.975): how far to spread a mean's resamples.

    A resampled mean of n varies by √((n−1)/n)·s/√n and the bootstrap reads its ends as
    if it were normal, so at board sizes (n = 6–12) a 95% interval covers about 88–92%.
    Spreading each organisation's resampled means about its sample mean by this factor
    makes the bootstrap interval of one mean the t interval (Hesterberg 2015's expanded
    percentile interval, applied per organisation so two of different sizes combine).
    """
    n = np.asarray(n, dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = (
            np.sqrt(n / (n - 1))
            * st.t.ppf((1 + CONFIDENCE) / 2, np.where(n > 1, n - 1, 1.0))
            / special.ndtri((1 + CONFIDENCE) / 2)
        )
    return np.where(n > 1, factor, 1.0)


class _Split:
    """One statistic over `_Resamples.rows`: replicates, jackknife of A and of B, estimate.

    `values` come from the widened resamples; they make the interval.
    """

    def __init__(self, values: np.ndarray, n_boot: int, n_a: int) -> None:
        self.values = values
        self.n_boot = n_boot
        self.n_a = n_a

    def around(self, estimate: float) -> np.ndarray:
        """Return the rows with the replicates moved to centre on `estimate`, which ends."""
        replicates = self.values[: self.n_boot]
        finite = replicates[np.isfinite(replicates)]
        shift = estimate - finite.mean() if finite.size else 0.0
        return np.concatenate(
            [replicates + shift, self.values[self.n_boot : -1], [estimate]]
        )


def _interval(values: np.ndarray, n_boot: int, n_a: int) -> tuple:
    low, high = bca_interval(
        float(values[-1]),
        values[:n_boot],
        (values[n_boot : n_boot + n_a], values[n_boot + n_a : -1]),
    )
    return _or_none(low), _or_none(high)


# --- pairwise fit ----------------------------------------------------------------------------


def _ratings_lookup(ratings: pd.DataFrame) -> dict:
    frame = ratings.copy()
    for count in (c.N_TRUST, c.N_COMPATIBILITY, c.N_META):
        if count not in frame.columns:
            frame[count] = frame[c.N_RATERS]
    return {
        (row[c.ORGANISATION], row[c.SUBJECT]): row for row in frame.to_dict("records")
    }


def pairwise_fit(
    *,
    resp_scores: pd.DataFrame,
    org_scores: pd.DataFrame,
    culture: pd.DataFrame,
    ratings: pd.DataFrame,
    threshold: int,
    weights: Mapping[str, float] = DEFAULT_WEIGHTS,
    n_boot: int = 2000,
    seed: int = 2026,
    profile_points: pd.DataFrame | None = None,
    partner_answers: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Score the fit of every ordered pair of organisations, with BCa 95% intervals.

    Point estimates (MEASUREMENT.md §6.2, §6.3):
    - profile_fit from D² less Σ_d(SE²_a,d + SE²_b,d), floored at 0;
    - culture_fit and mutual_trust with each absolute difference of two means they rest
      on noise-corrected in closed form (`corrected_abs_difference`, the bootstrap's
      2θ̂ − mean θ* computed exactly) from the standard errors of the resampled answers,
      and kept within 0–100 (plain when their raw frames are not given);
    - compatibility, the mean of the two directions' means (each direction only when at
      least K raters answered P4), and fit, their weighted mean.
    Intervals: each organisation's respondents are drawn with replacement n_boot times
    from a stream seeded by `seed` and that organisation alone; every component is
    recomputed from exactly the answers its point estimate uses (the k dimensions
    shown for both, the directions with K raters), with each organisation's resampled
    means spread for its size (`small_sample_widening`). The replicates are centred on
    the corrected estimate and the 95% interval is BCa, with the acceleration from the
    jackknife over each organisation's respondents.
    Components not resampled (culture and ratings when their raw frames are not passed)
    are held at their point estimates, so the interval then understates the uncertainty.
    """
    require_columns(
        resp_scores,
        [c.RESPONSE_ID, c.ORGANISATION, c.DIMENSION, c.SCORE],
        name="resp_scores",
    )
    require_columns(
        org_scores,
        [c.ORGANISATION, c.DIMENSION, c.MEAN, c.SE, c.SUPPRESSED],
        name="org_scores",
    )
    require_columns(
        culture, [c.ORGANISATION, *c.CULTURE_TYPES, c.SUPPRESSED], name="culture"
    )
    require_columns(
        ratings,
        [c.ORGANISATION, c.SUBJECT, c.N_RATERS, c.TRUST, c.COMPATIBILITY, c.META],
        name="ratings",
    )
    unknown = set(weights) - set(DEFAULT_WEIGHTS)
    if unknown:
        raise ValueError(f"unknown fit weights: {', '.join(sorted(unknown))}")
    weights = {key: float(weights.get(key, 0.0)) for key in DEFAULT_WEIGHTS}

    organisations = sorted(
        set(org_scores[c.ORGANISATION].dropna())
        | set(resp_scores[c.ORGANISATION].dropna())
        | set(culture[c.ORGANISATION].dropna())
        | set(ratings[c.ORGANISATION].dropna())
        | set(ratings[c.SUBJECT].dropna())
    )
    shown_scores = org_scores[~org_scores[c.SUPPRESSED].astype(bool)]

    def wide(column: str) -> pd.DataFrame:
        return shown_scores.pivot_table(
            index=c.ORGANISATION, columns=c.DIMENSION, values=column, aggfunc="mean"
        ).astype("float64")

    means = wide(c.MEAN)
    ses = wide(c.SE).reindex_like(means)
    shown_culture = culture[~culture[c.SUPPRESSED].astype(bool)].set_index(
        c.ORGANISATION
    )
    respondents = resp_scores.groupby(c.ORGANISATION)[c.RESPONSE_ID].nunique()
    # n, mean and variance per organisation over every dimension anyone scored, as
    # arrays: the gaps of thousands of pairs are then arithmetic, not DataFrame work.
    dimension_stats = _dimension_stats(resp_scores).unstack(c.DIMENSION)
    all_dims = np.asarray(
        sorted(resp_scores[c.DIMENSION].dropna().unique()), dtype=object
    )
    stats = {
        o: dimension_stats.loc[o]
        .unstack(0)
        .reindex(index=all_dims)
        .to_numpy("float64")
        .T
        if o in dimension_stats.index
        else np.full((3, len(all_dims)), np.nan)
        for o in organisations
    }
    rated = _ratings_lookup(ratings)
    resamples = _Resamples(
        resp_scores=resp_scores,
        dimensions=list(means.columns),
        organisations=organisations,
        profile_points=profile_points,
        partner_answers=partner_answers,
        n_boot=n_boot,
        seed=seed,
    )
    context = _Context(
        means=means,
        ses=ses,
        culture=shown_culture,
        dims=all_dims,
        rated=rated,
        stats=stats,
        threshold=threshold,
        weights=weights,
        resamples=resamples,
    )

    rows = []
    for a in organisations:
        for b in organisations:
            if a == b:
                continue
            suppressed = (
                respondents.get(a, 0) < threshold
                or respondents.get(b, 0) < threshold
                or not context.enough(a, b, c.N_RATERS)
            )
            row: dict = dict.fromkeys(c.PAIRWISE_FIT_COLUMNS)
            row |= {c.ORGANISATION_A: a, c.ORGANISATION_B: b, c.SUPPRESSED: suppressed}
            if not suppressed:
                row |= _pair(a, b, context)
            rows.append(row)
    frame = pd.DataFrame(rows, columns=c.PAIRWISE_FIT_COLUMNS)
    frame[_NUMERIC_FIT_COLUMNS] = frame[_NUMERIC_FIT_COLUMNS].astype("float64")
    return frame.astype({c.SUPPRESSED: bool})


class _Context:
    """What every pair's figures are computed from, as arrays looked up by organisation."""

    def __init__(self, **parts: object) -> None:
        self.__dict__.update(parts)
        means: pd.DataFrame = self.means
        self.profile = dict(zip(means.index, means.to_numpy(), strict=True))
        self.se = dict(zip(self.ses.index, self.ses.to_numpy(), strict=True))
        self.missing = np.full(len(means.columns), np.nan)
        self.cultures = {
            org: row.to_numpy("float64")
            for org, row in self.culture[c.CULTURE_TYPES].iterrows()
        }
        # Σ and count of the shown organisations' means, so a pair's normative profile
        # (everyone but A and B) is two subtractions away.
        self.norm_sum = np.nan_to_num(means.to_numpy()).sum(axis=0)
        self.norm_count = means.notna().to_numpy().sum(axis=0)

    def enough(self, rater: object, subject: object, count: str) -> bool:
        row = self.rated.get((rater, subject))
        return row is not None and row[count] >= self.threshold

    def rating(self, rater: object, subject: object, figure: str, count: str):
        # A direction's figure counts only when K of its raters gave it (§5, §6.2).
        if not (
            self.enough(rater, subject, c.N_RATERS)
            and self.enough(rater, subject, count)
        ):
            return None
        return _or_none(self.rated[(rater, subject)][figure])

    def spread(self, rater: object, subject: object, sd: str, count: str):
        """(sd, n) of a direction's figure over its raters, None where `rating` is None."""
        row = self.rated.get((rater, subject))
        if row is None or _or_none(row.get(sd)) is None:
            return None
        return float(row[sd]), int(row[count])

    def norm(self, a: object, b: object) -> np.ndarray | None:
        own = [self.profile[o] for o in (a, b) if o in self.profile]
        if len(self.profile) - len(own) < MIN_OTHERS_FOR_SHAPE:
            return None
        count = self.norm_count - sum(np.isfinite(p) for p in own)
        total = self.norm_sum - sum(np.nan_to_num(p) for p in own)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(count >= MIN_OTHERS_FOR_SHAPE, total / count, np.nan)


def _pair(a: object, b: object, ctx: _Context) -> dict:
    profile_a = ctx.profile.get(a, ctx.missing)
    profile_b = ctx.profile.get(b, ctx.missing)
    similarity = _similarity(
        profile_a,
        profile_b,
        ctx.norm(a, b),
        se_a=ctx.se.get(a, ctx.missing),
        se_b=ctx.se.get(b, ctx.missing),
    )
    dims = list(ctx.means.columns[np.isfinite(profile_a) & np.isfinite(profile_b)])

    fit_culture = None
    if a in ctx.cultures and b in ctx.cultures:
        gap = ctx.cultures[a] - ctx.cultures[b]
        fit_culture = _or_none(100 - 0.5 * np.abs(gap).sum())

    trust_ab = _readiness(ctx.rating(a, b, c.TRUST, c.N_TRUST))
    trust_ba = _readiness(ctx.rating(b, a, c.TRUST, c.N_TRUST))
    mutual = min(trust_ab, trust_ba) if None not in (trust_ab, trust_ba) else None
    # Each organisation's view of the other counts once, whatever its size (§6.3).
    directions = {
        (rater, subject): value
        for rater, subject in ((a, b), (b, a))
        if (value := ctx.rating(rater, subject, c.COMPATIBILITY, c.N_COMPATIBILITY))
        is not None
    }
    compatibility = (
        _readiness(sum(directions.values()) / len(directions)) if directions else None
    )
    meta_a = _readiness(ctx.rating(a, b, c.META, c.N_META))
    meta_b = _readiness(ctx.rating(b, a, c.META, c.N_META))
    meta_a_low, meta_a_high = _meta_gap_interval(a, b, ctx)
    meta_b_low, meta_b_high = _meta_gap_interval(b, a, ctx)

    plain = {
        c.COMPATIBILITY: compatibility,
        c.MUTUAL_TRUST: mutual,
        c.CULTURE_FIT: fit_culture,
        c.PROFILE_FIT: similarity[c.PROFILE_FIT],
    }
    splits = _resampled(a, b, ctx, dims=dims, directions=list(directions))
    # An absolute difference of two noisy means runs high, so culture_fit and
    # mutual_trust (min(x, y) = (x + y)/2 − |x − y|/2) run low: each |difference| is
    # replaced by its noise-corrected value (`corrected_abs_difference`), with the
    # standard errors of the same answers the resamples use. profile_fit is corrected
    # through D² (§6.2).
    components = dict(plain)
    boot: _Resamples = ctx.resamples
    if fit_culture is not None and c.CULTURE_FIT in splits:
        sd = np.sqrt(
            boot.sampling_variance(a, c.CULTURE_TYPES)
            + boot.sampling_variance(b, c.CULTURE_TYPES)
        )
        distance = 0.5 * corrected_abs_difference(gap, sd).sum()
        components[c.CULTURE_FIT] = float(np.clip(100 - distance, 0.0, 100.0))
    if mutual is not None and c.MUTUAL_TRUST in splits:
        sd = READINESS_PER_POINT * math.sqrt(
            boot.sampling_variance(a, [(c.TRUST, b)])[0]
            + boot.sampling_variance(b, [(c.TRUST, a)])[0]
        )
        spread = float(corrected_abs_difference(trust_ab - trust_ba, sd))
        corrected = (trust_ab + trust_ba) / 2 - spread / 2
        components[c.MUTUAL_TRUST] = float(np.clip(corrected, 0.0, 100.0))
    fit_value = _combine(components, ctx.weights)
    intervals = _intervals(splits, components, ctx.weights)

    actual = [
        v
        for v in (components[c.PROFILE_FIT], components[c.CULTURE_FIT])
        if v is not None
    ]
    felt_gap = (
        compatibility - sum(actual) / len(actual)
        if compatibility is not None and actual
        else None
    )
    felt_low, felt_high = intervals.get(c.PERCEIVED_ACTUAL, (None, None))
    # §5 flags a gap of 25 points or more; §6.8 says "they differ" only where the gap's
    # interval excludes zero, so the flag needs both (without an interval, no flag).
    flag = None
    if felt_gap is not None:
        flag = bool(
            abs(felt_gap) >= PERCEIVED_ACTUAL_LIMIT
            and felt_low is not None
            and felt_high is not None
            and (felt_low > 0 or felt_high < 0)
        )
    asymmetry_low, asymmetry_high = _asymmetry_interval(a, b, ctx)

    gaps = _gap_arrays(ctx.dims, ctx.stats[a], ctx.stats[b], ctx.threshold)
    ranked = np.flatnonzero(~np.isnan(gaps[c.Z]))
    largest = (
        {key: values[ranked[0]] for key, values in gaps.items()}
        if len(ranked)
        else None
    )
    fit_low, fit_high = intervals.get(c.FIT, (None, None))
    row = {
        c.FIT: fit_value,
        c.FIT_CI_LOW: fit_low,
        c.FIT_CI_HIGH: fit_high,
        c.PROFILE_FIT: components[c.PROFILE_FIT],
        c.LEVEL_GAP: similarity[c.LEVEL_GAP],
        c.SHAPE_SIMILARITY: similarity[c.SHAPE_SIMILARITY],
        c.CULTURE_FIT: components[c.CULTURE_FIT],
        c.COMPATIBILITY: compatibility,
        c.TRUST_A_TO_B: trust_ab,
        c.TRUST_B_TO_A: trust_ba,
        c.MUTUAL_TRUST: components[c.MUTUAL_TRUST],
        c.LARGEST_GAP_DIMENSION: None if largest is None else largest[c.DIMENSION],
        c.LARGEST_GAP: None if largest is None else largest[c.GAP],
        c.LARGEST_GAP_LOW: None if largest is None else largest[c.SIM_CI_LOW],
        c.LARGEST_GAP_HIGH: None if largest is None else largest[c.SIM_CI_HIGH],
        c.LARGEST_GAP_CLEAR: None if largest is None else bool(largest[c.CLEAR]),
        c.ELEVATION: similarity["elevation"],
        c.SCATTER: similarity["scatter"],
        c.SHAPE: similarity["shape"],
        c.ASYMMETRY: trust_ab - trust_ba if None not in (trust_ab, trust_ba) else None,
        c.META_GAP_A: meta_a - trust_ba if None not in (meta_a, trust_ba) else None,
        c.META_GAP_B: meta_b - trust_ab if None not in (meta_b, trust_ab) else None,
        c.PERCEIVED_ACTUAL_FLAG: flag,
        c.SHAPE_SIMILARITY_NOTE: similarity[c.SHAPE_SIMILARITY_NOTE],
        c.META_GAP_A_LOW: meta_a_low,
        c.META_GAP_A_HIGH: meta_a_high,
        c.META_GAP_B_LOW: meta_b_low,
        c.META_GAP_B_HIGH: meta_b_high,
        c.PERCEIVED_ACTUAL: felt_gap,
        c.PERCEIVED_ACTUAL_LOW: felt_low,
        c.PERCEIVED_ACTUAL_HIGH: felt_high,
        c.ASYMMETRY_LOW: asymmetry_low,
        c.ASYMMETRY_HIGH: asymmetry_high,
    }
    for key, (low_col, high_col) in c.COMPONENT_INTERVALS.items():
        row[low_col], row[high_col] = intervals.get(key, (None, None))
    return row


def _rater_difference_interval(
    first: float | None,
    first_spread: tuple[float, int] | None,
    second: float | None,
    second_spread: tuple[float, int] | None,
) -> tuple[float | None, float | None]:
    """95% Welch interval (0–100) of first − second: 1–5 means over different raters.

    Two independent samples (§6.8); on 0–100 a difference of two readiness figures is
    READINESS_PER_POINT times the difference of their means, so the ends are rescaled by
    that factor alone. Blank whenever either figure is (fewer than K raters), when either
    side has one answer, or when neither side varies.
    """
    if None in (first, first_spread, second, second_spread):
        return None, None
    _, low, high = welch_interval(first, *first_spread, second, *second_spread)
    return (
        _or_none(READINESS_PER_POINT * low),
        _or_none(READINESS_PER_POINT * high),
    )


def _asymmetry_interval(
    a: object, b: object, ctx: _Context
) -> tuple[float | None, float | None]:
    """95% Welch interval of trust A→B − trust B→A (0–100) over the two sets of raters."""
    return _rater_difference_interval(
        ctx.rating(a, b, c.TRUST, c.N_TRUST),
        ctx.spread(a, b, c.SD_TRUST, c.N_TRUST),
        ctx.rating(b, a, c.TRUST, c.N_TRUST),
        ctx.spread(b, a, c.SD_TRUST, c.N_TRUST),
    )


def _meta_gap_interval(
    rater: object, subject: object, ctx: _Context
) -> tuple[float | None, float | None]:
    """95% Welch interval of rater's meta gap: its guess of subject's trust − that trust."""
    return _rater_difference_interval(
        ctx.rating(rater, subject, c.META, c.N_META),
        ctx.spread(rater, subject, c.SD_META, c.N_META),
        ctx.rating(subject, rater, c.TRUST, c.N_TRUST),
        ctx.spread(subject, rater, c.SD_TRUST, c.N_TRUST),
    )


def _profile_statistic(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    squared = (a - b) ** 2
    usable = np.isfinite(squared)
    k = usable.sum(axis=1)
    d2 = np.where(usable, squared, 0.0).sum(axis=1) / k
    return np.where(k > 0, 100 * (1 - np.sqrt(d2) / (SCALE_MAX - SCALE_MIN)), np.nan)


def _culture_statistic(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return 100 - 0.5 * np.abs(a - b).sum(axis=1)


def _mutual_statistic(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return to_readiness(np.minimum(a[:, 0], b[:, 0]))


def _compatibility_statistic(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    # Each side holds its direction's column if that direction counts, else none.
    rows = max(len(a), len(b))
    directions = [np.broadcast_to(side[:, 0], rows) for side in (a, b) if side.shape[1]]
    return to_readiness(np.mean(directions, axis=0))


def _resampled(
    a: object,
    b: object,
    ctx: _Context,
    *,
    dims: list,
    directions: list[tuple[object, object]],
) -> dict[str, _Split]:
    """Recompute each plain component over the pair's resamples and jackknife."""
    boot: _Resamples = ctx.resamples
    if a not in boot.plain or b not in boot.plain:
        return {}
    wanted: dict = {}
    if dims and boot.has(a, dims):
        wanted[c.PROFILE_FIT] = (_profile_statistic, dims, dims)
    if boot.has_culture and boot.has(a, c.CULTURE_TYPES):
        wanted[c.CULTURE_FIT] = (_culture_statistic, c.CULTURE_TYPES, c.CULTURE_TYPES)
    if boot.has_ratings:
        if boot.has(a, [(c.TRUST, b)]) and boot.has(b, [(c.TRUST, a)]):
            wanted[c.MUTUAL_TRUST] = (_mutual_statistic, [(c.TRUST, b)], [(c.TRUST, a)])
        # Only the directions the point estimate uses (K raters answered P4).
        sides = [
            [(c.COMPATIBILITY, subject)] if (rater, subject) in directions else []
            for rater, subject in ((a, b), (b, a))
        ]
        if directions and all(
            boot.has(o, s) for o, s in zip((a, b), sides, strict=True)
        ):
            wanted[c.COMPATIBILITY] = (_compatibility_statistic, *sides)
    splits = {}
    for key, (statistic, columns_a, columns_b) in wanted.items():
        values = boot.evaluate(statistic, a, columns_a, b, columns_b)
        splits[key] = _Split(values, boot.n_boot, boot.sizes[a])
    return splits


def _intervals(
    splits: dict[str, _Split],
    components: dict[str, float | None],
    weights: Mapping[str, float],
) -> dict[str, tuple[float | None, float | None]]:
    """Return BCa intervals of each component and of fit, around their estimates.

    Each component's replicates keep the spread and skew the resamples give them but are
    centred on the corrected estimate: the plain replicates are as biased as the plain
    estimate (more so for D² and |differences|), so left where they are they would set
    the interval off to one side of the figure it belongs to (§6.2).
    """
    resampled = {
        key: split for key, split in splits.items() if components.get(key) is not None
    }
    if not resampled:
        return {}  # nothing was resampled, so there is no interval to report
    some = next(iter(resampled.values()))
    size, n_boot, n_a = len(some.values), some.n_boot, some.n_a
    rows: dict[str, np.ndarray | None] = {}
    intervals: dict[str, tuple[float | None, float | None]] = {}
    for key, point in components.items():
        if key in resampled:
            rows[key] = resampled[key].around(point)
            low, high = _interval(rows[key], n_boot, n_a)
            intervals[key] = (
                None if low is None else max(low, 0.0),
                None if high is None else min(high, 100.0),
            )
        else:
            # Not resampled: held at the point estimate in every replicate.
            rows[key] = None if point is None else np.full(size, point)
    intervals[c.FIT] = _interval(_combine_boot(rows, weights), n_boot, n_a)
    # Feel and fact: compatibility − mean(profile fit, culture fit), over the same
    # replicates, so the interval carries how the components move together.
    actual = [
        rows[key] for key in (c.PROFILE_FIT, c.CULTURE_FIT) if rows.get(key) is not None
    ]
    if c.COMPATIBILITY in resampled and actual:
        felt_gap = rows[c.COMPATIBILITY] - np.mean(actual, axis=0)
        intervals[c.PERCEIVED_ACTUAL] = _interval(felt_gap, n_boot, n_a)
    return intervals
