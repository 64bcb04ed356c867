"""Everything the dashboards show for one survey round, built from its answers (no caching)."""

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd
from django.conf import settings

from reports import columns as c
from reports import data, fit, grouping, scoring
from surveys.models import Sector, Survey

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
    alignment_items: pd.DataFrame = field(default_factory=pd.DataFrame)  # item, text
    # Every submitted response, counted or not: what the round page and responses.csv hold.
    submitted_all: int = 0
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


def _partnership_profile(org_scores: pd.DataFrame) -> pd.DataFrame:
    """Mean of the unsuppressed organisations' dimension means (each organisation counts once)."""
    shown = org_scores[~org_scores["suppressed"]]
    profile = shown.groupby("dimension", as_index=False).agg(
        mean=("mean", "mean"), n_orgs=("organisation", "nunique")
    )
    return profile.assign(
        readiness=lambda d: scoring.to_readiness(d["mean"]),
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
        weights=settings.FIT_WEIGHTS,
    )
    alignment = data.load_alignment(survey)
    return SurveyAnalysis(
        submitted_all=survey.responses.filter(submitted_at__isnull=False).count(),
        alignment_items=data.load_alignment_items(survey),
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
