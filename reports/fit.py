"""Compare organisations: profile similarity, culture, partner ratings and pairwise fit.

The formulas are MEASUREMENT.md §5 "Pairwise fit". Nothing here imports Django, and no
function changes the frames it is given. Column names live in `reports.columns`.
"""

import math
from collections.abc import Hashable, Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd
from scipy import sparse

from reports import columns as c
from reports.scoring import require_columns, t_quantile

# Values and trust outweigh similarity (seed 004; Kristof-Brown et al. 2005).
DEFAULT_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {c.COMPATIBILITY: 0.3, c.MUTUAL_TRUST: 0.3, c.CULTURE_FIT: 0.2, c.PROFILE_FIT: 0.2}
)
CLEAR_GAP = 0.5
PERCEIVED_ACTUAL_LIMIT = 25.0
_SIMILARITY_KEYS = [
    "k",
    "d2",
    "elevation",
    "scatter",
    "shape",
    c.LEVEL_GAP,
    c.PROFILE_FIT,
    c.SHAPE_SIMILARITY,
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
    }
]
_TINY = 1e-12


def _readiness(mean: float | None) -> float | None:
    return None if mean is None or pd.isna(mean) else 25 * (float(mean) - 1)


def _or_none(value: float) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def profile_similarity(a: pd.Series, b: pd.Series, norm: pd.Series) -> dict:
    """Compare two dimension profiles: D², its Cronbach–Gleser split, fit and shape r."""
    both = pd.concat({"a": a, "b": b}, axis=1).astype("float64").dropna()
    k = len(both)
    result: dict = dict.fromkeys(_SIMILARITY_KEYS)
    if k == 0:
        return result | {"k": 0}
    av, bv = both["a"].to_numpy(), both["b"].to_numpy()
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
    centred = both.join(norm.rename("norm").astype("float64")).dropna()
    shape_similarity = None
    if len(centred) >= 3:
        da = centred["a"] - centred["norm"]
        db = centred["b"] - centred["norm"]
        if da.std(ddof=0) > _TINY and db.std(ddof=0) > _TINY:
            shape_similarity = float(np.corrcoef(da, db)[0, 1])
    return {
        "k": k,
        "d2": d2,
        "elevation": float(elevation),
        "scatter": float(scatter),
        "shape": float(shape),
        c.LEVEL_GAP: float(mean_a - mean_b),
        c.PROFILE_FIT: float(100 * (1 - math.sqrt(d2 / k) / 4)),
        c.SHAPE_SIMILARITY: shape_similarity,
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


def culture_profiles(profile_points: pd.DataFrame, *, threshold: int) -> pd.DataFrame:
    """Average the points per culture type for each organisation, suppressing n < threshold."""
    require_columns(profile_points, c.PROFILE_POINT_COLUMNS, name="profile_points")
    respondents = _respondent_culture(profile_points)
    # Each respondent counts once, however many of the prompts they answered.
    profile = respondents.groupby(c.ORGANISATION)[c.CULTURE_TYPES].mean()
    n = respondents.groupby(c.ORGANISATION)[c.RESPONSE_ID].size().astype("float64")
    frame = profile.assign(**{c.N: n}).reset_index().rename_axis(columns=None)
    suppressed = frame[c.N] < threshold
    hidden = [*c.CULTURE_TYPES, c.N]
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

    With a threshold, each figure answered by fewer than K raters (the rest said "Don't
    know") is blanked and its count set to 0, so no figure ever rests on fewer than K people.
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
            }
        )
        .astype({c.N_RATERS: int})[c.RATING_COLUMNS]
    )
    if threshold is not None:
        for figure, count in (
            (c.TRUST, c.N_TRUST),
            (c.COMPATIBILITY, c.N_COMPATIBILITY),
            (c.META, c.N_META),
        ):
            too_few = ratings[count] < threshold
            ratings.loc[too_few, figure] = float("nan")
            ratings.loc[too_few, count] = 0
    return ratings


def _dimension_stats(resp_scores: pd.DataFrame) -> pd.DataFrame:
    return resp_scores.groupby([c.ORGANISATION, c.DIMENSION])[c.SCORE].agg(
        n="count", mean="mean", var="var"
    )


def _org_stats(stats: pd.DataFrame, organisation: object) -> pd.DataFrame:
    if organisation in stats.index.get_level_values(c.ORGANISATION):
        return stats.xs(organisation, level=c.ORGANISATION)
    return stats.iloc[0:0].droplevel(c.ORGANISATION)


