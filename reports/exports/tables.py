"""Build scores.csv and fit.csv from the round's analysis: the dashboards' own figures."""

import pandas as pd

from reports import columns as c
from reports.analysis import SurveyAnalysis
from reports.exports.formats import FIT_COLUMNS, SCORES_COLUMNS, round_figures

_SCORE_FIGURES = [c.MEAN, c.SD, c.CI_LOW, c.CI_HIGH, c.READINESS]
_FIT_LABELS = {c.ORGANISATION_A, c.ORGANISATION_B, c.LARGEST_GAP_DIMENSION}
_FIT_FLAGS = {c.LARGEST_GAP_CLEAR}  # true or false where shown, blank where suppressed
_FIT_FIGURES = [
    col for col in FIT_COLUMNS if col not in _FIT_LABELS | _FIT_FLAGS | {c.SUPPRESSED}
]


def _flag(value: object) -> bool | None:
    return None if value is None or pd.isna(value) else bool(value)


def scores_frame(analysis: SurveyAnalysis) -> pd.DataFrame:
    """Return scores.csv: each organisation × dimension, figures blank where suppressed."""
    keys = [c.ORGANISATION, c.DIMENSION]
    organisation_columns = [
        c.ORGANISATION,
        "name",
        "sector",
        "eligible",
        "response_rate",
    ]
    grid = analysis.organisations[organisation_columns].merge(
        analysis.dimensions[[c.DIMENSION]], how="cross"
    )
    frame = (
        grid.merge(analysis.org_scores, on=keys, how="left")
        .merge(analysis.agreement[[*keys, c.RWG_J]], on=keys, how="left")
        .merge(analysis.dont_know[c.DONT_KNOW_COLUMNS], on=keys, how="left")
    )
    # A group nobody scored is absent from org_scores: n = 0, below any threshold.
    suppressed = ~frame[c.SUPPRESSED].eq(False)
    shown = ~suppressed
    out = pd.DataFrame(
        {
            "organisation": frame["name"],
            "sector": frame["sector"],
            c.DIMENSION: frame[c.DIMENSION],
            c.N: frame[c.N].where(shown).astype("Int64"),
            **{
                col: frame[col].astype("float64").where(shown) for col in _SCORE_FIGURES
            },
            c.BAND: frame[c.BAND].where(shown),
            "agreement": frame[c.RWG_J].astype("float64").where(shown),
            c.DONT_KNOW_RATE: frame[c.DONT_KNOW_RATE].astype("float64").where(shown),
            c.SUPPRESSED: suppressed.astype(bool),
            # N is not disclosive; N × rate gives the responses counted, so the rate is
            # blank wherever the figures are.
            "eligible": frame["eligible"].astype("Int64"),
            "response_rate": frame["response_rate"].astype("float64").where(shown),
        }
    )
    return round_figures(out[SCORES_COLUMNS])


def fit_frame(analysis: SurveyAnalysis) -> pd.DataFrame:
    """Return fit.csv: each ordered pair of organisations by name, blank where suppressed."""
    orgs = analysis.organisations
    names = dict(zip(orgs[c.ORGANISATION], orgs["name"], strict=True))
    ids = list(orgs[c.ORGANISATION])
    grid = pd.DataFrame(
        [(a, b) for a in ids for b in ids if a != b],
        columns=[c.ORGANISATION_A, c.ORGANISATION_B],
    )
    frame = grid.merge(
        analysis.pairs[FIT_COLUMNS], on=[c.ORGANISATION_A, c.ORGANISATION_B], how="left"
    )
    # A pair the engine never scored (an organisation without responses) is suppressed.
    suppressed = ~frame[c.SUPPRESSED].eq(False)
    shown = ~suppressed
    out = frame.assign(
        **{col: frame[col].astype("float64").where(shown) for col in _FIT_FIGURES},
        **{
            c.ORGANISATION_A: frame[c.ORGANISATION_A].map(names),
            c.ORGANISATION_B: frame[c.ORGANISATION_B].map(names),
            c.LARGEST_GAP_DIMENSION: frame[c.LARGEST_GAP_DIMENSION].where(shown),
            **{
                col: frame[col].map(_flag).astype(object).where(shown, None)
                for col in _FIT_FLAGS
            },
            c.SUPPRESSED: suppressed.astype(bool),
        },
    )
    return round_figures(out[FIT_COLUMNS].reset_index(drop=True))
