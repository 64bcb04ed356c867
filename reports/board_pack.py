"""The board reports' contents: the dashboards' own page models plus focus areas and prompts."""

from typing import Any

from reports import narrative, pages
from reports.analysis import SurveyAnalysis, analyse_survey
from reports.page_models import (
    DimensionFigure,
    FitRow,
    OrganisationRow,
    OverviewPage,
    SectorTable,
    as_context,
)
from reports.planning import dimension_mean, focus_items, progress, workshop_prompts
from surveys.models import Survey


def sector_table(analysis: SurveyAnalysis) -> SectorTable:
    """Dimension × sector-group means; None where a group has fewer than K responses."""
    scores = analysis.sector_scores
    groups = tuple(sorted(scores["sector_group"].unique()))
    titles = dict(
        zip(analysis.dimensions["dimension"], analysis.dimensions["title"], strict=True)
    )
    return SectorTable(
        groups=groups,
        rows=tuple(
            (
                titles[dimension],
                tuple(
                    dimension_mean(scores, sector_group=group, dimension=dimension)
                    for group in groups
                ),
            )
            for dimension in analysis.dimensions["dimension"]
        ),
    )


def average_readiness(rows: tuple[OrganisationRow, ...]) -> float | None:
    """The mean overall readiness (0–100) of the organisations shown, from the numbers."""
    values = [r.readiness.value for r in rows if not r.suppressed and r.readiness.known]
    return sum(values) / len(values) if values else None


def _summary_sentences(
    overview: OverviewPage,
    fit_rows: tuple[FitRow, ...],
    profile: tuple[DimensionFigure, ...],
    *,
    earlier: Survey | None,
    adjusted_changes: tuple[DimensionFigure, ...],
) -> list[str]:
    """Three to five plain-English sentences from the report's own figures (reports.narrative)."""
    rows = overview.rows
    shown = [r for r in rows if not r.suppressed]
    sentences = [
        narrative.reported(
            people=overview.counts.published,
            shown=len(shown),
            total=len(rows),
            hidden=[r.name for r in rows if r.suppressed],
            threshold=overview.counts.threshold,
        )
    ]
    known = [p for p in profile if p.mean.known]
    if len(known) >= 2:
        weakest, strongest = known[0], known[-1]
        sentences.append(
            narrative.highest_and_lowest(
                high=(strongest.title, strongest.mean),
                low=(weakest.title, weakest.mean),
                difference=narrative.apart(strongest.mean, weakest.mean),
            )
        )
    ranked = sorted(
        (r for r in shown if r.readiness.known), key=lambda r: r.readiness.value
    )
    if len(ranked) >= 2:
        low, high = ranked[0], ranked[-1]
        sentences.append(
            narrative.value_range(
                measure="overall readiness",
                low_name=low.name,
                low=low.readiness,
                high_name=high.name,
                high=high.readiness,
                difference=narrative.apart(high.readiness, low.readiness),
            )
        )
    pairs = [r for r in fit_rows if not r.suppressed and r.fit.known]
    if len(pairs) >= 2:
        best, worst = pairs[0], pairs[-1]
        sentences.append(
            narrative.value_range(
                measure="cultural fit between partners",
                low_name=f"{worst.a} and {worst.b}",
                low=worst.fit,
                high_name=f"{best.a} and {best.b}",
                high=best.fit,
                difference=narrative.apart(best.fit, worst.fit),
            )
        )
    if earlier is not None:
        changed = [
            p for p in adjusted_changes if p.change is not None and p.change.known
        ]
        if changed:
            biggest = max(changed, key=lambda p: abs(p.change.value))
            sentences.append(
                narrative.largest_change(
                    dimension=biggest.title,
                    now=biggest.mean.value,
                    change=biggest.change,
                    since=earlier.title,
                )
            )
    return sentences[:5]


def partnership_report(survey: Survey, *, exact_counts: bool = False) -> dict[str, Any]:
    """Return everything the partnership board report shows, from the dashboards' pages.

    `exact_counts` is False for consultants, who see no counts of people below K.
    """
    overview = pages.overview(survey)
    fit_page = pages.fit_matrix(survey, "fit")
    analysis = analyse_survey(survey)
    earlier = overview.previous
    before = pages.previous_analysis(survey)[1] if earlier is not None else None
    readiness_chart, heatmap, sectors = overview.charts
    profile = overview.profile
    shown_pairs = tuple(r for r in fit_page.rows if not r.suppressed)
    previous, moved = progress(survey, everything=True, earlier=earlier)
    return {
        **as_context(overview),
        "overview": overview,
        "survey": survey,
        "partnership": survey.partnership,
        "instrument": survey.instrument,
        "exact_counts": exact_counts,
        "figures": {
            "readiness": readiness_chart,
            "sectors": sectors,
            "heatmap": heatmap,
            "fit": fit_page.charts[0],
        },
        "average_readiness": average_readiness(overview.rows),
        "hidden_names": tuple(r.name for r in overview.rows if r.suppressed),
        "pairs_reported": len(shown_pairs),
        "pairs_total": len(fit_page.rows),
        "best_pairs": shown_pairs[:3],
        "worst_pairs": shown_pairs[::-1][:3] if len(shown_pairs) > 3 else (),
        "profile": profile,
        "sectors": sector_table(analysis),
        "sentences": _summary_sentences(
            overview,
            fit_page.rows,
            profile,
            earlier=earlier,
            # The largest of k changes: its interval allows for all k (MEASUREMENT §6.1).
            adjusted_changes=pages.partnership_profile(
                analysis, before, level=1 - 0.05 / max(len(profile), 1)
            ),
        ),
        "focus_areas": focus_items(survey, everything=True),
        "progress_round": previous,
        "progress": moved,
        "dimension_count": len(analysis.dimensions),
    }


def pair_report(
    survey: Survey, a_id: str, b_id: str, *, exact_counts: bool = False
) -> dict[str, Any]:
    """Return everything a pair's board report shows (LookupError for an unknown pair)."""
    page = pages.pair(survey, a_id, b_id)
    analysis = analyse_survey(survey)
    keys = (page.a.organisation, page.b.organisation)
    previous, moved = progress(survey, pair=keys)
    charts_by_key = {chart.key: chart for chart in page.charts}
    return {
        **as_context(page),
        "survey": survey,
        "partnership": survey.partnership,
        "counts": pages.response_counts(survey, analysis),
        "exact_counts": exact_counts,
        "figures": {
            name: charts_by_key[key]
            for name, key in (
                ("profiles", "pair-profiles"),
                ("gaps", "gaps"),
                ("culture", "pair-culture"),
            )
            if key in charts_by_key
        },
        "responses": (page.a, page.b),
        "focus_areas": focus_items(survey, pair=keys),
        "progress_round": previous,
        "progress": moved,
        "prompts": () if page.suppressed else workshop_prompts(survey, analysis, keys),
    }
