"""What each results page and board pack shows, as frozen dataclasses of numbers.

Pages (reports.pages) build these from a round's analysis; templates format them with the
filters in reports.templatetags.figures. Nothing here is a formatted string except names,
titles and the sentences still built in reports.pages.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from reports.charts import Chart
from reports.figures import Estimate
from surveys.models import Survey


def as_context(page: Any) -> dict[str, Any]:
    """Return a page's fields as a template context (shallow: the figures are shared)."""
    return {f.name: getattr(page, f.name) for f in fields(page)}


@dataclass(frozen=True)
class Freshness:
    """How old the figures are while the worker adds newer responses."""

    as_of: datetime


@dataclass(frozen=True)
class ResponseCounts:
    """How many responses a round has, and how many its published figures count.

    `submitted` is what the round page and responses.csv hold; `published` is what the
    figures count: responses counted by the round's rule (surveys.counting) from
    organisations with at least `threshold` of them.
    """

    submitted: int
    counted: int
    published: int
    organisations: int
    organisations_reported: int
    threshold: int
    provisional: bool  # the round is open: figures change as whole groups arrive
    as_of: date

    @property
    def waiting(self) -> int:
        """Submitted responses the counting rule leaves out (a group of K not yet whole)."""
        return self.submitted - self.counted

    @property
    def below_threshold(self) -> int:
        """Counted responses from organisations with fewer than K, left out of every figure."""
        return self.counted - self.published

    @property
    def organisations_hidden(self) -> int:
        return self.organisations - self.organisations_reported

    @property
    def differs(self) -> bool:
        """True when the figures count fewer responses than were submitted."""
        return self.published != self.submitted


@dataclass(frozen=True)
class Partner:
    """One organisation of the partnership as the pages name it."""

    organisation: int
    public_id: str
    name: str
    short_name: str
    sector: str
    submitted: int | None  # None when below the threshold: the count is disclosive
    suppressed: bool


@dataclass(frozen=True)
class OrganisationRow:
    """An organisation's overall readiness (0–100) and its change since the last round."""

    partner: Partner
    readiness: Estimate
    band: str
    change: Estimate | None
    suppressed: bool

    @property
    def name(self) -> str:
        return self.partner.name


@dataclass(frozen=True)
class DimensionFigure:
    """A partnership-wide figure for one dimension: mean of the organisations' means (1–5)."""

    dimension: str
    title: str
    mean: Estimate
    readiness: Estimate
    band: str
    organisations: int
    change: Estimate | None = None


@dataclass(frozen=True)
class ReliabilityRow:
    title: str
    alpha: float | None
    mean_inter_item_r: float | None
    icc1: float | None
    icc2: float | None


@dataclass(frozen=True)
class OverviewPage:
    """The partnership overview: responses, readiness, strengths and barriers, reliability."""

    counts: ResponseCounts
    rows: tuple[OrganisationRow, ...]
    strengths: tuple[DimensionFigure, ...]
    barriers: tuple[DimensionFigure, ...]
    # "Shared strengths" only when every one is a strength (MEASUREMENT §6.8).
    strengths_heading: str
    barriers_heading: str
    # Every dimension, weakest first, with its change since the previous round.
    profile: tuple[DimensionFigure, ...]
    reliability_rows: tuple[ReliabilityRow, ...]
    previous: Survey | None
    charts: tuple[Chart, ...]
    fit_weights: tuple[FitWeight, ...]
    freshness: Freshness | None = None
    fingerprint: str = ""  # of the analysis the page was built from

    @property
    def submitted_total(self) -> int:
        return self.counts.published

    @property
    def suppressed_count(self) -> int:
        return self.counts.organisations_hidden


@dataclass(frozen=True)
class DimensionRow:
    """One organisation's score on one dimension, with agreement, "Don't know" and change."""

    title: str
    suppressed: bool
    mean: Estimate
    band: str
    uncertain: bool
    agreement: float | None
    divided: bool
    dont_know: float
    change: Estimate | None


@dataclass(frozen=True)
class ItemDontKnow:
    """How often an organisation's people answered "Don't know" to one statement."""

    item: str
    text: str
    dimension: str
    rate: float
    answers: int


