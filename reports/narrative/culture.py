"""An organisation's culture profile in words: its leading type, or that it is flat."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _

from reports.figures import Estimate
from reports.narrative.comparisons import NO_CLEAR_DIFFERENCE
from reports.narrative.numbers import points

# Within this many points of 100 from highest to lowest type, no type stands out.
FLAT_WITHIN = 10.0


def type_noun(letter: str) -> str:
    """The culture type as a noun that fits a sentence: H → "hierarchy"."""
    return {
        "H": _("hierarchy"),
        "I": _("individualism"),
        "E": _("egalitarianism"),
        "F": _("fatalism"),
    }[letter]


def _ranked(profile: Mapping[str, float]) -> list[tuple[str, float]]:
    return sorted(profile.items(), key=lambda item: (-item[1], item[0]))


def _all_types(ranked: list[tuple[str, float]]) -> str:
    return ", ".join(
        _("%(type)s %(points)s") % {"type": type_noun(t), "points": points(v)}
        for t, v in ranked
    )


def culture_type(
    *, name: str, profile: Mapping[str, float], lead: Estimate | None = None
) -> str:
    """Name the organisation's strongest culture type, or say the profile is flat.

    `profile` maps H, I, E, F to points of 100; `lead` is the top type minus the next with
    its interval. "Strongest" is said only when that interval excludes zero.
    """
    ranked = _ranked(profile)
    (top, top_points), (second, second_points) = ranked[0], ranked[1]
    if top_points - ranked[-1][1] < FLAT_WITHIN:
        return _(
            "At %(name)s, no culture type stands out: all four score within %(within)s "
            "points of each other (%(types)s, of 100)."
        ) % {"name": name, "within": points(FLAT_WITHIN), "types": _all_types(ranked)}
    if lead is not None and lead.excludes(0):
        return _(
            "At %(name)s, the strongest culture type is %(type)s (%(points)s points of 100)."
        ) % {"name": name, "type": type_noun(top), "points": points(top_points)}
    return _(
        "At %(name)s, %(type)s scores highest (%(points)s points of 100), but there is "
        "%(none)s between it and %(second)s (%(second_points)s)."
    ) % {
        "name": name,
        "type": type_noun(top),
        "points": points(top_points),
        "none": _(NO_CLEAR_DIFFERENCE),
        "second": type_noun(second),
        "second_points": points(second_points),
    }
