"""Assemble what each dashboard page shows from a round's analysis (no HTTP, no templates)."""

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from django.urls import reverse

from reports import charts, fit, scoring
from reports.analysis import (
    AnalysisPendingError,
    SurveyAnalysis,
    analyse_survey,
    analyse_survey_status,
)
from reports.data import previous_round
from surveys.models import Survey

TOP_N = 3


@dataclass(frozen=True)
class OrgRow:
    organisation: int
    public_id: str
    name: str
    short_name: str
    sector: str
    submitted_label: str
    readiness: str
    band: str
    change: str
    suppressed: bool


def _names(analysis: SurveyAnalysis) -> dict[int, str]:
    return dict(
        zip(
            analysis.organisations["organisation"],
            analysis.organisations["name"],
            strict=True,
        )
    )


def _short_names(analysis: SurveyAnalysis) -> dict[int, str]:
    orgs = analysis.organisations
    return dict(zip(orgs["organisation"], orgs["short_name"], strict=True))


def _titles(analysis: SurveyAnalysis) -> dict[str, str]:
    return dict(
        zip(analysis.dimensions["dimension"], analysis.dimensions["title"], strict=True)
    )


def _change(now: float | None, before: float | None, digits: int = 0) -> str:
    if now is None or before is None or math.isnan(now) or math.isnan(before):
        return ""
    return f"{now - before:+.{digits}f}"


def previous_analysis(survey: Survey) -> tuple[Survey | None, SurveyAnalysis | None]:
    """Return the previous round of the partnership and its analysis, if there is one."""
    earlier = previous_round(survey)
    if earlier is None:
        return None, None
    try:
        return earlier, analyse_survey(earlier)
    except AnalysisPendingError:
        # The worker is still analysing it: show this round now, changes when it is ready.
        return earlier, None


