"""Check the statistics against simulated rounds whose true values are known.

    python -m bench.validity [--replications 400] [--sizes 6,8,12] [--n-boot 2000]

Each replication simulates the answers of two organisations of n respondents (item-level
self-assessment answers with "Don't know", culture-profile points, partner ratings) from
known distributions, runs them through the real scoring (`reports.scoring`) and fit
(`reports.fit`) functions, and compares the published figures with the true values
computed from the distributions by MEASUREMENT.md's formulas. No database is needed.

Figures, one per line (`name value unit`):
- validity.clear_gap.identical.n<n>: share of pairs with identical true profiles that show
  any clear gap (target ≤ 0.05, MEASUREMENT.md §6.1);
- validity.power.gap<g>.n<n>: share of pairs with one true gap of g scale points (0.5,
  0.8) whose gap is shown as clear;
- validity.<figure>.coverage|bias|width.<kind>.n<n>: for fit and each component, how
  often the 95% interval holds the true value (target 0.93–0.97 typical, ≥ 0.90
  identical), the mean error of the point estimate in points (target |bias| ≤ 2 at
  n = 8) and the interval's mean width (§6.2);
- validity.org_mean.coverage.<known_n|unknown_n>.n<n>: coverage of the organisation
  means' 95% intervals for a board of ELIGIBLE people, with and without the finite-
  population factor (§6.5).
"""

import argparse
import functools
import inspect
import math
from dataclasses import dataclass, replace
from types import ModuleType

import numpy as np
import pandas as pd
from scipy import optimize, stats

from bench.support import Figure, emit
from reports import columns as c
from reports import fit as real_fit
from reports import scoring

THRESHOLD = 5
ELIGIBLE = 15  # board and executive members asked, for the organisation-mean intervals
SIZES = (6, 8, 12)
GAPS = (0.5, 0.8)
PAIR_ARCHETYPES = 8
# The default instrument's items per dimension and which of them are reverse-worded.
INSTRUMENT = {
    "D1": (5, {4}),
    "D2": (5, {3, 5}),
    "D3": (4, {4}),
    "D4": (5, {3, 4}),
    "D5": (4, {3}),
    "D6": (4, {2}),
    "D7": (4, {4}),
    "D8": (5, {4}),
    "D9": (6, {2, 4}),
}
DIMENSIONS = list(INSTRUMENT)
# A respondent's latent level on a dimension is the organisation's, plus a general and a
# dimension-specific personal effect; each item adds its own noise before being rounded
# to 1–5. Within an organisation the respondent scores then have sd ≈ 0.75.
GENERAL_SD, PERSONAL_SD, ITEM_SD = 0.35, 0.55, 0.7
SELF_SPREAD = math.sqrt(GENERAL_SD**2 + PERSONAL_SD**2 + ITEM_SD**2)
RATER_SD = 0.6
RATING_SPREAD = math.sqrt(RATER_SD**2 + ITEM_SD**2)
DONT_KNOW, RATING_DONT_KNOW, UNFAMILIAR = 0.06, 0.05, 0.03
CULTURE_CONCENTRATION = 10.0  # respondents' own split of 100 points ~ Dirichlet(10 · p)
PROMPTS = ["drive", "noticed", "decisions"]
COMPONENTS = [c.PROFILE_FIT, c.CULTURE_FIT, c.MUTUAL_TRUST, c.COMPATIBILITY]


def true_mean(latent: np.ndarray | float, spread: float) -> np.ndarray:
    """Return E[clip(round(latent + z), 1, 5)] for z ~ N(0, spread²)."""
    latent = np.asarray(latent, dtype="float64")
    steps = np.arange(1, 5) + 0.5
    return 1 + stats.norm.cdf((latent[..., None] - steps) / spread).sum(axis=-1)


@functools.lru_cache(maxsize=4096)
def latent_for(mean: float, spread: float) -> float:
    """Return the latent level whose rounded answers average `mean` on 1–5."""
    return optimize.brentq(lambda x: float(true_mean(x, spread)) - mean, -5, 11)


