"""Board packs drawn once per analysis and focus areas, then served from the shared cache.

Drawing a pack takes several seconds of Chromium and WeasyPrint, so no request draws one:
the task worker draws the partnership pack after each analysis refresh, and a pack
asked for before it exists is queued once (one build per pack at a time) while the page
says it is being prepared, as the dashboards do for a big round's analysis.
"""

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import caches

from reports import pdf
from reports.analysis import (
    CACHE_ALIAS,
    CACHE_SECONDS,
    AnalysisPendingError,
    analyse_survey,
)
from surveys.models import Survey

# As long as a pack may take to draw; a build whose worker died is retried after it.
BUILD_SECONDS = 5 * 60


class PackPendingError(AnalysisPendingError):
    """The pack is being drawn by the task worker; ask again shortly (the "Preparing" page)."""


@dataclass(frozen=True)
class PackRequest:
    """Which pack: the partnership's, or one pair's (public ids, in the order asked)."""

    survey_id: int
    a_id: str = ""
    b_id: str = ""
    # Leads and analysts see every count; consultants none below K (sees_exact_counts),
    # so the pack that says why its count differs from the submitted one is drawn per kind.
    exact_counts: bool = False

    @property
    def is_pair(self) -> bool:
        return bool(self.a_id)


def _focus_signature(survey: Survey) -> str:
    """Return a digest of the round's focus areas: a pack shows them, so it changes with them."""
    rows = survey.focus_areas.order_by("pk").values_list("pk", "updated_at")
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()[:16]


@functools.cache
def _templates_signature() -> str:
    """Return a digest of the pack templates, so a deploy that changes them redraws packs."""
    folder = Path(settings.BASE_DIR) / "templates" / "reports" / "pdf"
    digest = hashlib.sha256()
    for template in sorted(folder.rglob("*.html")):
        digest.update(template.read_bytes())
    return digest.hexdigest()[:16]


def pack_key(survey: Survey, request: PackRequest) -> str:
    """Return the cache key of a pack: what it draws, the focus areas it lists, its cover.

    Raises LookupError for a pair that is not two different partners of the round, so
    that no build is queued for a pack that cannot exist.
    """
    analysis = analyse_survey(survey)
    if request.is_pair:
        known = set(analysis.organisations["public_id"].astype(str))
        if request.a_id == request.b_id or not {request.a_id, request.b_id} <= known:
            raise LookupError((request.a_id, request.b_id))
    fingerprint = analysis.fingerprint
    scope = f"{request.a_id}:{request.b_id}" if request.is_pair else "partnership"
    scope += ":exact" if request.exact_counts else ""
    # The cover shows the round's title and dates and the partnership's name.
    cover = (
        f"{survey.updated_at.isoformat()}:{survey.partnership.updated_at.isoformat()}"
    )
    parts = f"{fingerprint}:{_focus_signature(survey)}:{cover}:{_templates_signature()}"
    return f"reports:pack:{hashlib.sha256(parts.encode()).hexdigest()[:32]}:{scope}"


def _building_key(key: str) -> str:
    return f"{key}:building"


def draw(survey: Survey, request: PackRequest) -> bytes:
    """Draw the pack now (LookupError for a pair that is not in the partnership)."""
    if request.is_pair:
        return pdf.pair_pdf(
            survey, request.a_id, request.b_id, exact_counts=request.exact_counts
        )
    return pdf.partnership_pdf(survey, exact_counts=request.exact_counts)


def build_and_store(survey: Survey, request: PackRequest) -> bytes:
    """Draw the pack and keep it under the key of what it was drawn from (worker side)."""
    key = pack_key(survey, request)
    try:
        document = draw(survey, request)
        caches[CACHE_ALIAS].set(key, document, CACHE_SECONDS)
        return document
    finally:
        caches[CACHE_ALIAS].delete(_building_key(key))


def cached_pack(survey: Survey, request: PackRequest) -> bytes:
    """Return the pack if it is drawn; else queue one build of it and raise PackPendingError."""
    from reports.tasks import build_board_pack

    cache = caches[CACHE_ALIAS]
    key = pack_key(survey, request)
    document = cache.get(key)
    if document is not None:
        return document
    if cache.add(_building_key(key), 1, BUILD_SECONDS):
        try:
            build_board_pack.enqueue(
                request.survey_id, request.a_id, request.b_id, request.exact_counts
            )
        except Exception:
            cache.delete(_building_key(key))  # nobody would clear it otherwise
            raise
    document = cache.get(key)  # an immediate task backend has drawn it already
    if document is None:
        raise PackPendingError(request.survey_id)
    return document
