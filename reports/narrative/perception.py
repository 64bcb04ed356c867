"""Meta-perception: how much an organisation thinks a partner trusts it, against the answer."""

from __future__ import annotations

from django.utils.translation import gettext as _

from reports.figures import Estimate
from reports.narrative.comparisons import NO_CLEAR_DIFFERENCE
from reports.narrative.numbers import clear_size, interval, points


def misjudgement(gap: Estimate) -> str:
    """A table cell: "Overestimates by 15 points (95% interval 4 to 26)", "Underestimates …".

    `gap` is (what the organisation thinks the partner's trust is) − (the partner's own
    trust), 0–100 points; over or under is stated only when its interval excludes zero,
    and the interval is then written as a size, the way the words read.
    """
    if not gap.known:
        return _("Not enough responses")
    if gap.excludes(0):
        over = gap.value > 0  # type: ignore[operator]
        template = (
            _("Overestimates by %(size)s points (95%% interval %(interval)s)")
            if over
            else _("Underestimates by %(size)s points (95%% interval %(interval)s)")
        )
        low, high = (gap.low, gap.high) if over else (-gap.high, -gap.low)  # type: ignore[operator]
        return template % {
            "size": clear_size(abs(gap.value), scale="points"),  # type: ignore[arg-type]
            "interval": interval(low, high, scale="points", against_zero=True),
        }
    return _("About right: no clear difference at this number of responses")


def meta_perception(
    *, name: str, partner: str, thinks: float, actual: float, gap: Estimate
) -> str:
    """One sentence on how well `name` judges how much `partner` trusts it.

    `thinks` is what `name` expects the partner's trust to be and `actual` the partner's own
    answer (both 0–100); `gap` = thinks − actual with its interval. With no interval, or one
    that spans zero, it says there is no clear difference.
    """
    figures = {
        "name": name,
        "partner": partner,
        "thinks": points(thinks),
        "actual": points(actual),
    }
    if gap.excludes(0):
        template = (
            _(
                "%(name)s overestimates how much %(partner)s trusts it by %(size)s points "
                "(%(name)s expects %(thinks)s of 100; %(partner)s answers %(actual)s; "
                "95%% interval %(interval)s points)."
            )
            if gap.value > 0  # type: ignore[operator]
            else _(
                "%(name)s underestimates how much %(partner)s trusts it by %(size)s points "
                "(%(name)s expects %(thinks)s of 100; %(partner)s answers %(actual)s; "
                "95%% interval %(interval)s points)."
            )
        )
        low, high = (gap.low, gap.high) if gap.value > 0 else (-gap.high, -gap.low)  # type: ignore[operator]
        return template % {
            **figures,
            "size": clear_size(abs(gap.value), scale="points"),  # type: ignore[arg-type]
            "interval": interval(low, high, scale="points", against_zero=True),
        }
    return _(
        "%(name)s judges about right how much %(partner)s trusts it: there is %(none)s "
        "between what %(name)s expects (%(thinks)s of 100) and what %(partner)s answers "
        "(%(actual)s)."
    ) % {**figures, "none": _(NO_CLEAR_DIFFERENCE)}
