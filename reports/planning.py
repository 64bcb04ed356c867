"""Action planning, read side: focus areas, how last round's have moved, workshop prompts.

Read-only, like the rest of `reports`: focus areas are written by `surveys.services`.
"""

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from django.db.models import F

from reports import fit, narrative, pages
from reports.analysis import (
    SurveyAnalysis,
    analyse_survey,
    analysis_with_fingerprint,
)
from reports.data import previous_round
from reports.figures import Estimate
from reports.page_models import Citation
from surveys.models import (
    MAX_FOCUS_AREAS,
    MIN_FOCUS_AREAS,
    FocusArea,
    Membership,
    Survey,
)
from surveys.workshop_prompts import Prompt, prompts_for

PLANNERS = {Membership.Role.LEAD, Membership.Role.CONSULTANT}

# A pair of organisation keys (the analysis frames' `organisation` values), in page order.
PairKeys = tuple[int, int]
# "Not looked up yet", as opposed to None: "there is no previous round".
UNKNOWN = object()


@dataclass(frozen=True)
class FocusItem:
    """One focus area, ready to show."""

    public_id: str
    dimension: str
    finding: str
    action: str
    owner: str
    due_date: date
    scope: str  # "" for the whole partnership, else "A and B"


@dataclass(frozen=True)
class Progress:
    """How a focus area from the previous round has moved since."""

    sentence: str
    action: str
    owner: str
    scope: str


@dataclass(frozen=True)
class PromptGroup:
    """The discussion questions for one clear gap between two partners."""

    dimension: str
    gap: str
    prompts: tuple[Citation, ...]


def _cited(survey: Survey, prompts: list[Prompt]) -> tuple[Citation, ...]:
    """Each question with its source documents by human title, never by file name."""
    return tuple(
        Citation(text=p.text, sources=tuple(survey.instrument.cite(p.sources)))
        for p in prompts
    )


def _scoped(queryset: Any, pair: PairKeys | None, *, everything: bool) -> Any:
    return queryset if everything else queryset.for_scope(pair=pair)


def _load(
    surveys: list[Survey], *, pair: PairKeys | None, everything: bool
) -> list[FocusArea]:
    queryset = FocusArea.objects.filter(survey__in=surveys).select_related(
        "dimension", "owner", "organisation_a", "organisation_b"
    )
    return list(
        # The partnership's own focus areas first, then each pair's.
        _scoped(queryset, pair, everything=everything).order_by(
            F("organisation_a__name").asc(nulls_first=True),
            "organisation_b__name",
            "due_date",
            "created_at",
        )
    )


def _scope_label(area: FocusArea) -> str:
    if not area.is_pair:
        return ""
    return f"{area.organisation_a.name} and {area.organisation_b.name}"


def _item(area: FocusArea) -> FocusItem:
    return FocusItem(
        public_id=str(area.public_id),
        dimension=area.dimension.title,
        finding=area.finding,
        action=area.action,
        owner=area.owner.name,
        due_date=area.due_date,
        scope=_scope_label(area),
    )


def dimension_mean(frame: pd.DataFrame, **match: Any) -> float | None:
    """Return the unsuppressed mean of the row matching every column given, else None."""
    rows = frame
    for column, value in match.items():
        rows = rows[rows[column] == value]
    if rows.empty:
        return None
    row = rows.iloc[0]
    if "suppressed" in row and bool(row["suppressed"]):
        return None
    mean = row["mean"]
    return None if mean is None or math.isnan(mean) else float(mean)


def _partnership_progress(
    area: FocusArea,
    *,
    title: str,
    earlier: Survey,
    before: SurveyAnalysis,
    now: SurveyAnalysis,
) -> str:
    key = area.dimension.key
    measured = key in set(now.dimensions["dimension"])
    figures = {f.dimension: f for f in pages.partnership_profile(now, before)}
    then = {f.dimension: f for f in pages.partnership_profile(before, None)}
    current = figures.get(key)
    return narrative.focus_progress(
        title=title,
        since=earlier.title,
        before=then[key].mean if key in then else None,
        now=current.mean if current is not None else None,
        change=current.change if current is not None else None,
        threshold=now.threshold,
        measured=measured,
    )


def _cell(analysis: SurveyAnalysis, organisation: int, key: str) -> Any | None:
    """An organisation's shown score on a dimension (mean, se, n), or None."""
    rows = analysis.org_scores[
        (analysis.org_scores["organisation"] == organisation)
        & (analysis.org_scores["dimension"] == key)
    ]
    if rows.empty or bool(rows["suppressed"].iloc[0]):
        return None
    row = rows.iloc[0]
    return None if pd.isna(row["mean"]) else row


