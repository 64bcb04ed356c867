"""How the sentences write numbers: one place, so every page and pack agrees."""

from __future__ import annotations

import math

from django.utils.translation import gettext as _

from reports.figures import Estimate

MINUS = "\u2212"  # a true minus sign, not a hyphen
MEAN_DIGITS = 2  # 1–5 means and their gaps, as the pages' tables show them
POINT_DIGITS = 0  # 0–100 figures (readiness, fit, trust) as whole numbers


def _number(value: float, digits: int) -> str:
    text = f"{value:.{digits}f}"
    if text.startswith("-"):
        # −0.00 reads as a change that is not there.
        return text[1:] if float(text) == 0 else MINUS + text[1:]
    return text


def mean(value: float) -> str:
    """A 1–5 mean (or a gap between two): 2 decimals, "3.49"."""
    return _number(value, MEAN_DIGITS)


def points(value: float) -> str:
    """A 0–100 figure: a whole number, "62"."""
    return _number(value, POINT_DIGITS)


def signed(value: float, digits: int) -> str:
    """A figure with its sign always written: "+4", "−0.30", "0"."""
    text = _number(value, digits)
    if float(f"{value:.{digits}f}") > 0:
        return "+" + text
    return text


# How many decimals beyond the usual a figure near zero may take so it does not read as 0.
EXTRA_DIGITS_NEAR_ZERO = 6


def nonzero_digits(value: float, digits: int) -> int:
    """The decimals that keep a figure that is not zero from reading as "0".

    An interval end of 0.3 written "0" would say the interval touches zero when it does
    not (or a change of 0.3 would read as none), so such figures take the decimals of
    their first significant figure (at most EXTRA_DIGITS_NEAR_ZERO more); exact zeros and
    larger figures keep `digits`.
    """
    for extra in range(EXTRA_DIGITS_NEAR_ZERO + 1):
        if value == 0 or float(f"{value:.{digits + extra}f}") != 0:
            return digits + extra
    return digits + EXTRA_DIGITS_NEAR_ZERO


def clear_size(value: float, *, scale: str) -> str:
    """The size of a clear change or gap, never "0": "3", "0.4" (`nonzero_digits`)."""
    digits = MEAN_DIGITS if scale == "mean" else POINT_DIGITS
    return _number(value, nonzero_digits(value, digits))


def figure(value: float, *, scale: str) -> str:
    """Write `value` on its scale: "mean" (1–5) or "points" (0–100)."""
    return mean(value) if scale == "mean" else points(value)


def interval(
    low: float,
    high: float,
    *,
    scale: str,
    signs: bool = False,
    against_zero: bool = False,
) -> str:
    """Write an interval's two ends, "1 to 7"; `signs` writes "+" on positive ends.

    `against_zero` is for intervals the words judge by whether they contain 0 (changes,
    gaps): an end that is not 0 then never reads as "0" (`nonzero_digits`), so "down 3
    (0.4 to 6)" and "no clear change (−0.3 to +15)" say what the words say.
    """
    digits = MEAN_DIGITS if scale == "mean" else POINT_DIGITS

    def end(value: float) -> str:
        places = nonzero_digits(value, digits) if against_zero else digits
        return signed(value, places) if signs else _number(value, places)

    return _("%(low)s to %(high)s") % {"low": end(low), "high": end(high)}


def counts(*estimates: Estimate) -> str:
    """Write the responses behind figures, "n = 3 and 4", or "" when none is known."""
    ns = [str(e.n) for e in estimates if e.n]
    if not ns:
        return ""
    if len(ns) == 1:
        return _("n = %(n)s") % {"n": ns[0]}
    return _("n = %(ns)s and %(last)s") % {"ns": ", ".join(ns[:-1]), "last": ns[-1]}


def known(value: float | None) -> bool:
    """True for a number that can be written (not None, not NaN)."""
    return value is not None and not math.isnan(value)


def capitalise(sentence: str) -> str:
    """Upper-case the first letter only (dimension titles keep their own capitals)."""
    return sentence[:1].upper() + sentence[1:]


def lower_title(title: str) -> str:
    """A dimension title inside a sentence: "Trust and relationships" → "trust and relationships"."""
    return title[:1].lower() + title[1:] if title[1:2].islower() else title
