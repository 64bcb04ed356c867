"""The board pack's opening sentences: who is reported and which responses count."""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def reported(
    *, people: int, shown: int, total: int, hidden: Sequence[str], threshold: int
) -> str:
    """Who the figures cover, naming organisations left out (never how many answered there)."""
    covered = ngettext(
        "%(people)d person from %(shown)d of %(total)d organisations is reported",
        "%(people)d people from %(shown)d of %(total)d organisations are reported",
        people,
    ) % {"people": people, "shown": shown, "total": total}
    if not hidden:
        return covered + "."
    names = (
        hidden[0]
        if len(hidden) == 1
        else _("%(first)s and %(last)s")
        % {"first": ", ".join(hidden[:-1]), "last": hidden[-1]}
    )
    left_out = ngettext(
        "%(names)s had fewer than %(k)d responses and is left out of every figure.",
        "%(names)s had fewer than %(k)d responses and are left out of every figure.",
        len(hidden),
    ) % {"names": names, "k": threshold}
    return _("%(covered)s; %(left_out)s") % {"covered": covered, "left_out": left_out}


def counted(
    *, counted: int, submitted: int, threshold: int, provisional: bool, closed: bool
) -> str:
    """Why the published count differs from the submitted one (surveys.counting's rules).

    `provisional` is the round's "provisional figures in whole groups of K" rule
    (Survey.ReleaseRule.GROUPS); otherwise figures appear at the close and responses
    submitted after it count in whole groups of K. `closed` says the round has closed.
    The difference can be smaller than K: show this only to roles that may see exact
    counts (the round's `sees_exact_counts` rule), never to consultants.
    """
    if counted >= submitted:
        return ngettext(
            "This pack counts all %(counted)d response submitted.",
            "This pack counts all %(counted)d responses submitted.",
            counted,
        ) % {"counted": counted}
    figures = {"counted": counted, "submitted": submitted, "k": threshold}
    if provisional and closed:
        return (
            _(
                "This pack counts %(counted)d of the %(submitted)d responses submitted: each "
                "organisation's responses count in whole groups of %(k)d, oldest first, so that "
                "no two views of the results ever differ by fewer than %(k)d people; the last "
                "few at an organisation stay out of the figures."
            )
            % figures
        )
    if provisional:
        return (
            _(
                "This pack counts %(counted)d of the %(submitted)d responses submitted so far: "
                "each organisation's responses count in whole groups of %(k)d, oldest first, so "
                "that no two views of the results ever differ by fewer than %(k)d people; the "
                "others count once their group of %(k)d is complete."
            )
            % figures
        )
    return (
        _(
            "This pack counts %(counted)d of the %(submitted)d responses submitted: every "
            "response submitted by the close counts, and later ones count in whole groups of "
            "%(k)d per organisation, so that no two views of the results ever differ by fewer "
            "than %(k)d people."
        )
        % figures
    )


def not_shown(*, names: Sequence[str], threshold: int) -> str:
    """A chart's note of the organisations it leaves out (never how many answered there)."""
    if not names:
        return ""
    return _("Not shown: %(names)s (fewer than %(k)d responses).") % {
        "names": ", ".join(names),
        "k": threshold,
    }


def population_note(
    *, short_name: str, asked: float | None, used: float | None, counted: int
) -> str:
    """MEASUREMENT §6.5: say when intervals allow for the people asked, or why they do not."""
    if used is not None and not math.isnan(used):
        return _(
            "Intervals allow for the %(asked)d people asked at %(name)s (%(counted)d "
            "responses counted): they are narrower than for a sample from a large group."
        ) % {"asked": int(used), "name": short_name, "counted": counted}
    if asked is not None and not math.isnan(asked):
        return _(
            "The number of people asked at %(name)s (%(asked)d) is fewer than the "
            "%(counted)d responses, so the intervals do not use it."
        ) % {"asked": int(asked), "name": short_name, "counted": counted}
    return ""