def _gaps(stats_a: pd.DataFrame, stats_b: pd.DataFrame, threshold: int) -> pd.DataFrame:
    dims = stats_a.index.intersection(stats_b.index).sort_values()
    a, b = stats_a.reindex(dims), stats_b.reindex(dims)
    n_a, n_b = a["n"].to_numpy("float64"), b["n"].to_numpy("float64")
    keep = (n_a >= threshold) & (n_b >= threshold)
    n_a, n_b = n_a[keep], n_b[keep]
    mean_a, mean_b = (
        a["mean"].to_numpy("float64")[keep],
        b["mean"].to_numpy("float64")[keep],
    )
    var_a, var_b = (
        a["var"].to_numpy("float64")[keep],
        b["var"].to_numpy("float64")[keep],
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        v_a, v_b = var_a / n_a, var_b / n_b
        gap = mean_a - mean_b
        se = np.sqrt(v_a + v_b)
        welch = (v_a + v_b) ** 2 / (v_a**2 / (n_a - 1) + v_b**2 / (n_b - 1))
        # A zero SE (both sides unanimous) gives a zero-width interval, not a missing one.
        half = np.where(se > 0, t_quantile(welch) * se, np.where(se == 0, 0.0, np.nan))
        pooled = np.sqrt(((n_a - 1) * var_a + (n_b - 1) * var_b) / (n_a + n_b - 2))
        hedges = (
            (1 - 3 / (4 * (n_a + n_b) - 9)) * gap / np.where(pooled > 0, pooled, np.nan)
        )
        z = gap / se
    ci_low, ci_high = gap - half, gap + half
    clear = ((ci_low > 0) | (ci_high < 0)) & (np.round(np.abs(gap), 9) >= CLEAR_GAP)
    # Largest |gap|/SE first; dimensions are already in name order for ties; NaN last.
    order = np.argsort(np.where(np.isnan(z), np.inf, -np.abs(z)), kind="stable")
    return pd.DataFrame(
        {
            c.DIMENSION: np.asarray(dims, dtype=object)[keep][order],
            c.MEAN_A: mean_a[order],
            c.MEAN_B: mean_b[order],
            c.GAP: gap[order],
            c.SE: se[order],
            c.CI_LOW: ci_low[order],
            c.CI_HIGH: ci_high[order],
            c.EFFECT_SIZE: hedges[order],
            c.CLEAR: clear[order].astype(bool),
            c.Z: z[order],
        },
        columns=c.GAP_COLUMNS,
    )


def dimension_gaps(
    resp_scores: pd.DataFrame, a: Hashable, b: Hashable, *, threshold: int
) -> pd.DataFrame:
    """Compare A and B per dimension (A − B) with Welch 95% CIs, largest |gap|/SE first."""
    require_columns(
        resp_scores, [c.ORGANISATION, c.DIMENSION, c.SCORE], name="resp_scores"
    )
    stats = _dimension_stats(resp_scores)
    return _gaps(_org_stats(stats, a), _org_stats(stats, b), threshold)


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


class _Bootstrap:
    """Respondent resamples for each organisation, summarised as n_boot × column means."""

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
        rng = np.random.default_rng(seed)
        self.sums: dict = {}
        self.counts: dict = {}
        for organisation in organisations:
            if organisation not in table.index.get_level_values(0):
                continue
            values = table.xs(organisation, level=0).to_numpy()
            n = len(values)
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
            # Most cells are empty (each person rates a few partners): multiply sparse.
            filled = sparse.csr_matrix(np.where(present, values, 0.0))
            self.sums[organisation] = np.asarray((filled.T @ weights.T).T)
            self.counts[organisation] = np.asarray(
                (sparse.csr_matrix(present.astype("float64")).T @ weights.T).T
            )

    def mean(self, organisation: object, columns: list) -> np.ndarray | None:
        index = [self.columns.get(col) for col in columns]
        if organisation not in self.sums or any(i is None for i in index):
            return None
        with np.errstate(invalid="ignore", divide="ignore"):
            return (
                self.sums[organisation][:, index] / self.counts[organisation][:, index]
            )

    def pooled(self, parts: list[tuple[object, object]]) -> np.ndarray | None:
        total = count = 0.0
        for organisation, col in parts:
            i = self.columns.get(col)
            if organisation not in self.sums or i is None:
                return None
            total = total + self.sums[organisation][:, i]
            count = count + self.counts[organisation][:, i]
        with np.errstate(invalid="ignore", divide="ignore"):
            return total / count


def _ratings_lookup(ratings: pd.DataFrame) -> dict:
    frame = ratings.copy()
    if c.N_COMPATIBILITY not in frame.columns:
        frame[c.N_COMPATIBILITY] = frame[c.N_RATERS]
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
    """Score the fit of every ordered pair of organisations, with a bootstrap 95% interval.

    The bootstrap draws each organisation's respondents with replacement (n_boot times,
    numpy Generator seeded with `seed`; one set of draws per organisation, shared by all of
    its pairs) and recomputes, from the resampled respondents:
    - profile_fit, from their dimension scores, over the k dimensions fixed by the point
      estimate (a dimension whose resample holds no scores drops out of that replicate);
    - culture_fit, from their culture-profile allocations, if `profile_points` is given;
    - trust in each direction and compatibility (P4 pooled over both directions), from
      their partner ratings, if `partner_answers` is given.
    Components not resampled (culture and ratings when their raw frames are not passed)
    are held at their point estimates, so the interval then understates the uncertainty.
    Components missing from the point estimate stay missing; the weights are renormalised
    per replicate, and the interval is the 2.5th–97.5th percentile of the replicates.
    """
    require_columns(
        resp_scores,
        [c.RESPONSE_ID, c.ORGANISATION, c.DIMENSION, c.SCORE],
        name="resp_scores",
    )
    require_columns(
        org_scores,
        [c.ORGANISATION, c.DIMENSION, c.MEAN, c.SUPPRESSED],
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
    means = shown_scores.pivot_table(
        index=c.ORGANISATION, columns=c.DIMENSION, values=c.MEAN, aggfunc="mean"
    )
    norm = means.mean()  # p̄_d over every unsuppressed organisation
    shown_culture = culture[~culture[c.SUPPRESSED].astype(bool)].set_index(
        c.ORGANISATION
    )
    respondents = resp_scores.groupby(c.ORGANISATION)[c.RESPONSE_ID].nunique()
    dimension_stats = _dimension_stats(resp_scores)
    stats = {o: _org_stats(dimension_stats, o) for o in organisations}
    rated = _ratings_lookup(ratings)
    boot = _Bootstrap(
        resp_scores=resp_scores,
        dimensions=list(means.columns),
        organisations=organisations,
        profile_points=profile_points,
        partner_answers=partner_answers,
        n_boot=n_boot,
        seed=seed,
    )

    def enough(rater: object, subject: object) -> bool:
        row = rated.get((rater, subject))
        return row is not None and row[c.N_RATERS] >= threshold

    rows = []
    for a in organisations:
        for b in organisations:
            if a == b:
                continue
            suppressed = (
                respondents.get(a, 0) < threshold
                or respondents.get(b, 0) < threshold
                or not enough(a, b)
            )
            row: dict = dict.fromkeys(c.PAIRWISE_FIT_COLUMNS)
            row |= {c.ORGANISATION_A: a, c.ORGANISATION_B: b, c.SUPPRESSED: suppressed}
            if not suppressed:
                row |= _pair(
                    a,
                    b,
                    means=means,
                    norm=norm,
                    culture=shown_culture,
                    rated=rated,
                    both_ways=enough(b, a),
                    stats=stats,
                    threshold=threshold,
                    weights=weights,
                    boot=boot,
                )
            rows.append(row)
    frame = pd.DataFrame(rows, columns=c.PAIRWISE_FIT_COLUMNS)
    frame[_NUMERIC_FIT_COLUMNS] = frame[_NUMERIC_FIT_COLUMNS].astype("float64")
    return frame.astype({c.SUPPRESSED: bool})


def _pair(
    a: object,
    b: object,
    *,
    means: pd.DataFrame,
    norm: pd.Series,
    culture: pd.DataFrame,
    rated: dict,
    both_ways: bool,
    stats: dict[object, pd.DataFrame],
    threshold: int,
    weights: Mapping[str, float],
    boot: _Bootstrap,
) -> dict:
    empty = pd.Series(dtype="float64")
    profile_a = means.loc[a] if a in means.index else empty
    profile_b = means.loc[b] if b in means.index else empty
    similarity = profile_similarity(profile_a, profile_b, norm)
    dims = list(profile_a.dropna().index.intersection(profile_b.dropna().index))

    fit_culture = None
    if a in culture.index and b in culture.index:
        fit_culture = _or_none(culture_fit(culture.loc[a], culture.loc[b]))

    ab = rated[(a, b)]
    ba = rated.get((b, a)) if both_ways else None
    trust_ab = _readiness(ab[c.TRUST])
    trust_ba = _readiness(ba[c.TRUST]) if ba is not None else None
    mutual = min(trust_ab, trust_ba) if None not in (trust_ab, trust_ba) else None
    directions = [r for r in (ab, ba) if r is not None and r[c.N_COMPATIBILITY] > 0]
    compat_n = sum(r[c.N_COMPATIBILITY] for r in directions)
    compatibility = (
        _readiness(
            sum(r[c.COMPATIBILITY] * r[c.N_COMPATIBILITY] for r in directions)
            / compat_n
        )
        if compat_n
        else None
    )
    meta_a = _readiness(ab[c.META])
    meta_b = _readiness(ba[c.META]) if ba is not None else None

    components = {
        c.COMPATIBILITY: compatibility,
        c.MUTUAL_TRUST: mutual,
        c.CULTURE_FIT: fit_culture,
        c.PROFILE_FIT: similarity[c.PROFILE_FIT],
    }
    actual = [v for v in (similarity[c.PROFILE_FIT], fit_culture) if v is not None]
    flag = None
    if compatibility is not None and actual:
        flag = bool(
            abs(compatibility - sum(actual) / len(actual)) >= PERCEIVED_ACTUAL_LIMIT
        )

    gaps = _gaps(stats[a], stats[b], threshold)
    ranked = gaps[gaps[c.Z].notna()]
    low, high = _fit_interval(
        a,
        b,
        dims=dims,
        components=components,
        both_ways=both_ways,
        weights=weights,
        boot=boot,
    )
    return {
        c.FIT: _combine(components, weights),
        c.FIT_CI_LOW: low,
        c.FIT_CI_HIGH: high,
        c.PROFILE_FIT: similarity[c.PROFILE_FIT],
        c.LEVEL_GAP: similarity[c.LEVEL_GAP],
        c.SHAPE_SIMILARITY: similarity[c.SHAPE_SIMILARITY],
        c.CULTURE_FIT: fit_culture,
        c.COMPATIBILITY: compatibility,
        c.TRUST_A_TO_B: trust_ab,
        c.TRUST_B_TO_A: trust_ba,
        c.MUTUAL_TRUST: mutual,
        c.LARGEST_GAP_DIMENSION: ranked[c.DIMENSION].iloc[0] if len(ranked) else None,
        c.ELEVATION: similarity["elevation"],
        c.SCATTER: similarity["scatter"],
        c.SHAPE: similarity["shape"],
        c.ASYMMETRY: trust_ab - trust_ba if None not in (trust_ab, trust_ba) else None,
        c.META_GAP_A: meta_a - trust_ba if None not in (meta_a, trust_ba) else None,
        c.META_GAP_B: meta_b - trust_ab if None not in (meta_b, trust_ab) else None,
        c.PERCEIVED_ACTUAL_FLAG: flag,
    }


def _fit_interval(
    a: object,
    b: object,
    *,
    dims: list,
    components: dict[str, float | None],
    both_ways: bool,
    weights: Mapping[str, float],
    boot: _Bootstrap,
) -> tuple[float | None, float | None]:
    replicates: dict[str, np.ndarray | None] = {}
    for key, point in components.items():
        replicates[key] = None if point is None else np.asarray(point, dtype="float64")

    if components[c.PROFILE_FIT] is not None:
        ra, rb = boot.mean(a, dims), boot.mean(b, dims)
        if ra is not None and rb is not None:
            squared = (ra - rb) ** 2
            k = np.isfinite(squared).sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                d2 = np.nansum(squared, axis=1) / k
            replicates[c.PROFILE_FIT] = np.where(
                k > 0, 100 * (1 - np.sqrt(d2) / 4), np.nan
            )
    if components[c.CULTURE_FIT] is not None and boot.has_culture:
        ca, cb = boot.mean(a, c.CULTURE_TYPES), boot.mean(b, c.CULTURE_TYPES)
        if ca is not None and cb is not None:
            replicates[c.CULTURE_FIT] = 100 - 0.5 * np.abs(ca - cb).sum(axis=1)
    if boot.has_ratings:
        if components[c.MUTUAL_TRUST] is not None:
            ab = boot.mean(a, [(c.TRUST, b)])
            ba = boot.mean(b, [(c.TRUST, a)])
            if ab is not None and ba is not None:
                replicates[c.MUTUAL_TRUST] = 25 * (np.minimum(ab, ba)[:, 0] - 1)
        if components[c.COMPATIBILITY] is not None:
            parts = [(a, (c.COMPATIBILITY, b))]
            if both_ways:
                parts.append((b, (c.COMPATIBILITY, a)))
            pooled = boot.pooled(parts)
            if pooled is not None:
                replicates[c.COMPATIBILITY] = 25 * (pooled - 1)

    if all(
        np.ndim(values) == 0 for values in replicates.values() if values is not None
    ):
        return None, None  # nothing was resampled, so there is no interval to report
    fits = _combine_boot(replicates, weights)
    finite = fits[np.isfinite(fits)]
    if not finite.size:
        return None, None
    low, high = np.percentile(finite, [2.5, 97.5])
    return float(low), float(high)
