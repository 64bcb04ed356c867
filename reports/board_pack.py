"""The board reports' contents: the dashboards' pages plus focus areas and prompts."""

from typing import Any

from reports import pages
from reports.analysis import SurveyAnalysis, analyse_survey
from reports.planning import dimension_mean, focus_items, progress, workshop_prompts
from surveys.models import Survey


def _sector_table(
    analysis: SurveyAnalysis, titles: dict[str, str]
) -> tuple[list[str], list[list[str]]]:
    """Dimension × sector-group means; suppressed groups say so instead of a figure."""
    scores = analysis.sector_scores
    groups = sorted(scores["sector_group"].unique())
    k = analysis.threshold
    rows = []
    for dimension in analysis.dimensions["dimension"]:
        cells = []
        for group in groups:
            value = dimension_mean(scores, sector_group=group, dimension=dimension)
            cells.append(f"fewer than {k}" if value is None else f"{value:.2f}")
        rows.append([titles[dimension], *cells])
    return groups, rows


def _profile_rows(
    analysis: SurveyAnalysis, before: SurveyAnalysis | None, titles: dict[str, str]
) -> list[dict[str, Any]]:
    """The partnership's mean on each dimension, weakest first, with change since before."""
    rows = []
    for r in analysis.partnership_profile.sort_values("mean").itertuples():
        earlier = (
            dimension_mean(before.partnership_profile, dimension=r.dimension)
            if before is not None
            else None
        )
        rows.append(
            {
                "title": titles[r.dimension],
                "mean": f"{r.mean:.2f}",
                "readiness": f"{r.readiness:.0f}",
                "band": r.band,
                "n_orgs": int(r.n_orgs),
                "change": f"{r.mean - earlier:+.2f}" if earlier is not None else "",
            }
        )
    return rows


def _summary_sentences(
    overview: dict[str, Any],
    fit_rows: list[dict[str, Any]],
    profile: list[dict[str, Any]],
    *,
    before: SurveyAnalysis | None,
    earlier: Survey | None,
) -> list[str]:
    """Three to five plain-English sentences from the report's own figures."""
    analysis: SurveyAnalysis = overview["analysis"]
    k = analysis.threshold
    rows = overview["rows"]
    shown = [r for r in rows if not r.suppressed]
    hidden = [r.name for r in rows if r.suppressed]
    sentences = [
        f"{overview['submitted_total']} people from {len(shown)} of {len(rows)} "
        "organisations are reported"
        + (
            f"; {', '.join(hidden)} had fewer than {k} responses and "
            f"{'is' if len(hidden) == 1 else 'are'} left out of every figure."
            if hidden
            else "."
        )
    ]
    if profile:
        weakest, strongest = profile[0], profile[-1]
        sentences.append(
            f"The partnership is strongest on {strongest['title'].lower()} "
            f"({strongest['mean']}, {strongest['band']}) and weakest on "
            f"{weakest['title'].lower()} ({weakest['mean']}, {weakest['band']})."
        )
    if shown:
        ranked = sorted(shown, key=lambda r: float(r.readiness))
        sentences.append(
            f"Overall readiness runs from {ranked[0].readiness} ({ranked[0].name}) to "
            f"{ranked[-1].readiness} ({ranked[-1].name}) on a scale of 0 to 100."
        )
    pairs = [r for r in fit_rows if not r["suppressed"]]
    if len(pairs) >= 2:
        best, worst = pairs[0], pairs[-1]
        sentences.append(
            f"Cultural fit is highest between {best['a']} and {best['b']} ({best['fit']}) "
            f"and lowest between {worst['a']} and {worst['b']} ({worst['fit']})."
        )
    if before is not None and earlier is not None:
        changed = [p for p in profile if p["change"]]
        if changed:
            biggest = max(changed, key=lambda p: abs(float(p["change"])))
            step = float(biggest["change"])
            sentences.append(
                f"Since {earlier.title}, {biggest['title'].lower()} has "
                f"{'risen' if step > 0 else 'fallen'} most, by {abs(step):.2f} to "
                f"{biggest['mean']}."
            )
    return sentences[:5]


def partnership_report(survey: Survey) -> dict[str, Any]:
    """Return everything the partnership board report shows, from the dashboards' pages."""
    overview = pages.overview(survey)
    fit_page = pages.fit_matrix(survey, "fit")
    analysis: SurveyAnalysis = overview["analysis"]
    earlier = overview["previous"]
    before = analyse_survey(earlier) if earlier is not None else None
    titles = dict(
        zip(analysis.dimensions["dimension"], analysis.dimensions["title"], strict=True)
    )
    readiness_chart, heatmap, sectors = overview["charts"]
    fit_chart = fit_page["charts"][0]
    profile = _profile_rows(analysis, before, titles)
    fit_rows = fit_page["rows"]
    shown_pairs = [r for r in fit_rows if not r["suppressed"]]
    sector_groups, sector_rows = _sector_table(analysis, titles)
    shown = [r for r in overview["rows"] if not r.suppressed]
    previous, moved = progress(survey, everything=True, earlier=earlier)
    return {
        **overview,
        "survey": survey,
        "partnership": survey.partnership,
        "instrument": survey.instrument,
        "figures": {
            "readiness": readiness_chart,
            "sectors": sectors,
            "heatmap": heatmap,
            "fit": fit_chart,
        },
        "organisations_reported": len(shown),
        "average_readiness": (
            f"{sum(float(r.readiness) for r in shown) / len(shown):.0f}"
            if shown
            else "–"
        ),
        "pairs_reported": len(shown_pairs),
        "pairs_total": len(fit_rows),
        "best_pairs": shown_pairs[:3],
        "worst_pairs": shown_pairs[::-1][:3] if len(shown_pairs) > 3 else [],
        "profile": profile,
        "sector_groups": sector_groups,
        "sector_rows": sector_rows,
        "sentences": _summary_sentences(
            overview, fit_rows, profile, before=before, earlier=earlier
        ),
        "focus_areas": focus_items(survey, everything=True),
        "progress_round": previous,
        "progress": moved,
        "dimension_count": len(analysis.dimensions),
    }


def pair_report(survey: Survey, a_id: str, b_id: str) -> dict[str, Any]:
    """Return everything a pair's board report shows (LookupError for an unknown pair)."""
    context = pages.pair(survey, a_id, b_id)
    analysis = analyse_survey(survey)
    a, b = context["a"], context["b"]
    keys = (int(a["organisation"]), int(b["organisation"]))
    k = analysis.threshold
    previous, moved = progress(survey, pair=keys)
    if context.get("fit_change") in {"+0", "-0"}:
        context["fit_change"] = "no change"
    charts_by_key = {chart.key: chart for chart in context["charts"]}
    report = {
        **context,
        "survey": survey,
        "partnership": survey.partnership,
        "figures": {
            name: charts_by_key[key]
            for name, key in (
                ("profiles", "pair-profiles"),
                ("gaps", "gaps"),
                ("culture", "pair-culture"),
            )
            if key in charts_by_key
        },
        "responses": [
            (
                org["name"],
                f"Fewer than {k}" if bool(org["suppressed"]) else str(org["submitted"]),
            )
            for org in (a, b)
        ],
        "focus_areas": focus_items(survey, pair=keys),
        "progress_round": previous,
        "progress": moved,
        "prompts": [],
    }
    if not context["suppressed"]:
        report["prompts"] = workshop_prompts(survey, analysis, keys)
    return report