def _pair_progress(
    area: FocusArea,
    *,
    title: str,
    earlier: Survey,
    before: SurveyAnalysis,
    now: SurveyAnalysis,
) -> str:
    key = area.dimension.key
    sides = []
    for org in (area.organisation_a, area.organisation_b):
        start, end = _cell(before, org.pk, key), _cell(now, org.pk, key)
        change = None
        if start is not None and end is not None:
            change = pages.change_between(
                end["mean"],
                end["se"],
                end["n"] - 1,
                start["mean"],
                start["se"],
                start["n"] - 1,
            )
        sides.append(
            (
                org.name,
                None
                if start is None
                else Estimate(float(start["mean"]), int(start["n"])),
                None if end is None else Estimate(float(end["mean"]), int(end["n"])),
                change,
            )
        )
    return narrative.pair_focus_progress(
        title=title,
        since=earlier.title,
        sides=sides,
        threshold=now.threshold,
        measured=key in set(now.dimensions["dimension"]),
    )


def _progress_rows(
    areas: list[FocusArea],
    *,
    earlier: Survey,
    before: SurveyAnalysis,
    now: SurveyAnalysis,
) -> list[Progress]:
    titles = dict(
        zip(now.dimensions["dimension"], now.dimensions["title"], strict=True)
    )
    rows = []
    for area in areas:
        title = titles.get(area.dimension.key, area.dimension.title)
        build = _pair_progress if area.is_pair else _partnership_progress
        rows.append(
            Progress(
                sentence=build(
                    area, title=title, earlier=earlier, before=before, now=now
                ),
                action=area.action,
                owner=area.owner.name,
                scope=_scope_label(area),
            )
        )
    return rows


def progress(
    survey: Survey,
    *,
    pair: PairKeys | None = None,
    everything: bool = False,
    earlier: Survey | object | None = UNKNOWN,
) -> tuple[Survey | None, list[Progress]]:
    """Return the previous round and how each of its focus areas has moved since."""
    if earlier is UNKNOWN:
        earlier = previous_round(survey)
    if not isinstance(earlier, Survey):
        return None, []
    areas = _load([earlier], pair=pair, everything=everything)
    if not areas:
        return earlier, []
    return earlier, _progress_rows(
        areas,
        earlier=earlier,
        before=analyse_survey(earlier),
        now=analyse_survey(survey),
    )


def focus_items(
    survey: Survey, *, pair: PairKeys | None = None, everything: bool = False
) -> list[FocusItem]:
    """Return the round's focus areas: the partnership's, one pair's, or all of them."""
    return [_item(a) for a in _load([survey], pair=pair, everything=everything)]


def workshop_prompts(
    survey: Survey, analysis: SurveyAnalysis, pair: PairKeys
) -> list[PromptGroup]:
    """Return two or three discussion questions for each clear gap between the pair."""
    titles = dict(
        zip(analysis.dimensions["dimension"], analysis.dimensions["title"], strict=True)
    )
    groups = []
    for dimension, sentence in analysis.memo(
        ("clear_gaps", pair), lambda: _clear_gaps(analysis, pair, titles)
    ):
        prompts = prompts_for(dimension, instrument_key=survey.instrument.key)
        if prompts:
            groups.append(
                PromptGroup(
                    dimension=titles[dimension],
                    gap=sentence,
                    prompts=_cited(survey, prompts),
                )
            )
    return groups


def _clear_gaps(
    analysis: SurveyAnalysis, pair: PairKeys, titles: dict[str, str]
) -> tuple[tuple[str, str], ...]:
    """Each clear gap between the pair: its dimension and sentence, largest first."""
    a, b = pair
    gaps = fit.dimension_gaps(
        analysis.respondent_scores, a, b, threshold=analysis.threshold
    )
    clear = gaps[gaps["clear"]]
    sentences = pages.gap_sentences(
        clear, titles=titles, name_a=analysis.label(a), name_b=analysis.label(b)
    )
    return tuple(zip(clear["dimension"], sentences, strict=True))


def planning(
    survey: Survey,
    *,
    role: str,
    pair: PairKeys | None = None,
    earlier: Survey | object | None = UNKNOWN,
    with_prompts: bool = False,
    fingerprint: str = "",
) -> dict[str, Any]:
    """Return the action-planning panel of a dashboard page (two to four queries).

    `fingerprint` names the analysis the page shows: its prompts and progress come from
    the same figures, without reading the round's signature a second time.
    """
    if earlier is UNKNOWN:
        earlier = previous_round(survey)
    earlier = earlier if isinstance(earlier, Survey) else None
    areas = _load(
        [survey, earlier] if earlier else [survey], pair=pair, everything=False
    )
    current = [a for a in areas if a.survey_id == survey.pk]
    old = [a for a in areas if earlier is not None and a.survey_id == earlier.pk]
    now = (
        analysis_with_fingerprint(survey, fingerprint) or analyse_survey(survey)
        if old or (with_prompts and pair)
        else None
    )
    moved = (
        _progress_rows(old, earlier=earlier, before=analyse_survey(earlier), now=now)
        if old and earlier is not None and now is not None
        else []
    )
    return {
        "focus_areas": [_item(a) for a in current],
        "can_plan": role in PLANNERS,
        "can_add": role in PLANNERS and len(current) < MAX_FOCUS_AREAS,
        "too_few": 0 < len(current) < MIN_FOCUS_AREAS,
        "max_focus_areas": MAX_FOCUS_AREAS,
        "previous": earlier,
        "progress": moved,
        "prompts": workshop_prompts(survey, now, pair)
        if with_prompts and pair is not None and now is not None
        else [],
    }
