"""Score the self-assessment block: pure functions from DataFrames to DataFrames.

The formulas are MEASUREMENT.md §3 and §5 "Scoring". Nothing here imports Django, and no
function changes the frames it is given. Column names live in `reports.columns`.
"""

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy import stats

from reports import columns as c

SCALE_MIN = 1.0
SCALE_MAX = 5.0
# σ²E = (A² − 1) / 12: the variance of a uniform ("random answering") null on A = 5 options.
NULL_VARIANCE = 2.0
DIVIDED_BELOW = 0.51
STRENGTH_FROM = 4.0
DEVELOP_FROM = 3.0
# Means of means of integers land a hair off their true value (3.9999999999999996), so bands
# are read after rounding to this many places; no real mean is that close to an edge.
BAND_DECIMALS = 9
_RAW_VALUES = [1, 2, 3, 4, 5]
# Readiness points per scale point: 1–5 becomes 0–100.
READINESS_PER_POINT = 100 / (SCALE_MAX - SCALE_MIN)


Scalar = float | np.ndarray | pd.Series


def to_readiness(mean: Scalar) -> Scalar:
    """Rescale a 1–5 mean (number, array or Series) to readiness on 0–100."""
    return (mean - SCALE_MIN) * READINESS_PER_POINT


def reverse_score(value: Scalar) -> Scalar:
    """Score a reverse-worded answer the other way round: 1 ↔ 5, 2 ↔ 4."""
    return SCALE_MIN + SCALE_MAX - value


def require_columns(frame: pd.DataFrame, required: Iterable[str], *, name: str) -> None:
    """Raise ValueError naming every required column the frame lacks."""
    missing = [column for column in required if column not in frame.columns]
    if missing:
        raise ValueError(f"{name} is missing required columns: {', '.join(missing)}")


def t_quantile(df: pd.Series | np.ndarray | float) -> np.ndarray:
    """Return t(.975, df), NaN where df is missing or below 1."""
    df = np.asarray(df, dtype="float64")
    with np.errstate(invalid="ignore"):
        return np.where(df >= 1, stats.t.ppf(0.975, np.where(df >= 1, df, 1.0)), np.nan)


def band_for(mean: float) -> str | None:
    """Return the action band for a 1–5 mean (None when the mean is missing)."""
    if mean is None or pd.isna(mean):
        return None
    mean = round(float(mean), BAND_DECIMALS)
    if mean >= STRENGTH_FROM:
        return c.STRENGTH
    if mean >= DEVELOP_FROM:
        return c.DEVELOP
    return c.CONCERN


def _bands(mean: pd.Series) -> pd.Series:
    rounded = mean.round(BAND_DECIMALS)
    labels = np.select(
        [rounded >= STRENGTH_FROM, rounded >= DEVELOP_FROM],
        [c.STRENGTH, c.DEVELOP],
        default=c.CONCERN,
    )
    return pd.Series(labels, index=mean.index, dtype=object).where(mean.notna(), None)


def _scored(answers: pd.DataFrame) -> pd.DataFrame:
    if c.SCORED_VALUE in answers.columns:
        return answers
    return score_answers(answers)


def _items_per_dimension(answers: pd.DataFrame, items: pd.DataFrame) -> pd.Series:
    # J_d comes from the instrument, so an item nobody answered still counts; answers can only
    # add items the instrument frame somehow lacks, never remove them.
    pairs = pd.concat(
        [items[[c.DIMENSION, c.ITEM]], answers[[c.DIMENSION, c.ITEM]]]
    ).drop_duplicates()
    return pairs.groupby(c.DIMENSION)[c.ITEM].nunique()


def _dimension_items(answers: pd.DataFrame, items: pd.DataFrame) -> dict[str, list]:
    pairs = pd.concat(
        [items[[c.DIMENSION, c.ITEM]], answers[[c.DIMENSION, c.ITEM]]]
    ).drop_duplicates()
    return {
        dimension: list(group[c.ITEM])
        for dimension, group in pairs.groupby(c.DIMENSION, sort=True)
    }


