"""The fit page's terms explained, and the pair's "feel and fact" sentence."""

from __future__ import annotations

from django.utils.translation import gettext as _

from reports.figures import Estimate
from reports.fit import PERCEIVED_ACTUAL_LIMIT
from reports.narrative.comparisons import NO_CLEAR_DIFFERENCE
from reports.narrative.numbers import points


def feel_and_fact_explained() -> str:
    """What the "Feel and fact differ" tag means, for the fit page beside the tag."""
    return _(
        "Feel and fact differ: how compatible the two organisations say their values are "
        "(their answers about each other) is %(limit)s points or more away from how alike "
        "their own answers about themselves are (their readiness and culture profiles)."
    ) % {"limit": points(PERCEIVED_ACTUAL_LIMIT)}


def feel_and_fact(
    *,
    name_a: str,
    name_b: str,
    felt: float,
    actual: float,
    difference: Estimate | None = None,
) -> str:
    """The pair's sentence: how compatible they feel (0–100) against how alike they are.

    `felt` is compatibility, `actual` the mean of profile and culture fit; "differs" is said
    only when `difference` (felt − actual) has an interval that excludes zero.
    """
    figures = {
        "a": name_a,
        "b": name_b,
        "felt": points(felt),
        "actual": points(actual),
        "gap": points(abs(felt - actual)),
    }
    if difference is not None and difference.excludes(0):
        template = (
            _(
                "%(a)s and %(b)s feel more compatible (%(felt)s of 100) than their own "
                "answers show they are alike (%(actual)s): a gap of %(gap)s points, worth "
                "discussing."
            )
            if felt > actual
            else _(
                "%(a)s and %(b)s feel less compatible (%(felt)s of 100) than their own "
                "answers show they are alike (%(actual)s): a gap of %(gap)s points, worth "
                "discussing."
            )
        )
        return template % figures
    return _(
        "How compatible %(a)s and %(b)s feel (%(felt)s of 100) and how alike their own "
        "answers are (%(actual)s) are %(gap)s points apart; there is %(none)s."
    ) % {**figures, "none": _(NO_CLEAR_DIFFERENCE)}