@dataclass(frozen=True)
class Organisation:
    """True answer distributions of one organisation (means on 1–5, culture shares)."""

    dimensions: np.ndarray  # true mean respondent score per dimension
    culture: np.ndarray  # true expected share of the 100 points per type


@dataclass(frozen=True)
class Pair:
    """Two organisations and how each one's people see the other (true means on 1–5)."""

    a: Organisation
    b: Organisation
    trust_ab: float
    trust_ba: float
    compatibility_ab: float
    compatibility_ba: float

    def truth(self) -> dict[str, float]:
        """Return the true fit and its components by MEASUREMENT.md §5 and §6.3."""
        d2 = float(((self.a.dimensions - self.b.dimensions) ** 2).sum())
        values = {
            c.PROFILE_FIT: 100 * (1 - math.sqrt(d2 / len(DIMENSIONS)) / 4),
            c.CULTURE_FIT: 100
            - 50 * float(np.abs(self.a.culture - self.b.culture).sum()),
            c.MUTUAL_TRUST: 25 * (min(self.trust_ab, self.trust_ba) - 1),
            c.COMPATIBILITY: 25
            * ((self.compatibility_ab + self.compatibility_ba) / 2 - 1),
        }
        weights = real_fit.DEFAULT_WEIGHTS
        values[c.FIT] = sum(weights[k] * values[k] for k in COMPONENTS)
        return values


def _organisation(rng: np.random.Generator) -> Organisation:
    return Organisation(
        dimensions=np.clip(rng.normal(3.3, 0.45, len(DIMENSIONS)), 1.8, 4.6),
        culture=rng.dirichlet(12 * np.array([0.3, 0.25, 0.3, 0.15])),
    )


def archetypes(seed: int = 2026) -> dict[str, list[Pair]]:
    """Return fixed typical pairs (independent draws) and identical pairs (one org twice)."""
    rng = np.random.default_rng(seed)

    def level() -> float:
        return float(np.clip(rng.normal(3.5, 0.4), 2.0, 4.6))

    typical = [
        Pair(_organisation(rng), _organisation(rng), level(), level(), level(), level())
        for _ in range(PAIR_ARCHETYPES)
    ]
    identical = []
    for _ in range(PAIR_ARCHETYPES):
        org, trust, compatibility = _organisation(rng), level(), level()
        identical.append(Pair(org, org, trust, trust, compatibility, compatibility))
    return {"typical": typical, "identical": identical}


def gap_pairs(gap: float, seed: int = 2027) -> list[Pair]:
    """Return identical pairs except for one dimension, D1, `gap` points higher in B."""
    pairs = []
    for pair in archetypes(seed)["identical"]:
        dims = pair.a.dimensions.copy()
        dims[0] = 3.0  # room for a 0.8 gap on the 1–5 scale
        raised = dims.copy()
        raised[0] += gap
        pairs.append(
            replace(
                pair,
                a=replace(pair.a, dimensions=dims),
                b=replace(pair.b, dimensions=raised),
            )
        )
    return pairs


def _items() -> pd.DataFrame:
    rows = [
        (d, f"{d}.{i}", i in reverse)
        for d, (count, reverse) in INSTRUMENT.items()
        for i in range(1, count + 1)
    ]
    return pd.DataFrame(rows, columns=c.ITEM_COLUMNS)


ITEMS = _items()


