"""Build what each dashboard page shows from a round's analysis (no HTTP, no templates).

Every page is a frozen dataclass of reports.page_models: numbers with their n and
intervals, formatted only by the template filters (reports.templatetags.figures).
"""

import dataclasses
import functools
import math
from collections.abc import Callable
from typing import Any

import pandas as pd
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from reports import charts, fit, narrative, scoring
from reports.analysis import (
    AnalysisPendingError,
    SurveyAnalysis,
    analyse_survey,
    analyse_survey_status,
)
from reports.data import previous_round
from reports.figures import Estimate
from reports.page_models import (
    Alignment,
    AlignmentRow,
    DimensionFigure,
    DimensionRow,
    FitMatrixPage,
    FitRow,
    FitWeight,
    Freshness,
    ItemDontKnow,
    OrganisationPage,
    OrganisationRow,
    OverviewPage,
    PairPage,
    PairResult,
    Partner,
    PerceptionRow,
    ReliabilityRow,
    ResponseCounts,
)
from surveys.models import Survey

TOP_N = 3
# Statements whose "Don't know" share reaches this are listed on the organisation page:
# where people do not know enough to answer, often about their partners.
DONT_KNOW_FINDING_FROM = 0.2
# How the pages name each fit component (settings.FIT_WEIGHTS keys).
FIT_COMPONENT_LABELS = {
    "compatibility": "how compatible partners feel their values are",
    "mutual_trust": "how much they trust each other (the lower of the two directions)",
    "culture_fit": "how alike their culture profiles are",
    "profile_fit": "how alike their readiness profiles are",
}


