"""Change since the last round, always with its Welch interval (MEASUREMENT §6.8)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from reports.figures import Estimate
from reports.narrative.numbers import (
    MEAN_DIGITS,
    POINT_DIGITS,
    clear_size,
    figure,
    interval,
    lower_title,
    mean,
    nonzero_digits,
    signed,
)


def change_phrase(change: Estimate, *, since: str, scale: str = "points") -> str:
    """A change in words: "up 4 points since spring 2026 (95% interval 1 to 7)".

    `change` is now − before with its Welch interval (`scoring.welch_interval`); `scale` is
    "points" (0–100) or "mean" (1–5). Up or down is said only when the interval excludes
    zero; otherwise "no clear change since spring 2026 (−2 to +9)".
    """
    if not change.known:
        return _("no figure to compare with in %(since)s") % {"since": since}
    if not change.has_interval:
        return _(
            "%(change)s since %(since)s, too few responses to say whether that is a "
            "real change"
        ) % {
            "change": signed(
                change.value, MEAN_DIGITS if scale == "mean" else POINT_DIGITS
            ),  # type: ignore[arg-type]
            "since": since,
        }
    if change.excludes(0):
        size = abs(change.value)  # type: ignore[arg-type]
        amount = (
            _("%(size)s points") % {"size": clear_size(size, scale=scale)}
            if scale == "points"
            else clear_size(size, scale=scale)
        )
        low, high = (
            (change.low, change.high)
            if change.value > 0  # type: ignore[operator]
            else (-change.high, -change.low)  # type: ignore[operator]
        )
        template = (
            _("up %(amount)s since %(since)s (95%% interval %(interval)s)")
            if change.value > 0  # type: ignore[operator]
            else _("down %(amount)s since %(since)s (95%% interval %(interval)s)")
        )
        return template % {
            "amount": amount,
            "since": since,
            "interval": interval(low, high, scale=scale, against_zero=True),
        }
    return _("no clear change since %(since)s (%(interval)s)") % {
        "since": since,
        "interval": interval(
            change.low,  # type: ignore[arg-type]
            change.high,  # type: ignore[arg-type]
            scale=scale,
            signs=True,
            against_zero=True,
        ),
    }


def change_sentence(
    *, subject: str, change: Estimate, since: str, scale: str = "points"
) -> str:
    """A whole sentence: "Readiness at NHFT is up 4 points since spring 2026 (95% interval 1 to 7)."

    `subject` begins the sentence ("Readiness at NHFT"); a change whose interval spans zero
    "shows no clear change since …".
    """
    phrase = change_phrase(change, since=since, scale=scale)
    if change.known and change.has_interval and not change.excludes(0):
        return _("%(subject)s shows %(phrase)s.") % {
            "subject": subject,
            "phrase": phrase,
        }
    if change.known and change.has_interval:
        return _("%(subject)s is %(phrase)s.") % {"subject": subject, "phrase": phrase}
    return _("%(subject)s: %(phrase)s.") % {"subject": subject, "phrase": phrase}


def change_cell(change: Estimate, *, scale: str = "points") -> str:
    """A table cell: "+4 (1 to 7)", "no clear change (−2 to +9)", "" with nothing to compare.

    No figure that is not zero reads as "0" (`nonzero_digits`): a clear change never shows
    an end at 0, and an unclear one never hides that its interval crosses zero.
    """
    if not change.known:
        return ""
    digits = MEAN_DIGITS if scale == "mean" else POINT_DIGITS
    if not change.has_interval:
        return signed(change.value, digits)  # type: ignore[arg-type]
    ends = interval(
        change.low,  # type: ignore[arg-type]
        change.high,  # type: ignore[arg-type]
        scale=scale,
        signs=True,
        against_zero=True,
    )
    if change.excludes(0):
        value: float = change.value  # type: ignore[assignment]
        return _("%(change)s (%(interval)s)") % {
            "change": signed(value, nonzero_digits(value, digits)),
            "interval": ends,
        }
    return _("no clear change (%(interval)s)") % {"interval": ends}


def largest_change(*, dimension: str, now: float, change: Estimate, since: str) -> str:
    """The board pack's "has risen/fallen most" sentence, or that no dimension clearly moved.

    `change` is the largest |now − before| among the dimensions, with a Welch interval at
    the level adjusted for every dimension compared (1 − .05/k).
    """
    if change.excludes(0):
        rose = change.value > 0  # type: ignore[operator]
        low, high = (change.low, change.high) if rose else (-change.high, -change.low)  # type: ignore[operator]
        template = (
            _(
                "Since %(since)s, %(dimension)s has risen most, by %(size)s to %(now)s "
                "(allowing for every dimension compared, by %(interval)s)."
            )
            if rose
            else _(
                "Since %(since)s, %(dimension)s has fallen most, by %(size)s to %(now)s "
                "(allowing for every dimension compared, by %(interval)s)."
            )
        )
        return template % {
            "since": since,
            "dimension": lower_title(dimension),
            "size": mean(abs(change.value)),  # type: ignore[arg-type]
            "now": mean(now),
            "interval": interval(low, high, scale="mean"),
        }
    return _(
        "Since %(since)s, no dimension has clearly changed at this number of responses "
        "(the largest move is on %(dimension)s: %(change)s, now %(now)s)."
    ) % {
        "since": since,
        "dimension": lower_title(dimension),
        "change": signed(change.value, MEAN_DIGITS) if change.known else "–",  # type: ignore[arg-type]
        "now": figure(now, scale="mean"),
    }


def focus_progress(
    *,
    title: str,
    since: str,
    before: Estimate | None,
    now: Estimate | None,
    change: Estimate | None,
    threshold: int,
    measured: bool = True,
) -> str:
    """A focus area's progress: "We said we would work on …; it moved from 3.10 to 3.40 …".

    `before` and `now` are the 1–5 means (None when too few responses), `change` is
    now − before with its Welch interval.
    """
    said = _("We said we would work on %(title)s") % {"title": lower_title(title)}
    if not measured:
        return _("%(said)s; this round’s questionnaire does not measure it.") % {
            "said": said
        }
    if before is None and now is None:
        return _(
            "%(said)s; neither round has enough responses to show it (fewer than "
            "%(k)d per organisation)."
        ) % {"said": said, "k": threshold}
    if before is None:
        return _(
            "%(said)s; it is now %(now)s, but %(since)s had too few responses to compare with."
        ) % {"said": said, "now": mean(now.value), "since": since}  # type: ignore[union-attr, arg-type]
    if now is None:
        return _(
            "%(said)s; it was %(before)s in %(since)s, but this round has too few responses "
            "(fewer than %(k)d per organisation) to show it now."
        ) % {"said": said, "before": mean(before.value), "since": since, "k": threshold}  # type: ignore[arg-type]
    return _(
        "%(said)s; it was %(before)s in %(since)s and is %(now)s now: %(phrase)s."
    ) % {
        "said": said,
        "before": mean(before.value),  # type: ignore[arg-type]
        "since": since,
        "now": mean(now.value),  # type: ignore[arg-type]
        "phrase": change_phrase(change or Estimate(None), since=since, scale="mean"),
    }


def pair_focus_progress(
    *,
    title: str,
    since: str,
    sides: Sequence[tuple[str, Estimate | None, Estimate | None, Estimate | None]],
    threshold: int,
    measured: bool = True,
) -> str:
    """A pair's focus area: each organisation's move with its Welch interval.

    `sides` holds (name, before, now, change) for each of the two organisations, as in
    `focus_progress`.
    """
    said = _("We said we would work on %(title)s") % {"title": lower_title(title)}
    if not measured:
        return _("%(said)s; this round’s questionnaire does not measure it.") % {
            "said": said
        }
    clauses = []
    for name, before, now, change in sides:
        if before is not None and now is not None:
            clauses.append(
                _("%(name)s was %(before)s and is %(now)s now, %(phrase)s")
                % {
                    "name": name,
                    "before": mean(before.value),  # type: ignore[arg-type]
                    "now": mean(now.value),  # type: ignore[arg-type]
                    "phrase": change_phrase(
                        change or Estimate(None), since=since, scale="mean"
                    ),
                }
            )
        elif now is not None:
            clauses.append(
                _("%(name)s is now %(now)s (too few responses in %(since)s to compare)")
                % {"name": name, "now": mean(now.value), "since": since}  # type: ignore[arg-type]
            )
        elif before is not None:
            clauses.append(
                _(
                    "%(name)s was %(before)s in %(since)s but has fewer than %(k)d "
                    "responses this round"
                )
                % {
                    "name": name,
                    "before": mean(before.value),  # type: ignore[arg-type]
                    "since": since,
                    "k": threshold,
                }
            )
        else:
            clauses.append(
                _("%(name)s has fewer than %(k)d responses in both rounds")
                % {"name": name, "k": threshold}
            )
    return _("%(said)s; %(clauses)s.") % {
        "said": said,
        "clauses": _("; ").join(clauses),
    }