def score_answers(answers: pd.DataFrame) -> pd.DataFrame:
    """Add `scored_value`: 6 − value for reverse-worded items, the value otherwise."""
    require_columns(answers, [c.REVERSE, c.VALUE], name="answers")
    value = answers[c.VALUE].astype("float64")
    reverse = answers[c.REVERSE].eq(True)
    scored = value.where(~reverse, reverse_score(value))
    return answers.assign(**{c.SCORED_VALUE: scored})


def respondent_scores(answers: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """Average each respondent's answered scored values per dimension (⌈J_d/2⌉ needed)."""
    require_columns(
        answers,
        [c.RESPONSE_ID, c.ORGANISATION, c.DIMENSION, c.ITEM, c.VALUE],
        name="answers",
    )
    require_columns(items, [c.DIMENSION, c.ITEM], name="items")
    scored = _scored(answers)
    j_d = _items_per_dimension(scored, items)
    answered = scored.dropna(subset=[c.SCORED_VALUE])
    grouped = answered.groupby(
        [c.RESPONSE_ID, c.ORGANISATION, c.DIMENSION], as_index=False, sort=True
    ).agg(**{c.SCORE: (c.SCORED_VALUE, "mean"), "answered": (c.SCORED_VALUE, "size")})
    needed = np.ceil(grouped[c.DIMENSION].map(j_d).astype("float64") / 2)
    kept = grouped[grouped["answered"] >= needed]
    return kept[c.RESPONDENT_SCORE_COLUMNS].reset_index(drop=True)


def usable_population(eligible: pd.Series, counted: pd.Series) -> pd.Series:
    """Return N where it is known and at least the responses counted, NaN otherwise.

    MEASUREMENT §6.5: more responses than people asked means N is wrong, so it is ignored
    for the whole organisation (every dimension's n is at most the responses counted).
    """
    big_n = eligible.astype("float64")
    return big_n.where(big_n.notna() & (big_n >= counted.astype("float64")))


def response_rates(eligible: pd.Series, counted: pd.Series) -> pd.Series:
    """Return responses counted ÷ people asked, NaN where N is unknown or ignored."""
    big_n = usable_population(eligible, counted)
    return counted.astype("float64") / big_n.where(big_n > 0)


def _finite_population_factor(
    organisation: pd.Series, n: pd.Series, population: pd.Series | None
) -> pd.Series:
    # f = √((N − n)/(N − 1)). An unknown N, N ≤ 1, or N smaller than the respondents counted
    # (so N must be wrong) all fall back to f = 1: never claim more precision than we have.
    if population is None:
        return pd.Series(1.0, index=n.index)
    big_n = organisation.map(population).astype("float64")
    usable = big_n.notna() & (big_n > 1) & (big_n >= n)
    ratio = ((big_n - n) / (big_n - 1)).where(usable, 1.0)
    return np.sqrt(ratio)


def organisation_scores(
    resp_scores: pd.DataFrame,
    *,
    threshold: int,
    population: pd.Series | None = None,
) -> pd.DataFrame:
    """Summarise respondent scores per organisation and dimension, suppressing n < threshold."""
    require_columns(
        resp_scores, [c.ORGANISATION, c.DIMENSION, c.SCORE], name="resp_scores"
    )
    summary = resp_scores.groupby([c.ORGANISATION, c.DIMENSION])[c.SCORE].agg(
        **{c.N: "count", c.MEAN: "mean", c.SD: "std"}
    )
    # Every organisation × dimension appears, with n = 0 where nobody scored it.
    grid = pd.MultiIndex.from_product(
        [
            sorted(resp_scores[c.ORGANISATION].dropna().unique()),
            sorted(resp_scores[c.DIMENSION].dropna().unique()),
        ],
        names=[c.ORGANISATION, c.DIMENSION],
    )
    frame = summary.reindex(grid).reset_index()
    n = frame[c.N].fillna(0).astype("float64")
    mean = frame[c.MEAN].astype("float64")
    sd = frame[c.SD].astype("float64")
    f = _finite_population_factor(frame[c.ORGANISATION], n, population)
    se = sd / np.sqrt(n.where(n > 0)) * f
    half = t_quantile(n - 1) * se
    ci_low = (mean - half).clip(SCALE_MIN, SCALE_MAX)
    ci_high = (mean + half).clip(SCALE_MIN, SCALE_MAX)
    both_ends = ci_low.notna() & ci_high.notna()
    # "Uncertain" = the interval reaches into another band; with no interval at all (n = 1)
    # the band cannot be trusted either.
    crosses = _bands(ci_low).ne(_bands(ci_high)) | ~both_ends
    suppressed = n < threshold
    shown = ~suppressed
    out = pd.DataFrame(
        {
            c.ORGANISATION: frame[c.ORGANISATION],
            c.DIMENSION: frame[c.DIMENSION],
            # n itself is disclosive for a small group, so it is hidden with the figures.
            c.N: n.where(shown),
            c.MEAN: mean.where(shown),
            c.SD: sd.where(shown),
            c.SE: se.where(shown),
            c.CI_LOW: ci_low.where(shown),
            c.CI_HIGH: ci_high.where(shown),
            c.READINESS: to_readiness(mean).where(shown),
            c.BAND: _bands(mean).where(shown, None),
            c.UNCERTAIN: crosses.astype(object).where(shown & mean.notna(), None),
            c.SUPPRESSED: suppressed.astype(bool),
        }
    )
    return out[c.ORGANISATION_SCORE_COLUMNS]


def overall_readiness(org_scores: pd.DataFrame) -> pd.DataFrame:
    """Average each organisation's unsuppressed dimensions into one readiness figure."""
    require_columns(
        org_scores,
        [c.ORGANISATION, c.DIMENSION, c.MEAN, c.SUPPRESSED],
        name="org_scores",
    )
    shown = org_scores[~org_scores[c.SUPPRESSED].astype(bool)]
    summary = shown.groupby(c.ORGANISATION)[c.MEAN].agg(
        **{c.MEAN: "mean", c.N_DIMENSIONS: "count"}
    )
    organisations = sorted(org_scores[c.ORGANISATION].dropna().unique())
    frame = summary.reindex(pd.Index(organisations, name=c.ORGANISATION)).reset_index()
    n_dimensions = frame[c.N_DIMENSIONS].fillna(0).astype(int)
    mean = frame[c.MEAN].astype("float64").where(n_dimensions > 0)
    return pd.DataFrame(
        {
            c.ORGANISATION: frame[c.ORGANISATION],
            c.READINESS: to_readiness(mean),
            c.MEAN: mean,
            c.N_DIMENSIONS: n_dimensions,
            c.SUPPRESSED: n_dimensions.eq(0),
        }
    )[c.OVERALL_COLUMNS]


def agreement(answers: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """Compute rwg(j) per organisation and dimension against a uniform null (σ²E = 2)."""
    require_columns(
        answers,
        [c.RESPONSE_ID, c.ORGANISATION, c.DIMENSION, c.ITEM, c.VALUE],
        name="answers",
    )
    require_columns(items, [c.DIMENSION, c.ITEM], name="items")
    scored = _scored(answers)
    j_d = _items_per_dimension(scored, items)
    keys = [c.ORGANISATION, c.DIMENSION]
    groups = scored.groupby(keys).size().index
    answered = scored.dropna(subset=[c.SCORED_VALUE])
    # Each item's variance over the respondents who answered it (R's var(na.rm = TRUE));
    # items with fewer than two answers have no variance and drop out of the mean.
    item_variance = answered.groupby([*keys, c.ITEM])[c.SCORED_VALUE].var(ddof=1)
    mean_variance = item_variance.groupby(level=keys).mean().reindex(groups)
    n = answered.groupby(keys)[c.RESPONSE_ID].nunique().reindex(groups, fill_value=0)
    frame = pd.DataFrame({"s2": mean_variance, c.N: n}).reset_index()
    j = frame[c.DIMENSION].map(j_d).astype("float64")
    ratio = frame["s2"].clip(upper=NULL_VARIANCE) / NULL_VARIANCE
    rwg = j * (1 - ratio) / (j * (1 - ratio) + ratio)
    rwg = rwg.where(frame[c.N] >= 2)
    return pd.DataFrame(
        {
            c.ORGANISATION: frame[c.ORGANISATION],
            c.DIMENSION: frame[c.DIMENSION],
            c.RWG_J: rwg.astype("float64"),
            c.N: frame[c.N].astype(int),
            c.DIVIDED: rwg.lt(DIVIDED_BELOW),
        }
    )[c.AGREEMENT_COLUMNS]


def dont_know_rates(answers: pd.DataFrame) -> pd.DataFrame:
    """Compute the share of "Don't know" answers per organisation and dimension."""
    require_columns(answers, [c.ORGANISATION, c.DIMENSION, c.VALUE], name="answers")
    return (
        answers.assign(**{c.DONT_KNOW_RATE: answers[c.VALUE].isna().astype("float64")})
        .groupby([c.ORGANISATION, c.DIMENSION], as_index=False)[c.DONT_KNOW_RATE]
        .mean()[c.DONT_KNOW_COLUMNS]
    )


def item_dont_know_rates(answers: pd.DataFrame) -> pd.DataFrame:
    """Compute the share of "Don't know" answers per item, with its answer count."""
    require_columns(answers, [c.DIMENSION, c.ITEM, c.VALUE], name="answers")
    return (
        answers.assign(_dk=answers[c.VALUE].isna().astype("float64"))
        .groupby([c.ITEM, c.DIMENSION], as_index=False)
        .agg(**{c.DONT_KNOW_RATE: ("_dk", "mean"), c.N: ("_dk", "size")})[
            c.ITEM_DONT_KNOW_COLUMNS
        ]
    )


def _alpha_for(block: pd.DataFrame) -> tuple[float, float, int]:
    complete = block.dropna()
    j = block.shape[1]
    if j < 2 or len(complete) < 3:
        return np.nan, np.nan, len(complete)
    total_variance = complete.sum(axis=1).var(ddof=1)
    alpha = (
        np.nan
        if np.isclose(total_variance, 0)
        else j / (j - 1) * (1 - complete.var(ddof=1).sum() / total_variance)
    )
    corr = complete.corr().to_numpy()
    off_diagonal = corr[~np.eye(j, dtype=bool)]
    # A constant item has no correlation; average the pairs that have one.
    finite = off_diagonal[np.isfinite(off_diagonal)]
    mean_r = float(finite.mean()) if finite.size else np.nan
    return float(alpha), mean_r, len(complete)


def cronbach_alpha(answers: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """Compute Cronbach's α and the mean inter-item r per dimension (listwise complete)."""
    require_columns(
        answers, [c.RESPONSE_ID, c.DIMENSION, c.ITEM, c.VALUE], name="answers"
    )
    require_columns(items, [c.DIMENSION, c.ITEM], name="items")
    scored = _scored(answers)
    wide = scored.groupby([c.RESPONSE_ID, c.DIMENSION, c.ITEM])[c.SCORED_VALUE].mean()
    rows = []
    # One small respondent × item matrix per dimension; the arithmetic inside is vectorised.
    for dimension, codes in _dimension_items(scored, items).items():
        in_dimension = wide[wide.index.get_level_values(c.DIMENSION) == dimension]
        block = (
            in_dimension.droplevel(c.DIMENSION)
            .unstack(c.ITEM)
            .reindex(columns=codes)
            .astype("float64")
        )
        alpha, mean_r, n_complete = _alpha_for(block)
        rows.append((dimension, alpha, mean_r, n_complete, len(codes)))
    return pd.DataFrame(rows, columns=c.ALPHA_COLUMNS).astype(
        {c.ALPHA: "float64", c.MEAN_INTER_ITEM_R: "float64", c.N_COMPLETE: int}
    )


def icc(resp_scores: pd.DataFrame) -> pd.DataFrame:
    """Compute ICC(1) and ICC(2) per dimension from a one-way ANOVA over organisations."""
    require_columns(
        resp_scores, [c.ORGANISATION, c.DIMENSION, c.SCORE], name="resp_scores"
    )
    scores = resp_scores.dropna(subset=[c.SCORE, c.ORGANISATION])
    keys = [c.DIMENSION, c.ORGANISATION]
    group_mean = scores.groupby(keys)[c.SCORE].transform("mean")
    within = (scores[c.SCORE] - group_mean).pow(2)
    groups = (
        scores.assign(_within=within)
        .groupby(keys)
        .agg(n_g=(c.SCORE, "size"), mean_g=(c.SCORE, "mean"), ssw=("_within", "sum"))
        .reset_index()
    )
    by_dimension = groups.groupby(c.DIMENSION)
    big_n = by_dimension["n_g"].sum()
    g = by_dimension["n_g"].size()
    grand = (groups["n_g"] * groups["mean_g"]).groupby(
        groups[c.DIMENSION]
    ).sum() / big_n
    between = groups["n_g"] * (groups["mean_g"] - groups[c.DIMENSION].map(grand)) ** 2
    ssb = between.groupby(groups[c.DIMENSION]).sum()
    ssw = by_dimension["ssw"].sum()
    sum_n2 = groups["n_g"].pow(2).groupby(groups[c.DIMENSION]).sum()
    valid = (g >= 2) & (big_n > g)
    msb = (ssb / (g - 1)).where(valid)
    msw = (ssw / (big_n - g)).where(valid)
    n0 = ((big_n - sum_n2 / big_n) / (g - 1)).where(valid)
    icc1_den = msb + (n0 - 1) * msw
    icc1 = ((msb - msw) / icc1_den.where(icc1_den != 0)).astype("float64")
    icc2 = ((msb - msw) / msb.where(msb != 0)).astype("float64")
    return pd.DataFrame(
        {
            c.DIMENSION: g.index,
            c.ICC1: icc1.to_numpy(),
            c.ICC2: icc2.to_numpy(),
            c.N_GROUPS: g.to_numpy().astype(int),
        }
    )[c.ICC_COLUMNS]


def item_distribution(answers: pd.DataFrame) -> pd.DataFrame:
    """Count each raw answer (1–5 and "dk") per organisation and item, with its share."""
    require_columns(
        answers, [c.ORGANISATION, c.DIMENSION, c.ITEM, c.VALUE], name="answers"
    )
    keys = [c.ORGANISATION, c.ITEM, c.DIMENSION]
    # Raw values, not reversed: the bars show what people ticked. 0 stands for "Don't know".
    code = answers[c.VALUE].astype("float64").fillna(0).round().astype(int)
    counts = (
        answers[keys]
        .assign(_code=code)
        .groupby([*keys, "_code"])
        .size()
        .unstack("_code", fill_value=0)
        .reindex(columns=[*_RAW_VALUES, 0], fill_value=0)
    )
    share = counts.div(counts.sum(axis=1), axis=0)
    frame = pd.DataFrame(
        {c.COUNT: counts.stack(), c.SHARE: share.stack().astype("float64")}
    ).reset_index()
    value = frame["_code"].astype(object).where(frame["_code"] != 0, c.DONT_KNOW)
    return frame.assign(**{c.VALUE: value, c.COUNT: frame[c.COUNT].astype(int)})[
        c.DISTRIBUTION_COLUMNS
    ]


def welch_change(
    now: float,
    se_now: float,
    df_now: float,
    before: float,
    se_before: float,
    df_before: float,
    level: float = 0.95,
) -> tuple[float, float, float]:
    """Return now − before with its Welch interval (two independent samples), 95% by default.

    Each side gives its mean, standard error and degrees of freedom; the interval's
    degrees of freedom are Welch–Satterthwaite's. A side without a standard error gives
    no interval (NaN ends), never a falsely narrow one.
    """
    change = now - before
    v_now, v_before = se_now**2, se_before**2
    usable = (
        np.isfinite([v_now, v_before]).all()
        and bool(df_now >= 1)
        and bool(df_before >= 1)
    )
    if not usable:
        return change, np.nan, np.nan
    if v_now + v_before == 0:
        return change, change, change
    spread = v_now**2 / df_now + v_before**2 / df_before  # a df of inf adds nothing
    df = (v_now + v_before) ** 2 / spread if spread > 0 else np.inf
    half = float(stats.t.ppf(0.5 + level / 2, df)) * np.sqrt(v_now + v_before)
    return change, change - half, change + half


def difference_from_average(
    org_scores: pd.DataFrame, organisation: object, *, level: float = 0.95
) -> pd.DataFrame:
    """Each dimension's organisation mean − the partnership average, with a Welch interval.

    The average is the unweighted mean of the shown organisations' means, the organisation
    among them, so the difference is Σ wᵢ·meanᵢ with w = 1 − 1/g for the organisation and
    −1/g for each other: its variance is Σ wᵢ²·SEᵢ² and its degrees of freedom
    Welch–Satterthwaite's. Pass level = 1 − .05/k when a sentence picks the largest of k.
    Columns: dimension, difference, low, high (NaN ends where an SE or df is missing).
    """
    shown = org_scores[~org_scores[c.SUPPRESSED].astype(bool)]
    rows = []
    for dimension, cells in shown.groupby(c.DIMENSION, sort=False):
        own = cells[c.ORGANISATION] == organisation
        if not own.any():
            continue
        g = len(cells)
        weights = np.where(own, 1 - 1 / g, -1 / g)
        means = cells[c.MEAN].to_numpy("float64")
        difference = float((weights * means).sum())
        parts = (weights * cells[c.SE].to_numpy("float64")) ** 2
        dfs = cells[c.N].to_numpy("float64") - 1
        variance = float(parts.sum())
        low = high = math.nan
        if np.isfinite(parts).all() and (dfs >= 1).all() and variance > 0:
            df = variance**2 / float((parts**2 / dfs).sum())
            half = float(stats.t.ppf(0.5 + level / 2, df)) * math.sqrt(variance)
            low, high = difference - half, difference + half
        rows.append((dimension, difference, low, high))
    return pd.DataFrame(rows, columns=[c.DIMENSION, "difference", "low", "high"])


def se_from_interval(low: float, high: float) -> float:
    """Return the normal-theory SE a 95% interval implies (for bootstrap intervals)."""
    return (high - low) / (2 * stats.norm.ppf(0.975))


def mean_of_means_error(ses: pd.Series, dfs: pd.Series) -> tuple[float, float]:
    """Return the SE and Welch–Satterthwaite df of an unweighted mean of independent means."""
    variances = ses.astype("float64") ** 2
    g = len(variances)
    if g == 0 or not np.isfinite(variances).all() or (dfs < 1).any():
        return np.nan, np.nan
    total = variances.sum()
    se = np.sqrt(total) / g
    if total == 0:
        return 0.0, np.inf
    df = total**2 / (variances**2 / dfs.astype("float64")).sum()
    return float(se), float(df)


def respondent_overall(
    resp_scores: pd.DataFrame, org_scores: pd.DataFrame
) -> pd.DataFrame:
    """Each organisation's n, SE and df of its respondents' mean score over shown dimensions.

    The spread behind an overall-readiness change: a respondent's dimensions are not
    independent, so the error comes from respondents, not from the dimensions' SEs.
    """
    shown = org_scores.loc[
        ~org_scores[c.SUPPRESSED].astype(bool), [c.ORGANISATION, c.DIMENSION]
    ]
    scores = resp_scores.merge(shown, on=[c.ORGANISATION, c.DIMENSION])
    per_person = scores.groupby([c.ORGANISATION, c.RESPONSE_ID])[c.SCORE].mean()
    summary = per_person.groupby(level=c.ORGANISATION).agg(["count", "std"])
    n = summary["count"].astype("float64")
    return pd.DataFrame(
        {
            c.ORGANISATION: summary.index,
            c.N: n.to_numpy(),
            c.SE: (summary["std"] / np.sqrt(n)).to_numpy(),
            "df": (n - 1).to_numpy(),
        }
    )


# MEASUREMENT §4 "Culture profile": an organisation's incentives, loyalties and authority
# are "aligned" with partnership when all three pull towards it by at least this much.
ALIGNED_FROM = 1.0


def alignment_scores(alignment: pd.DataFrame, *, threshold: int) -> pd.DataFrame:
    """Mean (−2 … +2) and 95% interval of each alignment item per organisation, n < K hidden."""
    require_columns(alignment, [c.ORGANISATION, c.ITEM, c.VALUE], name="alignment")
    answered = alignment.dropna(subset=[c.VALUE])
    summary = answered.groupby([c.ORGANISATION, c.ITEM], as_index=False)[c.VALUE].agg(
        **{c.N: "count", c.MEAN: "mean", c.SD: "std"}
    )
    n = summary[c.N].astype("float64")
    half = t_quantile(n - 1) * summary[c.SD] / np.sqrt(n)
    shown = n >= threshold
    return pd.DataFrame(
        {
            c.ORGANISATION: summary[c.ORGANISATION],
            c.ITEM: summary[c.ITEM],
            c.N: n.where(shown),
            c.MEAN: summary[c.MEAN].where(shown),
            c.CI_LOW: (summary[c.MEAN] - half).where(shown),
            c.CI_HIGH: (summary[c.MEAN] + half).where(shown),
            c.SUPPRESSED: ~shown,
        }
    )


def is_aligned(means: Iterable[float | None], *, items: int = 3) -> bool | None:
    """Apply the "aligned" rule: every alignment item's mean at +1 or more (None if any is hidden)."""
    values = list(means)
    if len(values) < items or any(v is None or pd.isna(v) for v in values):
        return None
    return all(round(float(v), BAND_DECIMALS) >= ALIGNED_FROM for v in values)


def welch_interval(
    mean_a: float,
    sd_a: float,
    n_a: int,
    mean_b: float,
    sd_b: float,
    n_b: int,
    level: float = 0.95,
) -> tuple[float, float, float]:
    """Return (difference a − b, low, high): Welch's interval for two independent samples.

    Used for a change between rounds (MEASUREMENT §6.8). Pass level = 1 − .05/m when the
    sentence picks the largest of m changes. The interval is NaN when either sample has
    fewer than two answers or neither varies (there is no standard error to speak of).
    """
    difference = float(mean_a) - float(mean_b)
    if n_a < 2 or n_b < 2:
        return difference, math.nan, math.nan
    var_a, var_b = float(sd_a) ** 2 / n_a, float(sd_b) ** 2 / n_b
    se2 = var_a + var_b
    if not se2 > 0:
        return difference, math.nan, math.nan
    # Welch–Satterthwaite degrees of freedom.
    df = se2**2 / (var_a**2 / (n_a - 1) + var_b**2 / (n_b - 1))
    half = float(stats.t.ppf(0.5 + level / 2, df)) * math.sqrt(se2)
    return difference, difference - half, difference + half