def _number(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    try:
        return None if pd.isna(value) else float(value)
    except (TypeError, ValueError):
        return None


def fit_weights() -> tuple[FitWeight, ...]:
    """Return the fit components and their shares, from settings.FIT_WEIGHTS, largest first."""
    weights = {k: float(v) for k, v in settings.FIT_WEIGHTS.items() if float(v) > 0}
    total = sum(weights.values())
    return tuple(
        FitWeight(key=key, label=FIT_COMPONENT_LABELS[key], share=value / total)
        for key, value in sorted(weights.items(), key=lambda kv: -kv[1])
    )


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


def _partner(org: Any) -> Partner:
    suppressed = bool(org["suppressed"])
    return Partner(
        organisation=int(org["organisation"]),
        public_id=str(org["public_id"]),
        name=str(org["name"]),
        short_name=str(org["short_name"]),
        sector=str(org["sector_label"]),
        submitted=None if suppressed else int(org["submitted"]),
        suppressed=suppressed,
    )


def _estimate(value: Any, n: Any = 0, low: Any = None, high: Any = None) -> Estimate:
    n_value = _number(n)
    return Estimate(
        value=_number(value),
        n=int(n_value) if n_value is not None else 0,
        low=_number(low),
        high=_number(high),
    )


def change_between(
    now: float | None,
    se_now: float | None,
    df_now: float | None,
    before: float | None,
    se_before: float | None,
    df_before: float | None,
    *,
    n: int = 0,
    level: float = 0.95,
) -> Estimate | None:
    """Return now − before with its Welch 95% interval, or None if either side is missing."""
    values = [_number(v) for v in (now, before)]
    if None in values:
        return None
    spread = [_number(v) for v in (se_now, df_now, se_before, df_before)]
    spread = [math.nan if v is None else v for v in spread]
    change, low, high = scoring.welch_change(
        values[0], spread[0], spread[1], values[1], spread[2], spread[3], level=level
    )
    return _estimate(change, n, low, high)


def response_counts(survey: Survey, analysis: SurveyAnalysis) -> ResponseCounts:
    """Return the round's submitted responses and those its published figures count."""
    orgs = analysis.organisations
    shown = orgs[~orgs["suppressed"]]
    counted = int(orgs["submitted"].sum())
    return ResponseCounts(
        # An analysis cached before submitted_all existed knows only what it counted.
        submitted=max(int(analysis.submitted_all), counted),
        counted=counted,
        published=int(shown["submitted"].sum()),
        organisations=len(orgs),
        organisations_reported=len(shown),
        threshold=analysis.threshold,
        provisional=not survey.has_closed(),
        as_of=timezone.localdate(analysis.computed_at)
        if analysis.computed_at
        else timezone.localdate(),
    )


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


def _memoised[Page](page: Callable[..., Page]) -> Callable[..., Page]:
    """Build a page once per analysis (and previous round's analysis) in each process.

    Pages depend only on the two analyses and their arguments, which callers check first
    (an unknown organisation raises LookupError, and errors are not remembered).
    """

    @functools.wraps(page)
    def wrapper(survey: Survey, *args: str) -> Page:
        analysis, current = analyse_survey_status(survey)
        earlier, before = previous_analysis(survey)
        key = (
            page.__name__,
            args,
            before.fingerprint if before is not None else None,
            tuple(sorted(settings.FIT_WEIGHTS.items())),
        )
        built = analysis.memo(
            key,
            lambda: page(
                survey, *args, analysis=analysis, earlier=earlier, before=before
            ),
        )
        # A new frozen page, so the remembered one never carries another moment's freshness.
        return dataclasses.replace(
            built,
            freshness=_freshness(analysis, current),
            fingerprint=analysis.fingerprint,
        )

    return wrapper


def _freshness(analysis: SurveyAnalysis, current: bool) -> Freshness | None:
    return (
        None
        if current or analysis.computed_at is None
        else Freshness(analysis.computed_at)
    )


def freshness(survey: Survey) -> Freshness | None:
    """Say how old the figures are when the worker is still adding newer responses.

    Every page built by `_memoised` already carries this as its `freshness`.
    """
    return _freshness(*analyse_survey_status(survey))


def _overall_spread(analysis: SurveyAnalysis) -> pd.DataFrame:
    return scoring.respondent_overall(
        analysis.respondent_scores, analysis.org_scores
    ).set_index("organisation")


def _readiness(value: float, spread: pd.DataFrame, oid: int) -> Estimate:
    """Overall readiness (0–100) with a 95% interval from its respondents' spread."""
    if oid not in spread.index:
        return _estimate(value)
    row = spread.loc[oid]
    half = (
        float(scoring.t_quantile(row["df"])) * row["se"] * scoring.READINESS_PER_POINT
    )
    return _estimate(value, row["n"], value - half, value + half)


def _overall_change(
    oid: int, now: SurveyAnalysis, before: SurveyAnalysis | None
) -> Estimate | None:
    """An organisation's overall readiness change (0–100) with its Welch interval."""
    if before is None:
        return None
    then = before.overall.set_index("organisation")
    present = now.overall.set_index("organisation")
    if oid not in then.index or bool(then.at[oid, "suppressed"]):
        return None
    spread_now, spread_then = _overall_spread(now), _overall_spread(before)
    if oid not in spread_now.index or oid not in spread_then.index:
        return None
    per_point = scoring.READINESS_PER_POINT
    return change_between(
        present.at[oid, "readiness"],
        spread_now.at[oid, "se"] * per_point,
        spread_now.at[oid, "df"],
        then.at[oid, "readiness"],
        spread_then.at[oid, "se"] * per_point,
        spread_then.at[oid, "df"],
    )


def _profile_spread(analysis: SurveyAnalysis) -> dict[str, tuple[float, float]]:
    """SE and df of each dimension's partnership mean (organisations are independent)."""
    shown = analysis.org_scores[~analysis.org_scores["suppressed"].astype(bool)]
    return {
        dimension: scoring.mean_of_means_error(group["se"], group["n"] - 1)
        for dimension, group in shown.groupby("dimension")
    }


def partnership_profile(
    analysis: SurveyAnalysis, before: SurveyAnalysis | None, *, level: float = 0.95
) -> tuple[DimensionFigure, ...]:
    """Each dimension's partnership mean (organisations weighted equally), weakest first.

    Changes since `before` carry Welch intervals at `level` (1 − .05/k where a sentence
    picks the largest of k changes, MEASUREMENT §6.1).
    """
    titles = _titles(analysis)
    spread = _profile_spread(analysis)
    then = (
        before.partnership_profile.set_index("dimension")
        if before is not None
        else pd.DataFrame()
    )
    spread_then = _profile_spread(before) if before is not None else {}
    rows = []
    for r in analysis.partnership_profile.sort_values("mean").itertuples():
        se, df = spread.get(r.dimension, (math.nan, math.nan))
        change = None
        if r.dimension in then.index:
            se0, df0 = spread_then.get(r.dimension, (math.nan, math.nan))
            change = change_between(
                r.mean, se, df, then.at[r.dimension, "mean"], se0, df0, level=level
            )
        half = float(scoring.t_quantile(df)) * se if pd.notna(se) else math.nan
        rows.append(
            DimensionFigure(
                dimension=r.dimension,
                title=titles[r.dimension],
                mean=_estimate(r.mean, r.n_orgs, r.mean - half, r.mean + half),
                readiness=_estimate(r.readiness, r.n_orgs),
                band=r.band or "",
                organisations=int(r.n_orgs),
                change=change,
            )
        )
    return tuple(rows)


@_memoised
def overview(
    survey: Survey,
    *,
    analysis: SurveyAnalysis,
    earlier: Survey | None,
    before: SurveyAnalysis | None,
) -> OverviewPage:
    """Return the partnership overview: responses, readiness, heatmap, sectors, reliability."""
    names, titles, k = _names(analysis), _titles(analysis), analysis.threshold
    overall = analysis.overall.merge(
        analysis.organisations[["organisation", "name"]], on="organisation", how="right"
    )
    overall["suppressed"] = overall["suppressed"].fillna(True).astype(bool)
    overall["band"] = overall["mean"].map(
        lambda m: scoring.band_for(m) if pd.notna(m) else ""
    )
    by_org = overall.set_index("organisation")
    spread = _overall_spread(analysis)
    rows = []
    for org in analysis.organisations.itertuples():
        score = by_org.loc[org.organisation]
        hidden = bool(org.suppressed or score["suppressed"])
        rows.append(
            OrganisationRow(
                partner=_partner(org._asdict()),
                readiness=Estimate(None)
                if hidden
                else _readiness(score["readiness"], spread, org.organisation),
                band="" if hidden else score["band"],
                change=None
                if hidden
                else _overall_change(org.organisation, analysis, before),
                suppressed=hidden,
            )
        )
    profile = partnership_profile(analysis, before)
    strongest = tuple(reversed(profile))[:TOP_N]
    reliability = analysis.reliability.merge(analysis.icc, on="dimension", how="left")
    short = _short_names(analysis)
    shown = ~analysis.organisations["suppressed"]
    counted = (
        f"{int(analysis.organisations.loc[shown, 'submitted'].sum())} responses from "
        f"{int(shown.sum())} organisations"
    )
    return OverviewPage(
        counts=response_counts(survey, analysis),
        rows=tuple(rows),
        strengths=strongest,
        barriers=profile[:TOP_N],
        profile=profile,
        strengths_heading=narrative.top_areas_heading(
            [(f.title, f.mean) for f in strongest]
        ),
        barriers_heading=narrative.bottom_areas_heading(
            [(f.title, f.mean) for f in profile[:TOP_N]]
        ),
        reliability_rows=tuple(
            ReliabilityRow(
                title=titles[r.dimension],
                alpha=_number(r.alpha),
                mean_inter_item_r=_number(r.mean_inter_item_r),
                icc1=_number(r.icc1),
                icc2=_number(r.icc2),
            )
            for r in reliability.itertuples()
            if r.dimension in titles
        ),
        previous=earlier,
        charts=(
            charts.readiness_bars(
                overall, threshold=k, short_names=short, n_label=counted
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
        ),
        fit_weights=fit_weights(),
    )


def _org_row(analysis: SurveyAnalysis, public_id: str) -> pd.Series:
    orgs = analysis.organisations
    match = orgs[orgs["public_id"] == public_id]
    if match.empty:
        raise LookupError(public_id)
    return match.iloc[0]


def _dont_know_items(
    analysis: SurveyAnalysis, oid: int, titles: dict[str, str]
) -> tuple[ItemDontKnow, ...]:
    """Statements this organisation's people often could not answer, most first.

    From the answer breakdowns, which hold only shown cells (n ≥ K), so no hidden group's
    answers appear item by item.
    """
    dist = analysis.distributions[analysis.distributions["organisation"] == oid]
    if dist.empty:
        return ()
    answers = dist.groupby("item")["count"].sum()
    dont_know = dist[dist["value"] == "dk"].set_index("item")
    texts = analysis.items.set_index("item")
    rows = [
        ItemDontKnow(
            item=item,
            text=str(texts.at[item, "text"]),
            dimension=titles.get(str(texts.at[item, "dimension"]), ""),
            rate=float(row["share"]),
            answers=int(answers[item]),
        )
        for item, row in dont_know.iterrows()
        if row["share"] >= DONT_KNOW_FINDING_FROM and item in texts.index
    ]
    return tuple(sorted(rows, key=lambda r: (-r.rate, r.item)))


def _alignment(analysis: SurveyAnalysis, oid: int) -> Alignment | None:
    """The alignment items' means for one organisation and the "aligned" rule."""
    if analysis.alignment.empty or analysis.alignment_items.empty:
        return None
    scores = scoring.alignment_scores(
        analysis.alignment[analysis.alignment["organisation"] == oid],
        threshold=analysis.threshold,
    ).set_index("item")
    rows = []
    for item in analysis.alignment_items.itertuples():
        if item.item in scores.index and not bool(scores.at[item.item, "suppressed"]):
            r = scores.loc[item.item]
            mean = _estimate(r["mean"], r["n"], r["ci_low"], r["ci_high"])
        else:
            mean = Estimate(None)
        rows.append(AlignmentRow(item=item.item, text=item.text, mean=mean))
    return Alignment(
        rows=tuple(rows),
        aligned=scoring.is_aligned([r.mean.value for r in rows], items=len(rows)),
        aligned_from=scoring.ALIGNED_FROM,
    )


@_memoised
def organisation(
    survey: Survey,
    public_id: str,
    *,
    analysis: SurveyAnalysis,
    earlier: Survey | None,
    before: SurveyAnalysis | None,
) -> OrganisationPage:
    """Return one organisation's page: profile, answers, agreement, partners' view, culture."""
    org = _org_row(analysis, public_id)
    oid, k = int(org["organisation"]), analysis.threshold
    names, titles = _names(analysis), _titles(analysis)
    partner = _partner(org)
    if partner.suppressed:
        return OrganisationPage(org=partner, suppressed=True)
    # MEASUREMENT §6.5: say when intervals use N, and when an N was ignored.
    population_note = narrative.population_note(
        short_name=str(org["short_name"]),
        asked=_number(org.get("eligible")),
        used=_number(org.get("population")),
        counted=int(org["submitted"]),
    )
    scores = analysis.org_scores[analysis.org_scores["organisation"] == oid]
    agreement = analysis.agreement[analysis.agreement["organisation"] == oid].set_index(
        "dimension"
    )
    dont_know = analysis.dont_know[analysis.dont_know["organisation"] == oid].set_index(
        "dimension"
    )
    then = (
        before.org_scores[before.org_scores["organisation"] == oid].set_index(
            "dimension"
        )
        if before is not None
        else pd.DataFrame(columns=["mean", "se", "n", "suppressed"])
    )

    def change(r: Any) -> Estimate | None:
        if r.suppressed or r.dimension not in then.index:
            return None
        old = then.loc[r.dimension]
        if bool(old["suppressed"]):
            return None
        return change_between(
            r.mean, r.se, r.n - 1, old["mean"], old["se"], old["n"] - 1
        )

    dimension_rows = tuple(
        DimensionRow(
            title=titles[r.dimension],
            suppressed=bool(r.suppressed),
            mean=_estimate(r.mean, r.n, r.ci_low, r.ci_high),
            band=r.band or "",
            uncertain=bool(r.uncertain) if not r.suppressed else False,
            agreement=_number(agreement["rwg_j"].get(r.dimension)),
            divided=bool(agreement["divided"].get(r.dimension, False)),
            dont_know=float(dont_know["dont_know_rate"].get(r.dimension, 0)),
            change=change(r),
        )
        for r in scores.set_index("dimension")
        .reindex(analysis.dimensions["dimension"])
        .reset_index()
        .itertuples()
        if isinstance(r.dimension, str)
    )
    page_charts = [
        charts.radar(
            scores,
            analysis.partnership_profile,
            key="profile",
            dimensions=analysis.dimensions,
            name=str(org["name"]),
            short_name=str(org["short_name"]),
            # "Furthest above/below" picks the largest of k: its interval allows for all k.
            differences=scoring.difference_from_average(
                analysis.org_scores,
                oid,
                level=1 - 0.05 / max(int((~scores["suppressed"]).sum()), 1),
            ),
            n_label=f"{int(org['submitted'])} responses from {org['short_name']}",
        )
    ]
    distribution = analysis.distributions[analysis.distributions["organisation"] == oid]
    scale = survey.instrument.scale
    page_charts.append(
        charts.item_distribution_bars(
            distribution,
            items=analysis.items,
            labels=scale["labels"],
            dont_know=scale["dont_know"],
            n_label=f"{int(org['submitted'])} responses from {org['short_name']}",
        )
    )
    culture = analysis.culture[analysis.culture["organisation"] == oid]
    if len(culture) and not culture["suppressed"].iloc[0]:
        page_charts.append(
            charts.culture_bars(
                culture, names=names, threshold=k, short_names=_short_names(analysis)
            )
        )
    comments = analysis.comments[analysis.comments["organisation"] == oid]
    return OrganisationPage(
        org=partner,
        suppressed=False,
        charts=tuple(page_charts),
        population_note=population_note,
        dimension_rows=dimension_rows,
        dont_know_items=_dont_know_items(analysis, oid, titles),
        dont_know_from=DONT_KNOW_FINDING_FROM,
        alignment=_alignment(analysis, oid),
        has_previous=before is not None,
        previous=earlier,
        perception=_perception_rows(analysis, oid, names),
        comments=tuple(
            (titles.get(dimension, dimension), tuple(group["text"]))
            for dimension, group in comments.groupby("dimension", sort=False)
        ),
    )


def _perception_rows(
    analysis: SurveyAnalysis, oid: int, names: dict[int, str]
) -> tuple[PerceptionRow, ...]:
    """How each partner rates this organisation, beside how it thinks they see it."""
    k = analysis.threshold
    # partner_ratings has already blanked every figure that fewer than K people answered.
    ratings = analysis.ratings.set_index(["organisation", "subject"])

    def figure(rater: int, subject: int, column: str) -> float | None:
        if (rater, subject) not in ratings.index:
            return None
        row = ratings.loc[(rater, subject)]
        if row["n_raters"] < k or pd.isna(row[column]):
            return None
        return float(scoring.to_readiness(row[column]))

    return tuple(
        PerceptionRow(
            partner=names[other.organisation],
            public_id=other.public_id,
            their_trust=None
            if other.suppressed
            else figure(other.organisation, oid, "trust"),
            our_trust=figure(oid, other.organisation, "trust"),
            we_think=figure(oid, other.organisation, "meta"),
        )
        for other in analysis.organisations.itertuples()
        if other.organisation != oid
    )


def fit_matrix(survey: Survey, measure: str) -> FitMatrixPage:
    """Return the fit matrix page for one measure (fit, trust or shape)."""
    return _fit_matrix(survey, measure if measure in charts.FIT_MEASURES else "fit")


def _pairs_with_ids(analysis: SurveyAnalysis) -> pd.DataFrame:
    ids = analysis.organisations[["organisation", "public_id"]]
    return analysis.pairs.merge(
        ids.rename(columns={"organisation": "organisation_a", "public_id": "a_id"}),
        on="organisation_a",
    ).merge(
        ids.rename(columns={"organisation": "organisation_b", "public_id": "b_id"}),
        on="organisation_b",
    )


@_memoised
def _fit_matrix(
    survey: Survey,
    measure: str,
    *,
    analysis: SurveyAnalysis,
    earlier: Survey | None,
    before: SurveyAnalysis | None,
) -> FitMatrixPage:
    names = _names(analysis)
    order = list(analysis.organisations["organisation"])
    column = charts.FIT_MEASURES[measure][1]
    pairs = _pairs_with_ids(analysis)
    # Each unordered pair once, A before B alphabetically, sorted by the chosen measure.
    pairs["name_a"] = pairs["organisation_a"].map(names)
    pairs["name_b"] = pairs["organisation_b"].map(names)
    unordered = pairs[pairs["name_a"] < pairs["name_b"]].sort_values(
        column, ascending=False, na_position="last"
    )
    titles = _titles(analysis)
    rows = tuple(
        FitRow(
            a=r.name_a,
            b=r.name_b,
            url=reverse("reports:pair_detail", args=[survey.public_id, r.a_id, r.b_id]),
            suppressed=bool(r.suppressed),
            fit=_estimate(r.fit, 0, r.fit_ci_low, r.fit_ci_high),
            mutual_trust=_number(r.mutual_trust),
            shape=_number(r.shape_similarity),
            culture=_number(r.culture_fit),
            gap=titles.get(r.largest_gap_dimension, "–")
            if isinstance(r.largest_gap_dimension, str)
            else "–",
            flag=bool(r.perceived_actual_flag) if not r.suppressed else False,
        )
        for r in unordered.itertuples()
    )
    measures = tuple((key, label) for key, (label, _col) in charts.FIT_MEASURES.items())
    return FitMatrixPage(
        cache_key=analysis.fingerprint,
        measure=measure,
        measure_label=charts.FIT_MEASURES[measure][0],
        measures=measures,
        # Table columns in FIT_MEASURES order: fit, mutual trust, shape, culture.
        columns=measures,
        rows=rows,
        charts=(
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
            ),
        ),
        fit_weights=fit_weights(),
        flag_explained=narrative.feel_and_fact_explained(),
    )


def _fit_change(result: pd.Series, earlier: pd.Series) -> Estimate | None:
    """A pair's fit change, its interval from the two rounds' bootstrap intervals."""
    ses = [
        scoring.se_from_interval(row["fit_ci_low"], row["fit_ci_high"])
        for row in (result, earlier)
    ]
    return change_between(
        result["fit"], ses[0], math.inf, earlier["fit"], ses[1], math.inf
    )


@_memoised
def pair(
    survey: Survey,
    a_id: str,
    b_id: str,
    *,
    analysis: SurveyAnalysis,
    earlier: Survey | None,
    before: SurveyAnalysis | None,
) -> PairPage:
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
    if row.empty or bool(row["suppressed"].iloc[0]):
        return PairPage(
            a=_partner(a),
            b=_partner(b),
            suppressed=True,
            fit_weights=fit_weights(),
            previous=earlier,
        )
    result = row.iloc[0]
    fit_change = None
    if before is not None:
        then = before.pairs[
            (before.pairs["organisation_a"] == oa)
            & (before.pairs["organisation_b"] == ob)
        ]
        if len(then) and not bool(then["suppressed"].iloc[0]):
            fit_change = _fit_change(result, then.iloc[0])
    scores = analysis.org_scores
    gaps = fit.dimension_gaps(analysis.respondent_scores, oa, ob, threshold=k)
    page_charts = [
        charts.radar(
            scores[scores["organisation"] == oa],
            analysis.partnership_profile,
            key="pair-profiles",
            dimensions=analysis.dimensions,
            name=short[oa],
            other=scores[scores["organisation"] == ob],
            other_name=short[ob],
            # A − B with the simultaneous interval over the dimensions compared (§6.1).
            differences=gaps.rename(
                columns={
                    "gap": "difference",
                    "sim_ci_low": "low",
                    "sim_ci_high": "high",
                }
            )[["dimension", "difference", "low", "high"]],
        )
    ]
    page_charts.append(
        charts.gap_chart(
            gaps, dimensions=analysis.dimensions, name_a=short[oa], name_b=short[ob]
        )
    )
    culture = analysis.culture[analysis.culture["organisation"].isin([oa, ob])]
    if len(culture):
        page_charts.append(
            charts.culture_bars(culture, names=short, threshold=k, key="pair-culture")
        )
    sides = {
        "titles": titles,
        "name_a": names[oa],
        "name_b": names[ob],
        "n_a": _cell_counts(analysis, oa),
        "n_b": _cell_counts(analysis, ob),
    }
    return PairPage(
        a=_partner(a),
        b=_partner(b),
        suppressed=False,
        fit_weights=fit_weights(),
        charts=tuple(page_charts),
        result=PairResult(
            fit=_estimate(
                result["fit"], 0, result["fit_ci_low"], result["fit_ci_high"]
            ),
            profile_fit=_number(result["profile_fit"]),
            culture_fit=_number(result["culture_fit"]),
            compatibility=_number(result["compatibility"]),
            mutual_trust=_number(result["mutual_trust"]),
            trust_a_to_b=_number(result["trust_a_to_b"]),
            trust_b_to_a=_number(result["trust_b_to_a"]),
            shape_similarity=_number(result["shape_similarity"]),
            shape_note=result.get("shape_similarity_note") or None,
            level_gap=_number(result["level_gap"]),
            elevation=_number(result["elevation"]),
            scatter=_number(result["scatter"]),
            shape=_number(result["shape"]),
            meta_gap_a=_estimate(
                result["meta_gap_a"],
                0,
                result.get("meta_gap_a_low"),
                result.get("meta_gap_a_high"),
            ),
            meta_gap_b=_estimate(
                result["meta_gap_b"],
                0,
                result.get("meta_gap_b_low"),
                result.get("meta_gap_b_high"),
            ),
            flag=bool(result["perceived_actual_flag"]),
        ),
        fit_change=fit_change,
        previous=earlier,
        gap_sentences=tuple(gap_sentences(gaps, **sides)),
        summary=pair_summary(result, gaps, **sides),
    )


def _gap_estimates(
    gaps: pd.DataFrame, n_a: dict[str, int], n_b: dict[str, int]
) -> list[tuple[str, Estimate, Estimate, Estimate, bool]]:
    """Each dimension's (dimension, mean A, mean B, gap with its simultaneous interval, clear)."""
    return [
        (
            r.dimension,
            _estimate(r.mean_a, n_a.get(r.dimension, 0)),
            _estimate(r.mean_b, n_b.get(r.dimension, 0)),
            _estimate(r.gap, 0, r.sim_ci_low, r.sim_ci_high),
            bool(r.clear),
        )
        for r in gaps.itertuples()
    ]


def _cell_counts(analysis: SurveyAnalysis, organisation: int) -> dict[str, int]:
    scores = analysis.org_scores[analysis.org_scores["organisation"] == organisation]
    return {r.dimension: int(r.n) for r in scores.itertuples() if pd.notna(r.n)}


def gap_sentences(
    gaps: pd.DataFrame,
    *,
    titles: dict[str, str],
    name_a: str,
    name_b: str,
    n_a: dict[str, int] | None = None,
    n_b: dict[str, int] | None = None,
) -> list[str]:
    """Return a plain-English sentence for each clear gap, largest first (reports.narrative)."""
    return [
        narrative.pair_gap(
            dimension=titles[dimension],
            name_a=name_a,
            mean_a=mean_a,
            name_b=name_b,
            mean_b=mean_b,
            gap=gap,
        )
        for dimension, mean_a, mean_b, gap, clear in _gap_estimates(
            gaps, n_a or {}, n_b or {}
        )
        if clear
    ]


def pair_summary(
    result: pd.Series,
    gaps: pd.DataFrame,
    *,
    titles: dict[str, str],
    name_a: str,
    name_b: str,
    n_a: dict[str, int] | None = None,
    n_b: dict[str, int] | None = None,
) -> str:
    """Summarise the pair in a few sentences built from its figures (reports.narrative)."""
    parts = [
        narrative.overall_fit(
            name_a=name_a,
            name_b=name_b,
            fit=_estimate(
                result["fit"], 0, result["fit_ci_low"], result["fit_ci_high"]
            ),
        )
    ]
    estimates = _gap_estimates(gaps, n_a or {}, n_b or {})
    if estimates:
        # Gaps come largest first; the widest clear one, if any, leads.
        clear = [e for e in estimates if e[4]]
        dimension, mean_a, mean_b, gap, _clear = clear[0] if clear else estimates[0]
        parts.append(
            narrative.widest_gap(
                dimension=titles[dimension],
                name_a=name_a,
                mean_a=mean_a,
                name_b=name_b,
                mean_b=mean_b,
                gap=gap,
            )
        )
    ta, tb = _number(result["trust_a_to_b"]), _number(result["trust_b_to_a"])
    if ta is not None and tb is not None:
        parts.append(
            narrative.trust_direction(
                name_a=name_a,
                trust_a_to_b=Estimate(ta),
                name_b=name_b,
                trust_b_to_a=Estimate(tb),
                difference=_estimate(
                    result.get("asymmetry"),
                    0,
                    result.get("asymmetry_low"),
                    result.get("asymmetry_high"),
                ),
            )
        )
    if bool(result["perceived_actual_flag"]):
        actual = [
            v
            for v in (_number(result["profile_fit"]), _number(result["culture_fit"]))
            if v is not None
        ]
        felt = _number(result["compatibility"])
        if felt is not None and actual:
            parts.append(
                narrative.feel_and_fact(
                    name_a=name_a,
                    name_b=name_b,
                    felt=felt,
                    actual=sum(actual) / len(actual),
                    difference=_estimate(
                        result.get("perceived_actual"),
                        0,
                        result.get("perceived_actual_low"),
                        result.get("perceived_actual_high"),
                    ),
                )
            )
    return " ".join(parts)
