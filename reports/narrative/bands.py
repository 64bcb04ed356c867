"""Strengths, highest-scoring areas and areas to develop (MEASUREMENT §6.8)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from reports import scoring
from reports.figures import Estimate
from reports.narrative.numbers import lower_title, mean

Area = tuple[str, Estimate]  # a dimension's title and its 1–5 mean


def is_strength(score: Estimate) -> bool:
    """True when the mean is in the strength band (4.0 and above) or its interval lies above 4.0."""
    if not score.known:
        return False
    if scoring.band_for(score.value) == "strength":
        return True
    return score.has_interval and score.low >= scoring.STRENGTH_FROM  # type: ignore[operator]


def band_word(score: Estimate) -> str:
    """The band a mean falls in, as a word: "strength", "develop" or "concern"."""
    band = scoring.band_for(score.value)
    return {
        "strength": _("strength"),
        "develop": _("develop"),
        "concern": _("concern"),
    }.get(band or "", "")


def top_areas_heading(areas: Sequence[Area]) -> str:
    """ "Shared strengths" only when every area listed is a strength; else "Highest-scoring areas"."""
    if areas and all(is_strength(score) for _title, score in areas):
        return _("Shared strengths")
    return _("Highest-scoring areas")


def bottom_areas_heading(areas: Sequence[Area]) -> str:
    """ "Areas of concern" when every area is below 3.0, "Areas to develop" otherwise."""
    if areas and all(
        scoring.band_for(score.value) == "concern" for _title, score in areas
    ):
        return _("Areas of concern")
    if areas and all(is_strength(score) for _title, score in areas):
        return _("Lowest-scoring areas")
    return _("Areas to develop")


def _listed(areas: Sequence[Area]) -> str:
    parts = [
        _("%(title)s (%(mean)s, %(band)s)")
        % {
            "title": lower_title(title),
            "mean": mean(score.value),
            "band": band_word(score),
        }
        for title, score in areas
    ]
    if len(parts) == 1:
        return parts[0]
    return _("%(first)s and %(last)s") % {
        "first": ", ".join(parts[:-1]),
        "last": parts[-1],
    }


def top_areas(areas: Sequence[Area]) -> str:
    """Name the highest-scoring areas, calling only those in the strength band strengths."""
    areas = [(t, s) for t, s in areas if s.known]
    if not areas:
        return _(
            "There are not enough responses yet to show the highest-scoring areas."
        )
    strong = [(t, s) for t, s in areas if is_strength(s)]
    if len(strong) == len(areas):
        return _("The partnership's strengths are %(areas)s.") % {
            "areas": _listed(areas)
        }
    if not strong:
        return _(
            "No area reaches the strength band (4.0 and above); the highest-scoring "
            "areas are %(areas)s."
        ) % {"areas": _listed(areas)}
    others = [(t, s) for t, s in areas if not is_strength(s)]
    return _(
        "The partnership's strengths are %(strong)s; the next highest-scoring areas are "
        "%(others)s."
    ) % {"strong": _listed(strong), "others": _listed(others)}


def bottom_areas(areas: Sequence[Area]) -> str:
    """Name the lowest-scoring areas with their bands; strengths are never called weak."""
    areas = [(t, s) for t, s in areas if s.known]
    if not areas:
        return _("There are not enough responses yet to show the lowest-scoring areas.")
    if all(is_strength(s) for _t, s in areas):
        return _(
            "Even the lowest-scoring areas are in the strength band: %(areas)s."
        ) % {"areas": _listed(areas)}
    return _("The areas to develop first are %(areas)s.") % {"areas": _listed(areas)}


def highest_and_lowest(*, high: Area, low: Area, difference: Estimate) -> str:
    """The partnership's highest- and lowest-scoring areas, each with its mean and band.

    `difference` is high − low with an interval adjusted for picking the extremes of all
    dimensions; without a clear one the sentence says so.
    """
    (high_title, high_score), (low_title, low_score) = high, low
    figures = {
        "high": _listed([(high_title, high_score)]),
        "low": _listed([(low_title, low_score)]),
    }
    if difference.excludes(0):
        return (
            _("The partnership scores highest on %(high)s and lowest on %(low)s.")
            % figures
        )
    return (
        _(
            "The partnership's highest-scoring area is %(high)s and its lowest %(low)s, but "
            "there is no clear difference between them at this number of responses."
        )
        % figures
    )