@dataclass(frozen=True)
class AlignmentRow:
    """Whether one pull (incentives, loyalties, authority) draws people towards partnership."""

    item: str
    text: str
    mean: Estimate  # −2 (pulls strongly away) … +2 (pulls strongly towards)


@dataclass(frozen=True)
class Alignment:
    """The three alignment items and the "aligned" rule (all three at +1 or more)."""

    rows: tuple[AlignmentRow, ...]
    aligned: bool | None  # None: some item has too few answers to tell
    aligned_from: float


@dataclass(frozen=True)
class PerceptionRow:
    """Trust (0–100) between this organisation and one partner, both ways, and the guess."""

    partner: str
    public_id: str
    their_trust: float | None
    our_trust: float | None
    we_think: float | None


@dataclass(frozen=True)
class OrganisationPage:
    """One organisation's page."""

    org: Partner
    suppressed: bool
    charts: tuple[Chart, ...] = ()
    population_note: str = ""
    dimension_rows: tuple[DimensionRow, ...] = ()
    dont_know_items: tuple[ItemDontKnow, ...] = ()
    dont_know_from: float = 0.0
    alignment: Alignment | None = None
    has_previous: bool = False
    previous: Survey | None = None
    perception: tuple[PerceptionRow, ...] = ()
    comments: tuple[tuple[str, tuple[str, ...]], ...] = ()
    freshness: Freshness | None = None
    fingerprint: str = ""  # of the analysis the page was built from


@dataclass(frozen=True)
class FitWeight:
    """One component of overall fit and its share (from settings.FIT_WEIGHTS)."""

    key: str
    label: str
    share: float  # 0–1, the weights renormalised to sum to 1


@dataclass(frozen=True)
class FitRow:
    """One unordered pair on the fit matrix page."""

    a: str
    b: str
    url: str
    suppressed: bool
    fit: Estimate
    mutual_trust: float | None
    shape: float | None
    culture: float | None
    gap: str
    flag: bool


@dataclass(frozen=True)
class FitMatrixPage:
    cache_key: str
    measure: str
    measure_label: str
    measures: tuple[tuple[str, str], ...]
    columns: tuple[tuple[str, str], ...]
    rows: tuple[FitRow, ...]
    charts: tuple[Chart, ...]
    fit_weights: tuple[FitWeight, ...]
    flag_explained: str  # what the "Feel and fact differ" tag means (reports.narrative)
    freshness: Freshness | None = None
    fingerprint: str = ""  # of the analysis the page was built from


@dataclass(frozen=True)
class PairResult:
    """A pair's fit and its components, 0–100 unless said otherwise."""

    fit: Estimate
    profile_fit: float | None
    culture_fit: float | None
    compatibility: float | None
    mutual_trust: float | None
    trust_a_to_b: float | None
    trust_b_to_a: float | None
    shape_similarity: float | None  # −1 … 1
    shape_note: str | None
    level_gap: float | None  # scale points
    elevation: float | None
    scatter: float | None
    shape: float | None
    # What each side expects the other's trust to be − that trust, with its Welch interval.
    meta_gap_a: Estimate
    meta_gap_b: Estimate
    flag: bool


@dataclass(frozen=True)
class PairPage:
    a: Partner
    b: Partner
    suppressed: bool
    fit_weights: tuple[FitWeight, ...]
    charts: tuple[Chart, ...] = ()
    result: PairResult | None = None
    fit_change: Estimate | None = None
    previous: Survey | None = None
    gap_sentences: tuple[str, ...] = ()
    summary: str = ""
    freshness: Freshness | None = None
    fingerprint: str = ""  # of the analysis the page was built from


@dataclass(frozen=True)
class SectorTable:
    """Dimension × sector-group means (1–5); None where a group is below the threshold."""

    groups: tuple[str, ...]
    rows: tuple[tuple[str, tuple[float | None, ...]], ...]


@dataclass(frozen=True)
class Citation:
    """A workshop question with the human titles of the documents it comes from."""

    text: str
    sources: tuple[str, ...]
