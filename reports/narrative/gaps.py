"""A pair's gaps by dimension and the pair's summary (MEASUREMENT §6.1, §6.8)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reports.figures import Estimate
from reports.fit import CLEAR_GAP
from reports.narrative.comparisons import NO_CLEAR_DIFFERENCE, apart
from reports.narrative.numbers import counts, interval, lower_title, mean, points


def is_clear_gap(gap: Estimate) -> bool:
    """§6.1: a clear gap's simultaneous interval excludes zero and it is at least 0.5."""
    return gap.excludes(0) and round(abs(gap.value), 9) >= CLEAR_GAP  # type: ignore[arg-type]


def pair_gap(
    *,
    dimension: str,
    name_a: str,
    mean_a: Estimate,
    name_b: str,
    mean_b: Estimate,
    gap: Estimate,
) -> str:
    """One dimension's gap: who is higher and by how much, each name beside its own mean.

    `gap` is mean_a − mean_b with the simultaneous interval (level 1 − .05/k over the
    pair's k dimensions: `sim_ci_low`, `sim_ci_high`).
    """
    if is_clear_gap(gap):
        higher, lower = (name_a, name_b) if gap.value > 0 else (name_b, name_a)  # type: ignore[operator]
        high_mean, low_mean = (mean_a, mean_b) if gap.value > 0 else (mean_b, mean_a)  # type: ignore[operator]
        low, high = (gap.low, gap.high) if gap.value > 0 else (-gap.high, -gap.low)  # type: ignore[operator]
        return _(
            "On %(dimension)s, %(higher)s scores %(size)s higher than %(lower)s "
            "(%(higher)s %(high_mean)s against %(lower)s %(low_mean)s); allowing for every "
            "dimension compared, the interval for the difference runs from %(interval)s."
        ) % {
            "dimension": lower_title(dimension),
            "higher": higher,
            "lower": lower,
            "size": mean(abs(gap.value)),  # type: ignore[arg-type]
            "high_mean": mean(high_mean.value),  # type: ignore[arg-type]
            "low_mean": mean(low_mean.value),  # type: ignore[arg-type]
            "interval": interval(low, high, scale="mean"),
        }
    n = counts(mean_a, mean_b)
    return _(
        "On %(dimension)s, there is %(none)s between %(name_a)s %(mean_a)s and "
        "%(name_b)s %(mean_b)s%(n)s."
    ) % {
        "dimension": lower_title(dimension),
        "none": _(NO_CLEAR_DIFFERENCE),
        "name_a": name_a,
        "mean_a": mean(mean_a.value),  # type: ignore[arg-type]
        "name_b": name_b,
        "mean_b": mean(mean_b.value),  # type: ignore[arg-type]
        "n": f" ({n})" if n else "",
    }


def gap_count(clear: int, compared: int) -> str:
    """How many of the dimensions compared show a clear gap, and what "clear" means."""
    if not compared:
        return _("Not enough responses to compare these two organisations.")
    return ngettext(
        "%(clear)d clear gap of %(compared)d dimensions compared (significant after Holm's "
        "correction across them, and at least half a scale point).",
        "%(clear)d clear gaps of %(compared)d dimensions compared (significant after "
        "Holm's correction across them, and at least half a scale point).",
        clear,
    ) % {"clear": clear, "compared": compared}


def overall_fit(*, name_a: str, name_b: str, fit: Estimate) -> str:
    """The pair's overall fit with its interval; "strong" etc. only when the interval agrees."""
    value = fit.value
    word = (
        _("strong") if value >= 70 else _("moderate") if value >= 55 else _("weak")  # type: ignore[operator]
    )
    if fit.has_interval:
        low_word = (
            _("strong")
            if fit.low >= 70
            else _("moderate")
            if fit.low >= 55
            else _("weak")  # type: ignore[operator]
        )
        high_word = (
            _("strong")
            if fit.high >= 70
            else _("moderate")
            if fit.high >= 55
            else _("weak")  # type: ignore[operator]
        )
        shown = _("%(value)s of 100, 95%% interval %(interval)s") % {
            "value": points(value),  # type: ignore[arg-type]
            "interval": interval(fit.low, fit.high, scale="points"),  # type: ignore[arg-type]
        }
        if low_word != high_word:
            return _(
                "%(a)s and %(b)s have an overall fit of %(shown)s: at this number of "
                "responses it could be anywhere from %(low)s to %(high)s."
            ) % {
                "a": name_a,
                "b": name_b,
                "shown": shown,
                "low": low_word,
                "high": high_word,
            }
        return _("%(a)s and %(b)s have a %(word)s overall fit (%(shown)s).") % {
            "a": name_a,
            "b": name_b,
            "word": word,
            "shown": shown,
        }
    return _("%(a)s and %(b)s have an overall fit of %(value)s of 100.") % {
        "a": name_a,
        "b": name_b,
        "value": points(value),  # type: ignore[arg-type]
    }


