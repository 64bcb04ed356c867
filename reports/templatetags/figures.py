"""Template filters that format the pages' numbers: the only place figures become text.

`{{ row.mean|score }}` 3.42 · `{{ row.readiness|readiness }}` 61 · `{{ x|signed:2 }}` +0.51 ·
`{{ row.mean|interval }}` 3.10–3.74 · `{{ row.change|change:2 }}` "+0.51 (0.10 to 0.92)" or
"no clear change (−0.10 to +1.12)" · `{{ rate|percent }}` 23% · `{{ weight.share|percent }}` 30%.
Missing figures become an en dash, never "nan" or "None".
"""

import math
from typing import Any

from django import template

from reports import narrative
from reports.figures import Estimate

register = template.Library()

DASH = "–"
MINUS = "−"


def _value(figure: Any) -> float | None:
    value = figure.value if isinstance(figure, Estimate) else figure
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _fixed(number: float, digits: int) -> str:
    text = f"{number:.{digits}f}"
    # "-0" and "-0.00" are zero; a real minus sign otherwise.
    if text.lstrip("-").strip("0.") == "":
        text = text.lstrip("-")
    return text.replace("-", MINUS)


@register.filter
def number(figure: Any, digits: int = 1) -> str:
    """Format a figure with a fixed number of decimals."""
    value = _value(figure)
    return DASH if value is None else _fixed(value, int(digits))


@register.filter
def score(figure: Any) -> str:
    """Format a 1–5 mean to two decimals."""
    return number(figure, 2)


@register.filter
def readiness(figure: Any) -> str:
    """Format a 0–100 figure (readiness, fit, trust) as a whole number."""
    return number(figure, 0)


@register.filter
def signed(figure: Any, digits: int = 0) -> str:
    """Format a difference with its sign: +4, −0.51, 0."""
    value = _value(figure)
    if value is None:
        return DASH
    text = _fixed(value, int(digits))
    zero = text.strip("0.") == ""
    return text if zero or text.startswith(MINUS) else f"+{text}"


@register.filter
def interval(figure: Any, digits: int = 2) -> str:
    """Format an estimate's 95% interval as low–high."""
    if not isinstance(figure, Estimate) or not figure.has_interval:
        return DASH
    return f"{_fixed(figure.low, int(digits))}–{_fixed(figure.high, int(digits))}"


@register.filter
def signed_interval(figure: Any, digits: int = 0) -> str:
    """Format a change's 95% interval with signs: −2 to +10."""
    if not isinstance(figure, Estimate) or not figure.has_interval:
        return DASH
    return f"{signed(figure.low, digits)} to {signed(figure.high, digits)}"


@register.filter
def change(figure: Any, digits: int = 0) -> str:
    """Format a change between rounds with its interval: "+4 (1 to 7)", "no clear change (…)".

    MEASUREMENT §6.8 (reports.narrative.change_cell): a change is shown with its Welch
    interval, and one whose interval spans 0 is "no clear change". `digits` 0 is the
    0–100 scale, 2 the 1–5 means.
    """
    if not isinstance(figure, Estimate) or not figure.known:
        return DASH
    scale = "points" if int(digits) == 0 else "mean"
    return narrative.change_cell(figure, scale=scale) or DASH


@register.filter
def misjudgement(figure: Any) -> str:
    """How far one side misjudges the other's trust, in words (reports.narrative.misjudgement).

    "Overestimates by 15 points (95% interval 4 to 26)" only when the interval excludes 0
    (MEASUREMENT §6.8), otherwise that there is no clear difference.
    """
    if not isinstance(figure, Estimate):
        return narrative.misjudgement(Estimate(None))
    return narrative.misjudgement(figure)


@register.filter
def clear_change(figure: Any) -> bool:
    """True when a change's interval excludes 0."""
    return isinstance(figure, Estimate) and figure.excludes(0)


@register.filter
def percent(figure: Any, digits: int = 0) -> str:
    """Format a share (0–1) as a percentage."""
    value = _value(figure)
    return DASH if value is None else f"{_fixed(100 * value, int(digits))}%"
