"""Everything the dashboards show for one survey round, computed once and cached."""

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd
from django.conf import settings
from django.core.cache import caches
from django.db.models import Count, Max, Q
from django.utils import timezone

from reports import columns as c
from reports import data, fit, grouping, scoring
from surveys.models import Organisation, Sector, Survey
from surveys.tracking import with_eligible

# Keys name the exact submissions an analysis holds, so it never goes stale: keep it a week.
CACHE_SECONDS = 7 * 24 * 60 * 60
CACHE_ALIAS = "reports"
# A refresh request lapses after this long, in case the worker that took it died.
REFRESH_SECONDS = 10 * 60
# A worker rebuilds at most this many times in a row while submissions keep arriving.
REFRESH_ROUNDS = 3
# Analyses this process keeps unpickled, most recently used last (a few MB each).
LOCAL_ROUNDS = 16
# Pages each analysis remembers (an overview, organisation, fit and pair pages).
MEMO_PAGES = 200

# Sector groups for "readiness by sector": the comparisons partnerships ask about.
SECTOR_GROUPS = {
    Sector.NHS_ACUTE: "NHS providers and ICB",
    Sector.NHS_COMMUNITY: "NHS providers and ICB",
    Sector.ICB: "NHS providers and ICB",
    Sector.PRIMARY_CARE: "Primary care",
    Sector.LOCAL_AUTHORITY: "Local government",
    Sector.VCSE: "Voluntary sector and housing",
    Sector.SOCIAL_ENTERPRISE: "Voluntary sector and housing",
    Sector.HOUSING: "Voluntary sector and housing",
    Sector.OTHER: "Other",
}