def no_clear_gap(*, name_a: str, mean_n_a: int, name_b: str, mean_n_b: int) -> str:
    """The summary's sentence when no dimension shows a clear gap."""
    return _(
        "No dimension shows a clear gap between %(a)s and %(b)s at this number of "
        "responses (n = %(n_a)d and %(n_b)d)."
    ) % {"a": name_a, "b": name_b, "n_a": mean_n_a, "n_b": mean_n_b}


def widest_gap(
    *,
    dimension: str,
    name_a: str,
    mean_a: Estimate,
    name_b: str,
    mean_b: Estimate,
    gap: Estimate,
) -> str:
    """The summary's widest clear gap (gaps come largest first), or that there is none."""
    if not is_clear_gap(gap):
        return no_clear_gap(
            name_a=name_a, mean_n_a=mean_a.n, name_b=name_b, mean_n_b=mean_b.n
        )
    higher, lower = (name_a, name_b) if gap.value > 0 else (name_b, name_a)  # type: ignore[operator]
    high_mean, low_mean = (mean_a, mean_b) if gap.value > 0 else (mean_b, mean_a)  # type: ignore[operator]
    return _(
        "The widest clear gap is on %(dimension)s, where %(higher)s scores %(size)s higher "
        "than %(lower)s (%(higher)s %(high_mean)s against %(lower)s %(low_mean)s)."
    ) % {
        "dimension": lower_title(dimension),
        "higher": higher,
        "lower": lower,
        "size": mean(abs(gap.value)),  # type: ignore[arg-type]
        "high_mean": mean(high_mean.value),  # type: ignore[arg-type]
        "low_mean": mean(low_mean.value),  # type: ignore[arg-type]
    }


def trust_direction(
    *,
    name_a: str,
    trust_a_to_b: Estimate,
    name_b: str,
    trust_b_to_a: Estimate,
    difference: Estimate | None = None,
) -> str:
    """Whether trust is one-sided: stated only when the difference's interval excludes zero.

    Each trust figure is 0–100 with its own interval; `difference` (a→b minus b→a, with
    its interval) defaults to `comparisons.apart` of the two.
    """
    a_more = trust_a_to_b.value >= trust_b_to_a.value  # type: ignore[operator]
    more, less = (name_a, name_b) if a_more else (name_b, name_a)
    more_t, less_t = (
        (trust_a_to_b, trust_b_to_a) if a_more else (trust_b_to_a, trust_a_to_b)
    )
    if difference is None:
        difference = apart(trust_a_to_b, trust_b_to_a)
    if difference.excludes(0):
        return _(
            "Trust is one-sided: %(more)s trusts %(less)s more than %(less)s trusts "
            "%(more)s (%(more)s %(more_t)s against %(less)s %(less_t)s, of 100)."
        ) % {
            "more": more,
            "less": less,
            "more_t": points(more_t.value),  # type: ignore[arg-type]
            "less_t": points(less_t.value),  # type: ignore[arg-type]
        }
    return _(
        "There is %(none)s in how much they trust each other (%(a)s trusts %(b)s "
        "%(ab)s of 100; %(b)s trusts %(a)s %(ba)s)."
    ) % {
        "none": _(NO_CLEAR_DIFFERENCE),
        "a": name_a,
        "b": name_b,
        "ab": points(trust_a_to_b.value),  # type: ignore[arg-type]
        "ba": points(trust_b_to_a.value),  # type: ignore[arg-type]
    }
