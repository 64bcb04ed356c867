"""Comparisons between groups: stated only when their (adjusted) interval excludes zero.

MEASUREMENT §6.8: a sentence that says one figure is higher, lower, strongest or differs
most is written only when the interval of the difference excludes zero. Where the sentence
picks the largest of several differences, the caller passes the interval adjusted for the
whole family (§6.1: the simultaneous/Holm interval, e.g. `sim_ci_low/high` or
`largest_gap_low/high` from reports.fit, or `scoring.welch_interval` at level 1 − .05/m).
Otherwise the sentence says there is no clear difference at this number of responses.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from reports.figures import Estimate
from reports.narrative.numbers import (
    MEAN_DIGITS,
    capitalise,
    counts,
    figure,
    interval,
    lower_title,
    signed,
)

NO_CLEAR_DIFFERENCE = "no clear difference at this number of responses"


def apart(high: Estimate, low: Estimate) -> Estimate:
    """A conservative interval for high − low when only each figure's own interval is known.

    It excludes zero exactly when the two intervals do not overlap; if each covers its
    figure 95% of the time, both do at least 90% of the time, and then so does this one.
    """
    if not (high.known and low.known):
        return Estimate(None)
    if not (high.has_interval and low.has_interval):
        return Estimate(high.value - low.value)  # type: ignore[operator]
    return Estimate(
        high.value - low.value,  # type: ignore[operator]
        n=min(high.n, low.n),
        low=high.low - low.high,  # type: ignore[operator]
        high=high.high - low.low,  # type: ignore[operator]
    )


def _with_counts(text: str, *estimates: Estimate) -> str:
    n = counts(*estimates)
    return _("%(text)s (%(n)s)") % {"text": text, "n": n} if n else text


def named(name: str, value: Estimate, *, scale: str) -> str:
    """A name followed by its own figure: "Primary care 3.60"."""
    return _("%(name)s %(value)s") % {
        "name": name,
        "value": figure(value.value, scale=scale),
    }


def largest_difference(
    *,
    groups: str,
    dimension: str,
    high_name: str,
    high: Estimate,
    low_name: str,
    low: Estimate,
    difference: Estimate,
    scale: str = "mean",
) -> str:
    """Say on which dimension groups differ most, only if the adjusted interval is clear.

    `groups` is the plural noun ("Sector groups"); `difference` is high − low with the
    interval adjusted for every group and dimension compared.
    """
    pair = _("%(high)s against %(low)s") % {
        "high": named(high_name, high, scale=scale),
        "low": named(low_name, low, scale=scale),
    }
    if difference.excludes(0):
        return _(
            "%(groups)s differ most on %(dimension)s: %(pair)s (the interval allowing for "
            "every comparison runs from %(interval)s)."
        ) % {
            "groups": capitalise(groups),
            "dimension": lower_title(dimension),
            "pair": pair,
            "interval": interval(difference.low, difference.high, scale=scale),  # type: ignore[arg-type]
        }
    return (
        _(
            "%(groups)s show no clear difference at this number of responses: the widest, on "
            "%(dimension)s, is %(pair)s"
        )
        % {
            "groups": capitalise(groups),
            "dimension": lower_title(dimension),
            "pair": _with_counts(pair, high, low),
        }
        + "."
    )


def _span(
    measure: str,
    low_name: str,
    low: Estimate,
    high_name: str,
    high: Estimate,
    *,
    scale: str,
) -> str:
    span = _("%(measure)s runs from %(low)s to %(high)s") % {
        "measure": capitalise(measure),
        "low": named(low_name, low, scale=scale),
        "high": named(high_name, high, scale=scale),
    }
    if scale == "points":
        span = _("%(span)s (of 100)") % {"span": span}
    return span


def lowest_to_highest(
    *,
    measure: str,
    low_name: str,
    low: Estimate,
    high_name: str,
    high: Estimate,
    scale: str = "points",
) -> str:
    """Give the lowest and highest of several figures, claiming no difference between them.

    For figures without intervals (a chart's range): it describes, it does not compare.
    """
    return _span(measure, low_name, low, high_name, high, scale=scale) + "."


def value_range(
    *,
    measure: str,
    low_name: str,
    low: Estimate,
    high_name: str,
    high: Estimate,
    difference: Estimate,
    scale: str = "points",
) -> str:
    """Give the lowest and highest of several figures; call them different only if clear.

    `measure` begins the sentence ("Overall readiness"); `difference` is high − low with an
    interval adjusted for picking the extremes (or `apart(high, low)`).
    """
    span = _span(measure, low_name, low, high_name, high, scale=scale)
    if difference.excludes(0):
        return _("%(span)s; %(high)s is clearly higher than %(low)s.") % {
            "span": span,
            "high": high_name,
            "low": low_name,
        }
    return _("%(span)s, but there is %(none)s.") % {
        "span": span,
        "none": _with_counts(_(NO_CLEAR_DIFFERENCE), low, high),
    }


def furthest_from(
    *,
    name: str,
    against: str,
    above: tuple[str, Estimate] | None,
    below: tuple[str, Estimate] | None,
) -> str:
    """Say where one profile is furthest above and below another, only where clear.

    `above` and `below` are (dimension title, difference name − against) with intervals
    adjusted for every dimension compared.
    """
    parts = []
    for side, found in ((_("above"), above), (_("below"), below)):
        if found is None or not found[1].excludes(0):
            continue
        title, gap = found
        parts.append(
            _("furthest %(side)s on %(dimension)s (%(gap)s, interval %(interval)s)")
            % {
                "side": side,
                "dimension": lower_title(title),
                "gap": signed(gap.value, MEAN_DIGITS),  # type: ignore[arg-type]
                "interval": interval(gap.low, gap.high, scale="mean", signs=True),  # type: ignore[arg-type]
            }
        )
    if not parts:
        return _(
            "%(name)s is not clearly above or below %(against)s on any dimension at this "
            "number of responses."
        ) % {"name": name, "against": against}
    return _("Compared with %(against)s, %(name)s is %(parts)s.") % {
        "against": against,
        "name": name,
        "parts": _(" and ").join(parts),
    }