def _answers(
    org: str, truth: Organisation, ids: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    n = len(ids)
    latent = np.array([latent_for(float(m), SELF_SPREAD) for m in truth.dimensions])
    per_item = pd.Index(DIMENSIONS).get_indexer(ITEMS[c.DIMENSION])
    person = rng.normal(0, GENERAL_SD, (n, 1)) + rng.normal(
        0, PERSONAL_SD, (n, len(DIMENSIONS))
    )
    level = latent[per_item][None, :] + person[:, per_item]
    scored = np.clip(np.rint(level + rng.normal(0, ITEM_SD, level.shape)), 1, 5)
    reverse = ITEMS[c.REVERSE].to_numpy()
    raw = np.where(reverse, 6 - scored, scored)
    raw[rng.random(raw.shape) < DONT_KNOW] = np.nan
    return pd.DataFrame(
        {
            c.RESPONSE_ID: np.repeat(ids, len(ITEMS)),
            c.ORGANISATION: org,
            c.DIMENSION: np.tile(ITEMS[c.DIMENSION].to_numpy(), n),
            c.ITEM: np.tile(ITEMS[c.ITEM].to_numpy(), n),
            c.REVERSE: np.tile(reverse, n),
            c.VALUE: raw.ravel(),
        }
    )


def _ratings(
    org: str,
    subject: str,
    ids: np.ndarray,
    trust: float,
    compatibility: float,
    rng: np.random.Generator,
) -> pd.DataFrame:
    n = len(ids)
    familiarity = np.where(rng.random(n) < UNFAMILIAR, 1.0, rng.integers(2, 5, n))
    trust_latent = latent_for(trust, RATING_SPREAD) + rng.normal(0, RATER_SD, (n, 1))
    fit_latent = latent_for(compatibility, RATING_SPREAD) + rng.normal(0, RATER_SD, n)
    values = {
        "P1": trust_latent[:, 0],
        "P2": trust_latent[:, 0],
        "P3": trust_latent[:, 0],
        "P4": fit_latent,
        "P5": np.full(n, 2.5),
        "P6": trust_latent[:, 0],
    }
    frames = [
        pd.DataFrame(
            {
                c.RESPONSE_ID: ids,
                c.ORGANISATION: org,
                c.SUBJECT: subject,
                c.ITEM: c.FAMILIARITY_ITEM,
                c.VALUE: familiarity,
            }
        )
    ]
    known = familiarity > 1
    for item, latent in values.items():
        answer = np.clip(np.rint(latent + rng.normal(0, ITEM_SD, n)), 1, 5)
        answer[rng.random(n) < RATING_DONT_KNOW] = np.nan
        frames.append(
            pd.DataFrame(
                {
                    c.RESPONSE_ID: ids[known],
                    c.ORGANISATION: org,
                    c.SUBJECT: subject,
                    c.ITEM: item,
                    c.VALUE: answer[known],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _culture(
    org: str, truth: Organisation, ids: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    n = len(ids)
    own = rng.dirichlet(CULTURE_CONCENTRATION * truth.culture, n)
    # Each prompt splits exactly 100 points; E[points] = 100 × the organisation's share.
    points = np.stack([rng.multinomial(100, p, size=len(PROMPTS)) for p in own])
    return pd.DataFrame(
        {
            c.RESPONSE_ID: np.repeat(ids, len(PROMPTS) * 4),
            c.ORGANISATION: org,
            c.PROMPT: np.tile(np.repeat(PROMPTS, 4), n),
            c.CULTURE_TYPE: np.tile(c.CULTURE_TYPES, n * len(PROMPTS)),
            c.POINTS: points.ravel().astype("float64"),
        }
    )


def simulate(pair: Pair, n: int, rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """Return one round's raw frames for organisations "A" and "B" of n respondents each."""
    ids = {org: np.array([f"{org}{r}" for r in range(n)]) for org in ("A", "B")}
    return {
        "answers": pd.concat(
            [_answers(o, t, ids[o], rng) for o, t in (("A", pair.a), ("B", pair.b))],
            ignore_index=True,
        ),
        "partner_answers": pd.concat(
            [
                _ratings("A", "B", ids["A"], pair.trust_ab, pair.compatibility_ab, rng),
                _ratings("B", "A", ids["B"], pair.trust_ba, pair.compatibility_ba, rng),
            ],
            ignore_index=True,
        ),
        "profile_points": pd.concat(
            [_culture(o, t, ids[o], rng) for o, t in (("A", pair.a), ("B", pair.b))],
            ignore_index=True,
        ),
    }


def _resp_scores(answers: pd.DataFrame) -> pd.DataFrame:
    return scoring.respondent_scores(scoring.score_answers(answers), ITEMS)


def fit_row(
    raw: dict[str, pd.DataFrame], *, fit: ModuleType, n_boot: int, seed: int
) -> pd.Series:
    """Score one simulated round and return the published (A, B) row of pairwise_fit."""
    resp = _resp_scores(raw["answers"])
    pairs = fit.pairwise_fit(
        resp_scores=resp,
        org_scores=scoring.organisation_scores(resp, threshold=THRESHOLD),
        culture=fit.culture_profiles(raw["profile_points"], threshold=THRESHOLD),
        ratings=fit.partner_ratings(raw["partner_answers"], threshold=THRESHOLD),
        threshold=THRESHOLD,
        n_boot=n_boot,
        seed=seed,
        profile_points=raw["profile_points"],
        partner_answers=raw["partner_answers"],
    )
    ab = (pairs[c.ORGANISATION_A] == "A") & (pairs[c.ORGANISATION_B] == "B")
    return pairs[ab].iloc[0]


def _interval(row: pd.Series, figure: str) -> tuple[float, float] | None:
    names = (
        (c.FIT_CI_LOW, c.FIT_CI_HIGH)
        if figure == c.FIT
        else (f"{figure}_ci_low", f"{figure}_ci_high")
    )
    if not all(name in row.index for name in names):
        return None  # this version of the fit code gives no interval for the figure
    return float(row[names[0]]), float(row[names[1]])


def fit_figures(
    kind: str,
    pairs: list[Pair],
    n: int,
    replications: int,
    *,
    fit: ModuleType,
    n_boot: int,
    rng: np.random.Generator,
) -> list[Figure]:
    """Return coverage, bias and width of fit and its components for one kind and n."""
    errors: dict[str, list[float]] = {f: [] for f in [c.FIT, *COMPONENTS]}
    covered: dict[str, list[bool]] = {f: [] for f in errors}
    widths: dict[str, list[float]] = {f: [] for f in errors}
    skipped = 0
    for r in range(replications):
        pair = pairs[r % len(pairs)]
        truth = pair.truth()
        row = fit_row(
            simulate(pair, n, rng), fit=fit, n_boot=n_boot, seed=int(rng.integers(1e9))
        )
        if row[c.SUPPRESSED] or row[COMPONENTS].isna().any():
            skipped += 1  # fit would be renormalised: not comparable with the truth
            continue
        for figure in errors:
            errors[figure].append(float(row[figure]) - truth[figure])
            interval = _interval(row, figure)
            if interval is not None and not any(map(math.isnan, interval)):
                covered[figure].append(interval[0] <= truth[figure] <= interval[1])
                widths[figure].append(interval[1] - interval[0])
    figures = [Figure(f"validity.incomplete.{kind}.n{n}", skipped, "replications")]
    for figure in errors:
        name = f"validity.{figure}"
        if covered[figure]:
            figures.append(
                Figure(
                    f"{name}.coverage.{kind}.n{n}", np.mean(covered[figure]), "share"
                )
            )
        if errors[figure]:
            figures.append(
                Figure(f"{name}.bias.{kind}.n{n}", np.mean(errors[figure]), "points")
            )
        if widths[figure]:
            figures.append(
                Figure(f"{name}.width.{kind}.n{n}", np.mean(widths[figure]), "points")
            )
    return figures


def gap_figures(
    n: int, replications: int, *, fit: ModuleType, rng: np.random.Generator
) -> list[Figure]:
    """Return the clear-gap false-alarm rate and the power to flag a planted gap."""
    identical = archetypes()["identical"]
    false_alarms = []
    for r in range(replications):
        raw = simulate(identical[r % len(identical)], n, rng)
        gaps = fit.dimension_gaps(
            _resp_scores(raw["answers"]), "A", "B", threshold=THRESHOLD
        )
        false_alarms.append(bool(gaps[c.CLEAR].any()))
    figures = [
        Figure(f"validity.clear_gap.identical.n{n}", np.mean(false_alarms), "share")
    ]
    for gap in GAPS:
        pairs, found = gap_pairs(gap), []
        for r in range(replications):
            raw = simulate(pairs[r % len(pairs)], n, rng)
            gaps = fit.dimension_gaps(
                _resp_scores(raw["answers"]), "A", "B", threshold=THRESHOLD
            )
            found.append(bool(gaps.loc[gaps[c.DIMENSION] == "D1", c.CLEAR].any()))
        figures.append(Figure(f"validity.power.gap{gap}.n{n}", np.mean(found), "share"))
    return figures


def _organisation_scores(resp: pd.DataFrame, eligible: int | None) -> pd.DataFrame:
    # The argument that carries the eligible N has been called `population`; a later
    # version names it `eligible`. Pass whichever the installed scoring takes.
    known = None if eligible is None else pd.Series({"A": eligible})
    parameters = inspect.signature(scoring.organisation_scores).parameters
    name = "eligible" if "eligible" in parameters else "population"
    return scoring.organisation_scores(resp, threshold=THRESHOLD, **{name: known})


def org_mean_figures(
    n: int, replications: int, *, rng: np.random.Generator
) -> list[Figure]:
    """Return how often organisation means' intervals hold the board's own mean."""
    hits: dict[str, list[bool]] = {"known_n": [], "unknown_n": []}
    pairs = archetypes()["typical"]
    for r in range(replications):
        board = np.array([f"A{i}" for i in range(ELIGIBLE)])
        population = _resp_scores(_answers("A", pairs[r % len(pairs)].a, board, rng))
        # The true value is the mean over everyone eligible; n of them answered.
        truth = population.groupby(c.DIMENSION)[c.SCORE].mean()
        asked = rng.choice(board, size=n, replace=False)
        sample = population[population[c.RESPONSE_ID].isin(asked)]
        for key, eligible in (("known_n", ELIGIBLE), ("unknown_n", None)):
            scores = _organisation_scores(sample, eligible).set_index(c.DIMENSION)
            shown = scores[~scores[c.SUPPRESSED]]
            inside = (shown[c.CI_LOW] <= truth.reindex(shown.index)) & (
                truth.reindex(shown.index) <= shown[c.CI_HIGH]
            )
            hits[key] += list(inside)
    return [
        Figure(f"validity.org_mean.coverage.{key}.n{n}", np.mean(values), "share")
        for key, values in hits.items()
    ]


def measure(
    *,
    replications: int,
    sizes: tuple[int, ...] = SIZES,
    n_boot: int = 2000,
    seed: int = 2026,
    fit: ModuleType = real_fit,
) -> list[Figure]:
    """Run every validity check and return its figures, printing them as they come."""
    rng = np.random.default_rng(seed)
    kinds = archetypes()
    figures: list[Figure] = []
    for n in sizes:
        batch = gap_figures(n, 2 * replications, fit=fit, rng=rng)
        for kind, pairs in kinds.items():
            batch += fit_figures(
                kind, pairs, n, replications, fit=fit, n_boot=n_boot, rng=rng
            )
        if n <= ELIGIBLE:
            batch += org_mean_figures(n, replications, rng=rng)
        emit(batch)
        figures += batch
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=400)
    parser.add_argument(
        "--sizes",
        default=",".join(map(str, SIZES)),
        help="respondents per organisation",
    )
    parser.add_argument("--n-boot", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    measure(
        replications=args.replications,
        sizes=tuple(int(s) for s in args.sizes.split(",")),
        n_boot=args.n_boot,
        seed=args.seed,
    )


if __name__ == "__main__":
    main()
