"""Everything the dashboards show for one survey round, computed once and cached."""

import hashlib
from dataclasses import dataclass, field

import pandas as pd
from django.core.cache import cache
from django.db.models import Count, Max, Q

from reports import data, fit, scoring
from surveys.models import Sector, Survey

CACHE_SECONDS = 60 * 60

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
    organisations: pd.DataFrame  # + suppressed, sector_group, label
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

    def visible_organisations(self) -> pd.DataFrame:
        return self.organisations[~self.organisations["suppressed"]]

    def label(self, organisation: int) -> str:
        return str(
            self.organisations.set_index("organisation").at[organisation, "name"]
        )


def _fingerprint(survey: Survey) -> str:
    stats = survey.responses.aggregate(
        n=Count("pk", filter=Q(submitted_at__isnull=False)), last=Max("submitted_at")
    )
    raw = f"{survey.pk}:{survey.anonymity_threshold}:{stats['n']}:{stats['last']}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


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
    answers = scoring.score_answers(data.load_answers(survey))
    resp_scores = scoring.respondent_scores(answers, items)
    org_scores = scoring.organisation_scores(resp_scores, threshold=threshold)
    overall = scoring.overall_readiness(org_scores)
    shown_scores = _in_shown_cells(resp_scores, org_scores)
    shown_answers = _in_shown_cells(answers, org_scores)
    profile_points = data.load_profile_points(survey)
    partner_answers = data.load_partner_answers(survey)
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
        agreement=scoring.agreement(answers, items),
        dont_know=scoring.dont_know_rates(answers),
        item_dont_know=scoring.item_dont_know_rates(answers),
        reliability=scoring.cronbach_alpha(shown_answers, items),
        icc=scoring.icc(shown_scores),
        distributions=scoring.item_distribution(shown_answers),
        culture=culture,
        ratings=ratings,
        pairs=pairs,
        comments=data.load_comments(survey),
        alignment=data.load_alignment(survey),
    )


def analyse_survey(survey: Survey) -> SurveyAnalysis:
    """Return the round's analysis, recomputed only when its submitted responses change."""
    key = f"reports:analysis:{_fingerprint(survey)}"
    analysis = cache.get(key)
    if analysis is None:
        analysis = build_analysis(survey)
        cache.set(key, analysis, CACHE_SECONDS)
    return analysis