@dataclass
class SurveyAnalysis:
    """The scored frames behind every dashboard page of one round."""

    threshold: int
    # + suppressed, sector_group, sector_label; eligible (N as recorded, NaN unknown),
    # population (N where used: known and >= submitted) and response_rate.
    organisations: pd.DataFrame
    items: pd.DataFrame
    dimensions: pd.DataFrame  # dimension, title, order
    answers: pd.DataFrame
    respondent_scores: pd.DataFrame
    org_scores: pd.DataFrame
    overall: pd.DataFrame
    partnership_profile: pd.DataFrame  # dimension, mean, readiness, band, n_orgs
    sector_scores: pd.DataFrame
    agreement: pd.DataFrame
    dont_know: pd.DataFrame
    item_dont_know: pd.DataFrame
    reliability: pd.DataFrame
    icc: pd.DataFrame
    distributions: pd.DataFrame
    culture: pd.DataFrame
    ratings: pd.DataFrame
    pairs: pd.DataFrame
    comments: pd.DataFrame
    alignment: pd.DataFrame = field(default_factory=pd.DataFrame)
    fingerprint: str = ""
    computed_at: datetime | None = None
    _memo: dict = field(default_factory=dict, repr=False, compare=False)

    def memo(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """Return what `build` makes of this analysis, built once per process."""
        if key not in self._memo:
            if len(self._memo) >= MEMO_PAGES:
                # Someone walking every pair page: forget the oldest page built.
                self._memo.pop(next(iter(self._memo)))
            self._memo[key] = build()
        return self._memo[key]

    def __getstate__(self) -> dict:
        # Page memos stay in the process that built them; the shared cache gets the frames.
        return {**self.__dict__, "_memo": {}}

    def visible_organisations(self) -> pd.DataFrame:
        return self.organisations[~self.organisations["suppressed"]]

    def label(self, organisation: int) -> str:
        return str(
            self.organisations.set_index("organisation").at[organisation, "name"]
        )


@dataclass(frozen=True)
class Signature:
    """What an analysis depends on: the round's shape, and its submissions on top."""

    structure: str  # round, threshold and partners: a stale analysis must match it
    fingerprint: str  # structure plus the submitted responses
    submitted: int


def _signature(survey: Survey) -> Signature:
    """Read the round's signature: two small queries (the partners, the submissions)."""
    # A renamed, added or removed partner, a new threshold, or the release of an at-close
    # round's figures (surveys.counting) changes every page.
    # Each partner's N (MEASUREMENT §6.5) comes with it: a new N changes the intervals,
    # but not who may see what, so it is part of the fingerprint and not the structure.
    rows = sorted(
        with_eligible(
            Organisation.objects.filter(partnerships=survey.partnership_id),
            survey=survey,
        ).values_list("pk", "updated_at", "eligible")
    )
    members = [(pk, updated_at) for pk, updated_at, _eligible in rows]
    eligible = [n for _pk, _updated_at, n in rows]
    stats = survey.responses.aggregate(
        n=Count("pk", filter=Q(submitted_at__isnull=False)), last=Max("submitted_at")
    )
    structure = (
        f"{survey.pk}:{survey.anonymity_threshold}:{survey.release_rule}:"
        f"{survey.release_moment()}:{members}"
    )
    raw = f"{structure}:{stats['n']}:{stats['last']}:{eligible}"
    return Signature(
        structure=hashlib.sha256(structure.encode()).hexdigest()[:32],
        fingerprint=hashlib.sha256(raw.encode()).hexdigest()[:32],
        submitted=stats["n"],
    )


def _partnership_profile(org_scores: pd.DataFrame) -> pd.DataFrame:
    """Mean of the unsuppressed organisations' dimension means (each organisation counts once)."""
    shown = org_scores[~org_scores["suppressed"]]
    profile = shown.groupby("dimension", as_index=False).agg(
        mean=("mean", "mean"), n_orgs=("organisation", "nunique")
    )
    return profile.assign(
        readiness=lambda d: 25 * (d["mean"] - 1),
        band=lambda d: d["mean"].map(scoring.band_for),
    )


def _sector_scores(
    shown_scores: pd.DataFrame, organisations: pd.DataFrame, threshold: int
) -> pd.DataFrame:
    """Score each sector group from respondent scores in shown cells only."""
    groups = organisations[["organisation", "sector_group"]]
    grouped = shown_scores.merge(groups, on="organisation").drop(columns="organisation")
    grouped = grouped.rename(columns={"sector_group": "organisation"})
    # No population: a sector group pools organisations, each a sample of its own board,
    # so no single N describes it and f stays 1 (wider, never falsely narrow, intervals).
    return scoring.organisation_scores(grouped, threshold=threshold).rename(
        columns={"organisation": "sector_group"}
    )


def _in_shown_cells(frame: pd.DataFrame, org_scores: pd.DataFrame) -> pd.DataFrame:
    """Keep only rows whose organisation × dimension cell is shown (n ≥ K).

    Every pooled figure (sector groups, reliability, answer distributions) is built from
    these rows, so that no hidden cell can be recovered by subtracting shown figures.
    """
    shown = org_scores.loc[~org_scores["suppressed"], ["organisation", "dimension"]]
    return frame.merge(shown, on=["organisation", "dimension"])


def _grouped_partner_answers(
    partner_answers: pd.DataFrame, *, order: pd.DataFrame, threshold: int
) -> pd.DataFrame:
    """Keep, per rater organisation and partner, whole groups of K of each figure's raters.

    First the raters themselves (P0 above 1: "I know how B works"), then, among them,
    those behind trust (P1–P3), values (P4) and the meta-perception (P6).
    """
    pair = [c.ORGANISATION, c.SUBJECT]
    raters = grouping.whole_groups(
        partner_answers,
        figure=pair,
        order=order,
        threshold=threshold,
        contributes=(partner_answers[c.ITEM] == c.FAMILIARITY_ITEM)
        & partner_answers[c.VALUE].gt(1),
    )
    return grouping.whole_groups_by_family(
        raters,
        figure=pair,
        families={
            "trust": (c.TRUST_ITEMS, "answered"),
            "values": ([c.COMPATIBILITY_ITEM], "answered"),
            "meta": ([c.META_ITEM], "answered"),
            "others": ([c.FAMILIARITY_ITEM, c.POWER_ITEM], "kept"),
        },
        order=order,
        threshold=threshold,
    )


def build_analysis(survey: Survey) -> SurveyAnalysis:
    """Load the round's answers and compute every dashboard figure."""
    threshold = survey.anonymity_threshold
    organisations = data.load_organisations(survey)
    organisations["suppressed"] = organisations["submitted"] < threshold
    organisations["sector_group"] = organisations["sector"].map(SECTOR_GROUPS)
    organisations["sector_label"] = organisations["sector"].map(dict(Sector.choices))
    items = data.load_items(survey)
    dimensions = (
        items[["dimension", "dimension_title", "dimension_order"]]
        .drop_duplicates()
        .rename(columns={"dimension_title": "title", "dimension_order": "order"})
        .sort_values("order")
        .reset_index(drop=True)
    )
    # N (MEASUREMENT §6.5) narrows an organisation's intervals only where it is at
    # least the responses counted; `eligible` stays as recorded, `population` is what is used.
    organisations["population"] = scoring.usable_population(
        organisations["eligible"], organisations["submitted"]
    )
    organisations["response_rate"] = scoring.response_rates(
        organisations["eligible"], organisations["submitted"]
    )
    # Every figure counts its own contributors in whole groups of K, as the round counts
    # responses (reports.grouping): no figure can move by fewer people than that.
    order = data.load_release_order(survey)
    answers = scoring.score_answers(data.load_answers(survey))
    resp_scores = grouping.whole_groups(
        scoring.respondent_scores(answers, items),
        figure=["organisation", "dimension"],
        order=order,
        threshold=threshold,
    )
    org_scores = scoring.organisation_scores(
        resp_scores,
        threshold=threshold,
        population=organisations.set_index("organisation")["population"],
    )
    overall = scoring.overall_readiness(org_scores)
    shown_scores = _in_shown_cells(resp_scores, org_scores)
    # Item-level figures (answer breakdowns, agreement, reliability) come from the answers
    # of each cell's counted scorers only: a response held back from a dimension's score
    # must not show up item by item in that dimension.
    cell_answers = answers.merge(
        resp_scores[["response_id", "dimension"]].drop_duplicates(),
        on=["response_id", "dimension"],
    )
    shown_answers = _in_shown_cells(cell_answers, org_scores)
    profile_points = grouping.whole_groups(
        data.load_profile_points(survey),
        figure=["organisation"],
        order=order,
        threshold=threshold,
    )
    partner_answers = _grouped_partner_answers(
        data.load_partner_answers(survey), order=order, threshold=threshold
    )
    culture = fit.culture_profiles(profile_points, threshold=threshold)
    ratings = fit.partner_ratings(partner_answers, threshold=threshold)
    # The raw frames let the bootstrap resample respondents for every fit component.
    pairs = fit.pairwise_fit(
        resp_scores=resp_scores,
        org_scores=org_scores,
        culture=culture,
        ratings=ratings,
        threshold=threshold,
        profile_points=profile_points,
        partner_answers=partner_answers,
    )
    alignment = data.load_alignment(survey)
    return SurveyAnalysis(
        threshold=threshold,
        organisations=organisations,
        items=items,
        dimensions=dimensions,
        answers=answers,
        respondent_scores=resp_scores,
        org_scores=org_scores,
        overall=overall,
        partnership_profile=_partnership_profile(org_scores),
        sector_scores=_sector_scores(shown_scores, organisations, threshold),
        agreement=scoring.agreement(cell_answers, items),
        dont_know=scoring.dont_know_rates(answers),
        item_dont_know=scoring.item_dont_know_rates(answers),
        reliability=scoring.cronbach_alpha(shown_answers, items),
        icc=scoring.icc(shown_scores),
        distributions=scoring.item_distribution(shown_answers),
        culture=culture,
        ratings=ratings,
        pairs=pairs,
        comments=data.load_comments(survey, order),
        alignment=grouping.whole_groups(
            alignment,
            figure=["organisation", "item"],
            order=order,
            threshold=threshold,
            contributes=alignment["value"].notna(),
        ),
    )


class _LocalAnalyses:
    """A small per-process LRU of analyses, so a warm page never unpickles one."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.lock = threading.Lock()
        self.items: OrderedDict[int, SurveyAnalysis] = OrderedDict()

    def get(self, survey_pk: int, fingerprint: str) -> SurveyAnalysis | None:
        with self.lock:
            analysis = self.items.get(survey_pk)
            if analysis is None or analysis.fingerprint != fingerprint:
                return None
            self.items.move_to_end(survey_pk)
            return analysis

    def put(self, survey_pk: int, analysis: SurveyAnalysis) -> None:
        with self.lock:
            self.items[survey_pk] = analysis
            self.items.move_to_end(survey_pk)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


local_analyses = _LocalAnalyses(LOCAL_ROUNDS)


def forget_analyses() -> None:
    """Drop every cached analysis, in this process and in the shared cache."""
    local_analyses.clear()
    caches[CACHE_ALIAS].clear()


class AnalysisPendingError(Exception):
    """A big round's analysis is being built by the task worker; ask again shortly."""


def _analysis_key(fingerprint: str) -> str:
    return f"reports:analysis:{fingerprint}"


def _latest_key(structure: str) -> str:
    return f"reports:latest:{structure}"


def _refreshing_key(survey_pk: int) -> str:
    return f"reports:refreshing:{survey_pk}"


def _cached(survey: Survey, fingerprint: str) -> SurveyAnalysis | None:
    analysis = local_analyses.get(survey.pk, fingerprint)
    if analysis is None:
        analysis = caches[CACHE_ALIAS].get(_analysis_key(fingerprint))
        if analysis is not None:
            local_analyses.put(survey.pk, analysis)
    return analysis


def _build_and_store(survey: Survey, signature: Signature) -> SurveyAnalysis:
    analysis = build_analysis(survey)
    analysis.fingerprint = signature.fingerprint
    analysis.computed_at = timezone.now()
    cache = caches[CACHE_ALIAS]
    cache.set(_analysis_key(signature.fingerprint), analysis, CACHE_SECONDS)
    cache.set(_latest_key(signature.structure), signature.fingerprint, CACHE_SECONDS)
    local_analyses.put(survey.pk, analysis)
    return analysis


def analyse_survey(survey: Survey, *, fresh: bool = False) -> SurveyAnalysis:
    """Return the round's analysis (see analyse_survey_status)."""
    return analyse_survey_status(survey, fresh=fresh)[0]


def analyse_survey_status(
    survey: Survey, *, fresh: bool = False
) -> tuple[SurveyAnalysis, bool]:
    """Return the round's analysis, recomputed only when its submitted responses change.

    Three levels: this process's unpickled copy, the shared `reports` cache (every
    worker's, when REPORTS_CACHE_URL names a shared backend) and, failing both, a build.
    While the task worker is already bringing a live round up to date (see
    request_refresh), dashboards get the latest analysis of the same round, threshold
    and partners rather than waiting for a second build; `fresh` never does. A round
    with more than REPORTS_SYNC_BUILD_LIMIT submitted responses and nothing cached is
    handed to the worker (AnalysisPendingError) rather than built in the request. The flag
    says whether the analysis includes every response submitted so far.
    """
    signature = _signature(survey)
    analysis = _cached(survey, signature.fingerprint)
    if analysis is not None:
        return analysis, True
    cache = caches[CACHE_ALIAS]
    if fresh:
        return _build_and_store(survey, signature), True
    if cache.get(_refreshing_key(survey.pk)):
        stale = _latest(survey, signature)
        if stale is not None:
            return stale, False
    if signature.submitted > settings.REPORTS_SYNC_BUILD_LIMIT:
        # Too big to build inside a request: the worker builds it; meanwhile the latest
        # figures if there are any, else the page says the results are being prepared.
        request_refresh(survey.pk)
        analysis = _cached(survey, signature.fingerprint)  # an immediate backend's
        if analysis is not None:
            return analysis, True
        stale = _latest(survey, signature)
        if stale is None:
            raise AnalysisPendingError(survey.pk)
        return stale, False
    return _build_and_store(survey, signature), True


def _latest(survey: Survey, signature: Signature) -> SurveyAnalysis | None:
    """Return the latest analysis of the same round, threshold and partners, if cached."""
    latest = caches[CACHE_ALIAS].get(_latest_key(signature.structure))
    return _cached(survey, latest) if latest else None


def analysis_is_current(survey: Survey, analysis: SurveyAnalysis) -> bool:
    """Say whether the analysis includes every response submitted so far."""
    return analysis.fingerprint == _signature(survey).fingerprint


def request_refresh(survey_id: int) -> bool:
    """Ask the task worker to bring the round's analysis up to date; say if it was asked.

    One request per round at a time: the marker lasts until the worker has finished (or
    REFRESH_SECONDS, if a worker dies), so a busy round costs one build at a time, not
    one per submission.
    """
    from reports.tasks import refresh_analysis

    cache = caches[CACHE_ALIAS]
    if not cache.add(_refreshing_key(survey_id), 1, REFRESH_SECONDS):
        return False
    try:
        refresh_analysis.enqueue(survey_id)
    except Exception:
        cache.delete(_refreshing_key(survey_id))  # nobody will clear it otherwise
        raise
    return True


def refresh(survey: Survey) -> SurveyAnalysis:
    """Build the round's analysis until it includes the latest submissions (worker side)."""
    try:
        for _attempt in range(REFRESH_ROUNDS):
            signature = _signature(survey)
            analysis = _cached(survey, signature.fingerprint)
            if analysis is None:
                analysis = _build_and_store(survey, signature)
            if analysis_is_current(survey, analysis):
                return analysis
        return analysis
    finally:
        caches[CACHE_ALIAS].delete(_refreshing_key(survey.pk))