def _memoised(page: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """Build a page once per analysis (and previous round's analysis) in each process.

    Pages depend only on the two analyses and their arguments, which callers check first
    (an unknown organisation raises LookupError, and errors are not remembered).
    """

    @functools.wraps(page)
    def wrapper(survey: Survey, *args: str) -> dict[str, Any]:
        analysis, current = analyse_survey_status(survey)
        earlier, before = previous_analysis(survey)
        key = (page.__name__, args, before.fingerprint if before is not None else None)
        built = analysis.memo(
            key,
            lambda: page(
                survey, *args, analysis=analysis, earlier=earlier, before=before
            ),
        )
        # A shallow copy, so a caller that sets a key does not change the remembered page.
        return {**built, "freshness": _freshness(analysis, current)}

    return wrapper


def _freshness(analysis: SurveyAnalysis, current: bool) -> dict[str, Any] | None:
    return None if current else {"as_of": analysis.computed_at}


def freshness(survey: Survey) -> dict[str, Any] | None:
    """Say how old the figures are when the worker is still adding newer responses.

    Every page built by `_memoised` already carries this as its "freshness".
    """
    return _freshness(*analyse_survey_status(survey))


@_memoised
def overview(
    survey: Survey,
    *,
    analysis: SurveyAnalysis,
    earlier: Survey | None,
    before: SurveyAnalysis | None,
) -> dict[str, Any]:
    """Return the partnership overview: responses, readiness, heatmap, sectors, reliability."""
    names, titles, k = _names(analysis), _titles(analysis), analysis.threshold
    overall = analysis.overall.merge(
        analysis.organisations[["organisation", "name"]], on="organisation", how="right"
    )
    overall["suppressed"] = overall["suppressed"].fillna(True).astype(bool)
    overall["band"] = overall["mean"].map(
        lambda m: scoring.band_for(m) if pd.notna(m) else ""
    )
    before_overall = (
        before.overall.set_index("organisation")["readiness"]
        if before is not None
        else pd.Series(dtype=float)
    )
    rows = []
    for org in analysis.organisations.itertuples():
        score = overall.set_index("organisation").loc[org.organisation]
        hidden = bool(org.suppressed or score["suppressed"])
        rows.append(
            OrgRow(
                organisation=org.organisation,
                public_id=org.public_id,
                name=org.name,
                short_name=org.short_name,
                sector=org.sector_label,
                submitted_label=f"Fewer than {k}"
                if org.suppressed
                else str(org.submitted),
                readiness="" if hidden else charts.fmt(score["readiness"], 0),
                band="" if hidden else score["band"],
                change=""
                if hidden
                else _change(score["readiness"], before_overall.get(org.organisation)),
                suppressed=hidden,
            )
        )
    profile = analysis.partnership_profile.sort_values("mean")
    strengths = [
        (titles[r.dimension], charts.fmt(r.mean, 2), r.band)
        for r in profile.iloc[::-1].head(TOP_N).itertuples()
    ]
    barriers = [
        (titles[r.dimension], charts.fmt(r.mean, 2), r.band)
        for r in profile.head(TOP_N).itertuples()
    ]
    reliability = analysis.reliability.merge(analysis.icc, on="dimension", how="left")
    reliability_rows = [
        [
            titles[r.dimension],
            charts.fmt(r.alpha, 2),
            charts.fmt(r.mean_inter_item_r, 2),
            charts.fmt(r.icc1, 2),
            charts.fmt(r.icc2, 2),
        ]
        for r in reliability.itertuples()
        if r.dimension in titles
    ]
    overall_for_chart = overall.assign(name=overall["name"])
    short = _short_names(analysis)
    submitted_total = int(
        analysis.organisations.loc[
            ~analysis.organisations["suppressed"], "submitted"
        ].sum()
    )
    counted = (
        f"{submitted_total} responses from "
        f"{int((~analysis.organisations['suppressed']).sum())} organisations"
    )
    return {
        "analysis": analysis,
        "rows": rows,
        "submitted_total": submitted_total,
        "suppressed_count": int(analysis.organisations["suppressed"].sum()),
        "strengths": strengths,
        "barriers": barriers,
        "reliability_rows": reliability_rows,
        "previous": earlier,
        "charts": [
            charts.readiness_bars(
                overall_for_chart, threshold=k, short_names=short, n_label=counted
            ),
            charts.dimension_heatmap(
                analysis.org_scores,
                dimensions=analysis.dimensions,
                names=names,
                threshold=k,
                short_names=short,
                n_label=counted,
            ),
            charts.sector_bars(
                analysis.sector_scores, dimensions=analysis.dimensions, threshold=k
            ),
        ],
    }


def _org_row(analysis: SurveyAnalysis, public_id: str) -> pd.Series:
    orgs = analysis.organisations
    match = orgs[orgs["public_id"] == public_id]
    if match.empty:
        raise LookupError(public_id)
    return match.iloc[0]


@_memoised
def organisation(
    survey: Survey,
    public_id: str,
    *,
    analysis: SurveyAnalysis,
    earlier: Survey | None,
    before: SurveyAnalysis | None,
) -> dict[str, Any]:
    """Return one organisation's page: profile, answers, agreement, partners' view, culture."""
    org = _org_row(analysis, public_id)
    oid, k = int(org["organisation"]), analysis.threshold
    names, titles = _names(analysis), _titles(analysis)
    context: dict[str, Any] = {
        "org": org,
        "suppressed": bool(org["suppressed"]),
        "charts": [],
    }
    if org["suppressed"]:
        return context
    # MEASUREMENT §6.5: say when intervals use N, and when an N was ignored.
    asked, used = org.get("eligible"), org.get("population")
    if pd.notna(used):
        context["population_note"] = (
            f"Intervals allow for the {int(used)} people asked at "
            f"{org['short_name']} ({int(org['submitted'])} responses counted): they "
            "are narrower than for a sample from a large group."
        )
    elif pd.notna(asked):
        context["population_note"] = (
            f"The number of people asked at {org['short_name']} ({int(asked)}) is "
            f"fewer than the {int(org['submitted'])} responses, so the intervals do "
            "not use it."
        )
    scores = analysis.org_scores[analysis.org_scores["organisation"] == oid]
    agreement = analysis.agreement[analysis.agreement["organisation"] == oid].set_index(
        "dimension"
    )
    dont_know = analysis.dont_know[analysis.dont_know["organisation"] == oid].set_index(
        "dimension"
    )
    earlier = (
        before.org_scores[before.org_scores["organisation"] == oid].set_index(
            "dimension"
        )["mean"]
        if before is not None
        else pd.Series(dtype=float)
    )
    context["dimension_rows"] = [
        {
            "title": titles[r.dimension],
            "suppressed": bool(r.suppressed),
            "mean": charts.fmt(r.mean, 2),
            "interval": f"{charts.fmt(r.ci_low, 2)}–{charts.fmt(r.ci_high, 2)}",
            "band": r.band or "",
            "uncertain": bool(r.uncertain) if not r.suppressed else False,
            "agreement": charts.fmt(agreement["rwg_j"].get(r.dimension), 2),
            "divided": bool(agreement["divided"].get(r.dimension, False)),
            "dont_know": f"{dont_know['dont_know_rate'].get(r.dimension, 0):.0%}",
            "change": _change(r.mean, earlier.get(r.dimension), 2),
        }
        for r in scores.set_index("dimension")
        .reindex(analysis.dimensions["dimension"])
        .reset_index()
        .itertuples()
        if isinstance(r.dimension, str)
    ]
    context["has_previous"] = before is not None
    context["charts"].append(
        charts.radar(
            scores,
            analysis.partnership_profile,
            key="profile",
            dimensions=analysis.dimensions,
            name=str(org["name"]),
            short_name=str(org["short_name"]),
            n_label=f"{int(org['submitted'])} responses from {org['short_name']}",
        )
    )
    distribution = analysis.distributions[analysis.distributions["organisation"] == oid]
    scale = survey.instrument.scale
    items = analysis.items
    context["charts"].append(
        charts.item_distribution_bars(
            distribution,
            items=items,
            labels=scale["labels"],
            dont_know=scale["dont_know"],
            n_label=f"{int(org['submitted'])} responses from {org['short_name']}",
        )
    )
    context["perception"] = _perception_rows(analysis, oid, names)
    culture = analysis.culture[analysis.culture["organisation"] == oid]
    if len(culture) and not culture["suppressed"].iloc[0]:
        context["charts"].append(
            charts.culture_bars(
                culture, names=names, threshold=k, short_names=_short_names(analysis)
            )
        )
    comments = analysis.comments[analysis.comments["organisation"] == oid]
    context["comments"] = [
        (titles.get(dimension, dimension), list(group["text"]))
        for dimension, group in comments.groupby("dimension", sort=False)
    ]
    return context


def _perception_rows(
    analysis: SurveyAnalysis, oid: int, names: dict[int, str]
) -> list[dict[str, Any]]:
    """How each partner rates this organisation, beside how it thinks they see it."""
    k = analysis.threshold
    # partner_ratings has already blanked every figure that fewer than K people answered.
    ratings = analysis.ratings.set_index(["organisation", "subject"])

    def figure(rater: int, subject: int, column: str) -> str | None:
        if (rater, subject) not in ratings.index:
            return None
        row = ratings.loc[(rater, subject)]
        if row["n_raters"] < k or pd.isna(row[column]):
            return None
        return charts.fmt(25 * (row[column] - 1), 0)

    return [
        {
            "partner": names[other.organisation],
            "public_id": other.public_id,
            "their_trust": None
            if other.suppressed
            else figure(other.organisation, oid, "trust"),
            "our_trust": figure(oid, other.organisation, "trust"),
            "we_think": figure(oid, other.organisation, "meta"),
        }
        for other in analysis.organisations.itertuples()
        if other.organisation != oid
    ]


def fit_matrix(survey: Survey, measure: str) -> dict[str, Any]:
    """Return the fit matrix page for one measure (fit, trust or shape)."""
    return _fit_matrix(survey, measure if measure in charts.FIT_MEASURES else "fit")


@_memoised
def _fit_matrix(
    survey: Survey,
    measure: str,
    *,
    analysis: SurveyAnalysis,
    earlier: Survey | None,
    before: SurveyAnalysis | None,
) -> dict[str, Any]:
    names = _names(analysis)
    order = list(analysis.organisations["organisation"])
    column = charts.FIT_MEASURES[measure][1]
    pairs = analysis.pairs.merge(
        analysis.organisations[["organisation", "public_id"]].rename(
            columns={"organisation": "organisation_a", "public_id": "a_id"}
        ),
        on="organisation_a",
    ).merge(
        analysis.organisations[["organisation", "public_id"]].rename(
            columns={"organisation": "organisation_b", "public_id": "b_id"}
        ),
        on="organisation_b",
    )
    # Each unordered pair once, A before B alphabetically, sorted by the chosen measure.
    pairs["name_a"] = pairs["organisation_a"].map(names)
    pairs["name_b"] = pairs["organisation_b"].map(names)
    unordered = pairs[pairs["name_a"] < pairs["name_b"]].sort_values(
        column, ascending=False, na_position="last"
    )
    titles = _titles(analysis)
    rows = [
        {
            "a": r.name_a,
            "b": r.name_b,
            "url": reverse(
                "reports:pair_detail", args=[survey.public_id, r.a_id, r.b_id]
            ),
            "suppressed": bool(r.suppressed),
            "fit": charts.fmt(r.fit, 0),
            "mutual_trust": charts.fmt(r.mutual_trust, 0),
            "shape": charts.fmt(r.shape_similarity, 2),
            "culture": charts.fmt(r.culture_fit, 0),
            "gap": titles.get(r.largest_gap_dimension, "–")
            if isinstance(r.largest_gap_dimension, str)
            else "–",
            "flag": bool(r.perceived_actual_flag) if not r.suppressed else False,
        }
        for r in unordered.itertuples()
    ]
    return {
        "cache_key": analysis.fingerprint,
        "measure": measure,
        "measure_label": charts.FIT_MEASURES[measure][0],
        "measures": [
            (key, label) for key, (label, _col) in charts.FIT_MEASURES.items()
        ],
        "rows": rows,
        # Table columns in FIT_MEASURES order: fit, mutual trust, shape, culture.
        "columns": [(key, label) for key, (label, _col) in charts.FIT_MEASURES.items()],
        "charts": [
            charts.fit_heatmap(
                analysis.pairs,
                measure=measure,
                order=order,
                names=_short_names(analysis),
                full_names=names,
                threshold=analysis.threshold,
                links={
                    (r.organisation_a, r.organisation_b): reverse(
                        "reports:pair_detail", args=[survey.public_id, r.a_id, r.b_id]
                    )
                    for r in pairs[~pairs["suppressed"].astype(bool)].itertuples()
                },
            )
        ],
    }


@_memoised
def pair(
    survey: Survey,
    a_id: str,
    b_id: str,
    *,
    analysis: SurveyAnalysis,
    earlier: Survey | None,
    before: SurveyAnalysis | None,
) -> dict[str, Any]:
    """Return the pair page: profiles, gaps, mutual perception, culture and a summary."""
    a, b = _org_row(analysis, a_id), _org_row(analysis, b_id)
    if a_id == b_id:
        raise LookupError(a_id)
    oa, ob, k = int(a["organisation"]), int(b["organisation"]), analysis.threshold
    names, titles, short = _names(analysis), _titles(analysis), _short_names(analysis)
    row = analysis.pairs[
        (analysis.pairs["organisation_a"] == oa)
        & (analysis.pairs["organisation_b"] == ob)
    ]
    context: dict[str, Any] = {"a": a, "b": b, "charts": []}
    if row.empty or bool(row["suppressed"].iloc[0]):
        context["suppressed"] = True
        return context
    result = row.iloc[0]
    context["suppressed"] = False
    context["result"] = {
        "fit": charts.fmt(result["fit"], 0),
        "fit_interval": f"{charts.fmt(result['fit_ci_low'], 0)}–{charts.fmt(result['fit_ci_high'], 0)}",
        "profile_fit": charts.fmt(result["profile_fit"], 0),
        "culture_fit": charts.fmt(result["culture_fit"], 0),
        "compatibility": charts.fmt(result["compatibility"], 0),
        "mutual_trust": charts.fmt(result["mutual_trust"], 0),
        "trust_a_to_b": charts.fmt(result["trust_a_to_b"], 0),
        "trust_b_to_a": charts.fmt(result["trust_b_to_a"], 0),
        "shape_similarity": charts.fmt(result["shape_similarity"], 2),
        "shape_note": result.get("shape_similarity_note"),
        "level_gap": charts.fmt(result["level_gap"], 2),
        "elevation": charts.fmt(result["elevation"], 2),
        "scatter": charts.fmt(result["scatter"], 2),
        "shape": charts.fmt(result["shape"], 2),
        "meta_gap_a": charts.fmt(result["meta_gap_a"], 0),
        "meta_gap_b": charts.fmt(result["meta_gap_b"], 0),
        "flag": bool(result["perceived_actual_flag"]),
    }
    if before is not None:
        earlier = before.pairs[
            (before.pairs["organisation_a"] == oa)
            & (before.pairs["organisation_b"] == ob)
        ]
        if len(earlier) and not bool(earlier["suppressed"].iloc[0]):
            context["fit_change"] = _change(result["fit"], earlier["fit"].iloc[0])
    scores = analysis.org_scores
    profile_a = scores[scores["organisation"] == oa]
    profile_b = scores[scores["organisation"] == ob]
    context["charts"].append(
        charts.radar(
            profile_a,
            analysis.partnership_profile,
            key="pair-profiles",
            dimensions=analysis.dimensions,
            name=short[oa],
            other=profile_b,
            other_name=short[ob],
        )
    )
    gaps = fit.dimension_gaps(analysis.respondent_scores, oa, ob, threshold=k)
    context["charts"].append(
        charts.gap_chart(
            gaps, dimensions=analysis.dimensions, name_a=short[oa], name_b=short[ob]
        )
    )
    context["gap_sentences"] = gap_sentences(
        gaps, titles=titles, name_a=names[oa], name_b=names[ob]
    )
    culture = analysis.culture[analysis.culture["organisation"].isin([oa, ob])]
    if len(culture):
        context["charts"].append(
            charts.culture_bars(culture, names=short, threshold=k, key="pair-culture")
        )
    context["summary"] = pair_summary(
        result, gaps, titles=titles, name_a=names[oa], name_b=names[ob]
    )
    return context


def gap_sentences(
    gaps: pd.DataFrame, *, titles: dict[str, str], name_a: str, name_b: str
) -> list[str]:
    """Return a plain-English sentence for each clear gap, largest first."""
    sentences = []
    for r in gaps[gaps["clear"]].itertuples():
        higher, lower = (name_a, name_b) if r.gap > 0 else (name_b, name_a)
        size = (
            "large"
            if abs(r.effect_size) >= 0.8
            else "moderate"
            if abs(r.effect_size) >= 0.5
            else "small"
        )
        low, high = (r.ci_low, r.ci_high) if r.gap > 0 else (-r.ci_high, -r.ci_low)
        sim_low, sim_high = (
            (r.sim_ci_low, r.sim_ci_high)
            if r.gap > 0
            else (-r.sim_ci_high, -r.sim_ci_low)
        )
        # The simultaneous interval allows for every dimension being compared (§6.1).
        sentences.append(
            f"On {titles[r.dimension].lower()}, {higher} scores {abs(r.gap):.1f} points higher "
            f"than {lower} ({r.mean_a:.1f} against {r.mean_b:.1f} for {name_a} and {name_b}); "
            f"the 95% interval runs from {low:.1f} to {high:.1f} ({sim_low:.1f} to "
            f"{sim_high:.1f} allowing for every dimension compared), a {size} difference."
        )
    return sentences


def pair_summary(
    result: pd.Series,
    gaps: pd.DataFrame,
    *,
    titles: dict[str, str],
    name_a: str,
    name_b: str,
) -> str:
    """Summarise the pair in two or three sentences built from its figures."""
    parts = []
    fit_value = result["fit"]
    strength = (
        "strong" if fit_value >= 70 else "moderate" if fit_value >= 55 else "weak"
    )
    parts.append(
        f"{name_a} and {name_b} have a {strength} overall fit ({fit_value:.0f} of 100)."
    )
    close = gaps.loc[gaps["gap"].abs().idxmin()] if len(gaps) else None
    if close is not None:
        parts.append(
            f"They are closest on {titles[close['dimension']].lower()} "
            f"(gap {close['gap']:+.2f})."
        )
    clear = gaps[gaps["clear"]]
    if len(clear):
        widest = clear.iloc[0]
        higher = name_a if widest["gap"] > 0 else name_b
        parts.append(
            f"The widest clear gap is {titles[widest['dimension']].lower()}, "
            f"where {higher} is {abs(widest['gap']):.1f} points higher."
        )
    else:
        parts.append("No dimension shows a clear gap.")
    ta, tb = result["trust_a_to_b"], result["trust_b_to_a"]
    if pd.notna(ta) and pd.notna(tb) and abs(ta - tb) >= 10:
        more, less = (name_a, name_b) if ta > tb else (name_b, name_a)
        parts.append(
            f"Trust is one-sided: {more} trusts {less} more than the other way round "
            f"({max(ta, tb):.0f} against {min(ta, tb):.0f})."
        )
    if bool(result["perceived_actual_flag"]):
        parts.append(
            "How compatible they feel differs from how similar their answers are by 25 "
            "points or more: worth discussing."
        )
    return " ".join(parts)
