"""Each round's analysis, cached: per process, in the shared `reports` cache, or built by the worker."""

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.db.models import Count, Max, Q
from django.utils import timezone

from reports.analysis.build import SurveyAnalysis, build_analysis
from surveys.models import Organisation, Survey
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
    # The fit weights are a setting: new weights change every fit figure.
    weights = sorted(settings.FIT_WEIGHTS.items())
    structure = (
        f"{survey.pk}:{survey.anonymity_threshold}:{survey.release_rule}:"
        f"{survey.release_moment()}:{members}:{weights}"
    )
    raw = f"{structure}:{stats['n']}:{stats['last']}:{eligible}"
    return Signature(
        structure=hashlib.sha256(structure.encode()).hexdigest()[:32],
        fingerprint=hashlib.sha256(raw.encode()).hexdigest()[:32],
        submitted=stats["n"],
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


def analysis_with_fingerprint(
    survey: Survey, fingerprint: str
) -> SurveyAnalysis | None:
    """Return the round's analysis with this fingerprint, if this process or the cache holds it.

    For what a page adds to figures it has already shown: the same analysis, without
    reading the round's signature again.
    """
    return _cached(survey, fingerprint) if fingerprint else None


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
