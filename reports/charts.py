"""Plotly figures for the dashboards and board reports, each with a title, a text summary and a data table.

Figures travel to the browser as JSON (json_script) and are drawn by static/js/charts.js.
Suppressed groups never reach a figure: their points are left out or set to null.
Every builder takes `medium`: "screen" for the dashboards, "print" for the PDF board reports,
which must also read in greyscale (patterns, marker shapes, dashes and value labels as well as
colour). A chart remembers how it was built, so `chart.for_medium("print")` redraws it for paper.
Charts label organisations by their short names (as the partnership form promises); hover text
and data tables keep the full names.
"""

import functools
import json
import math
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd
import plotly.graph_objects as go
from django.utils.html import json_script
from django.utils.safestring import SafeString

from reports import narrative, scoring
from reports.figures import Estimate
from reports.narrative.numbers import signed

Medium = Literal["screen", "print"]

FONT = "Arial, Helvetica, sans-serif"
INK = "#0b0c0c"
WHITE = "#ffffff"
BRAND = "#1d3557"
ACCENT = "#2a9d8f"
PARTNER = "#e76f51"
AVERAGE = "#6f777b"
BAND_COLOURS = {"strength": "#2a9d8f", "develop": "#e9c46a", "concern": "#d4351c"}
# ColorBrewer RdBu: readable by colour-blind readers and in greyscale print.
DIVERGING = [
    [0.0, "#b2182b"],
    [0.25, "#ef8a62"],
    [0.5, "#f7f7f7"],
    [0.75, "#67a9cf"],
    [1.0, "#2166ac"],
]
LIKERT_COLOURS = ["#b2182b", "#ef8a62", "#d9d9d9", "#67a9cf", "#2166ac"]
# Print: a fill pattern per series or band, so bars differ without colour.
PATTERNS = ["", "/", ".", "x", "\\", "+", "-", "|"]
BAND_PATTERNS = {"strength": "", "develop": "/", "concern": "x"}
# Cell figures in heatmaps: 12 px is the least a phone reader can read.
CELL_FONT_SIZE = 13
# Above the plot area, clear of axis labels however long or rotated they are (and of the
# top tick label, which stands half above the plot); a title goes over the entries, not
# beside them, so the legend wraps within a phone's width.
LEGEND_ABOVE = {
    "orientation": "h",
    "x": 0,
    "xanchor": "left",
    "y": 1.05,
    "yanchor": "bottom",
    "title": {"side": "top left"},
}


@dataclass
class Chart:
    """A figure plus everything needed to read it without seeing it."""

    key: str
    title: str
    summary: str
    figure: dict[str, Any]
    table_headers: list[str] = field(default_factory=list)
    table_rows: list[list[str]] = field(default_factory=list)
    # Who the figure counts, for the PNG download's subtitle ("190 responses from 7 organisations").
    n_label: str = ""
    # Short name → full name, for each short label on the chart's axes or legend, so that a
    # downloaded PNG names every organisation it shows in full.
    name_key: list[tuple[str, str]] = field(default_factory=list)
    # Below this width (CSS px) the plot scrolls sideways rather than shrinking its cells.
    min_width: int = 0
    medium: Medium = "screen"
    redraw: Callable[..., "Chart"] | None = field(
        default=None, repr=False, compare=False
    )

    @property
    def data_id(self) -> str:
        return f"{self.key}-figure"

    @functools.cached_property
    def figure_script(self) -> SafeString:
        """The figure as the page's JSON script element, serialised once per chart.

        Pages are remembered per analysis (reports.pages), so each chart is escaped once
        per analysis rather than on every view: Django's json_script escaping costs
        milliseconds per figure.
        """
        return json_script(self.figure, self.data_id)

    def for_medium(self, medium: Medium) -> "Chart":
        """Return this chart drawn for the screen or for print (itself if it already is)."""
        if medium == self.medium or self.redraw is None:
            return self
        return self.redraw(medium=medium)


def _redrawable(build: Callable[..., Chart]) -> Callable[..., Chart]:
    """Let the chart a builder returns redraw itself, from the same data, for another medium.

    Every builder also takes `n_label`, who the figure counts ("190 responses from 7
    organisations"); without it the chart counts organisations, pairs or statements, never
    people, so that no count appears that the page does not already show.
    """

    @functools.wraps(build)
    def builder(
        *args: Any, medium: Medium = "screen", n_label: str = "", **kwargs: Any
    ) -> Chart:
        chart = build(*args, medium=medium, **kwargs)
        chart.medium = medium
        # Callers that show a count of people on the page say it here, in the same words.
        chart.n_label = n_label or chart.n_label
        # A partial of the module's builder, not a closure, so that a chart pickles.
        chart.redraw = functools.partial(builder, *args, n_label=n_label, **kwargs)
        return chart

    return builder


def _layout(fig: go.Figure, *, height: int = 420, **kwargs: Any) -> dict[str, Any]:
    layout = {
        "font": {"family": FONT, "color": INK, "size": 14},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
        "legend": LEGEND_ABOVE,
    }
    fig.update_layout(**{**layout, **kwargs})
    return json.loads(fig.to_json())


def _ink(colour: str) -> str:
    """Return black or white, whichever reads better on a hex colour."""
    if not (isinstance(colour, str) and colour.startswith("#") and len(colour) == 7):
        return INK
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return INK if 0.299 * r + 0.587 * g + 0.114 * b > 140 else WHITE


def _pattern(shape: str, colour: str) -> dict[str, Any]:
    return {"shape": shape, "fgcolor": _ink(colour), "size": 7, "solidity": 0.25}


def fmt(value: float | None, digits: int = 1) -> str:
    """Format a figure for tables and summaries; missing values become an en dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    # A true minus, as the sentences write it (reports.narrative.numbers).
    return f"{value:.{digits}f}".replace("-", "−")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def chart_labels(
    ids: list[int], short_names: Mapping[int, str] | None, names: Mapping[int, str]
) -> list[str]:
    """Short names for a chart's axis, falling back to full names; repeats are numbered.

    Plotly merges equal category labels, so two partners sharing a short name would
    otherwise become one bar.
    """
    labels, seen = [], {}
    for oid in ids:
        label = (short_names or {}).get(oid) or names[oid]
        seen[label] = seen.get(label, 0) + 1
        labels.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return labels


def name_key(
    ids: list[int], labels: list[str], full_names: Mapping[int, str]
) -> list[tuple[str, str]]:
    """Pair each chart label with its organisation's full name, where the two differ."""
    return [
        (label, full_names[oid])
        for oid, label in zip(ids, labels, strict=True)
        if label != full_names[oid]
    ]


def rank_organisations(readiness: pd.Series, names: Mapping[int, str]) -> list[int]:
    """Organisations best first by readiness, then by name; those without a figure last."""
    known = readiness.dropna()
    ranked = sorted(known.index, key=lambda o: (-float(known[o]), names[o]))
    rest = sorted((o for o in readiness.index if o not in known.index), key=names.get)
    return [*ranked, *rest]


def _wrap(text: str, width: int, *, lines: int | None = None) -> str:
    """Break a long axis label over lines of at most `width` characters (cut after `lines`)."""
    wrapped = textwrap.wrap(text, width, max_lines=lines, placeholder=" …")
    return "<br>".join(wrapped) or text


@_redrawable
def readiness_bars(
    overall: pd.DataFrame,
    *,
    threshold: int,
    short_names: Mapping[int, str] | None = None,
    medium: Medium = "screen",
) -> Chart:
    """Horizontal bars of overall readiness (0–100) per organisation, best at the top.

    One series per band, so the legend is the key to the colours (and, in print, patterns).
    """
    names = dict(zip(overall["organisation"], overall["name"], strict=True))
    readiness = overall.set_index("organisation")["readiness"].where(
        ~overall.set_index("organisation")["suppressed"].astype(bool)
    )
    order = [o for o in rank_organisations(readiness, names) if pd.notna(readiness[o])]
    shown = overall.set_index("organisation").loc[order].reset_index()
    hidden = overall[overall["suppressed"].astype(bool)]
    shown["label"] = chart_labels(order, short_names, names)
    printed = medium == "print"
    fig = go.Figure()
    for band, colour in BAND_COLOURS.items():
        frame = shown[shown["band"] == band]
        if frame.empty:
            continue
        value = frame["readiness"].round(0).astype(int).astype(str)
        fig.add_bar(
            name=band.capitalize(),
            x=frame["readiness"].round(0),
            y=frame["label"],
            orientation="h",
            marker={
                "color": colour,
                **(
                    {"pattern": {**_pattern(BAND_PATTERNS[band], colour), "size": 8}}
                    if printed
                    else {}
                ),
            },
            text=value + f" · {band}" if printed else value,
            textposition="outside",
            cliponaxis=False,
            customdata=frame["name"],
            hovertemplate="%{customdata}: %{x:.0f} of 100<extra></extra>",
        )
    fig.update_xaxes(
        range=[0, 118 if printed else 105],
        title="Readiness (0–100)",
        gridcolor="#e5e5e5",
    )
    fig.update_yaxes(
        categoryorder="array", categoryarray=list(shown["label"]), autorange="reversed"
    )
    figure = _layout(
        fig,
        height=max(260, 48 * len(shown) + 110),
        barmode="overlay",
        legend={**LEGEND_ABOVE, "title": {"text": "Band", "side": "top left"}},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )
    summary = "No organisation has enough responses yet."
    if len(shown):
        best, worst = shown.iloc[0], shown.iloc[-1]
        summary = narrative.lowest_to_highest(
            measure="overall readiness",
            low_name=str(worst["name"]),
            low=Estimate(float(worst["readiness"])),
            high_name=str(best["name"]),
            high=Estimate(float(best["readiness"])),
        )
    if len(hidden):
        summary += f" Not shown: {', '.join(hidden['name'])} (fewer than {threshold} responses)."
    rows = [
        [r.name, fmt(r.readiness, 0), r.band.capitalize()] for r in shown.itertuples()
    ]
    rows += [
        [name, f"Fewer than {threshold} responses", "–"] for name in hidden["name"]
    ]
    return Chart(
        "readiness",
        "Overall readiness by organisation",
        summary,
        figure,
        ["Organisation", "Readiness (0–100)", "Band"],
        rows,
        n_label=_plural(len(order), "organisation"),
        name_key=name_key(order, list(shown["label"]), names),
    )


@_redrawable
def dimension_heatmap(
    org_scores: pd.DataFrame,
    *,
    dimensions: pd.DataFrame,
    names: dict[int, str],
    threshold: int,
    short_names: Mapping[int, str] | None = None,
    medium: Medium = "screen",
) -> Chart:
    """Organisation × dimension heatmap of mean scores; suppressed cells are empty.

    Rows run in the readiness chart's order (best first), so the two read side by side.
    """
    titles = dict(zip(dimensions["dimension"], dimensions["title"], strict=True))
    order = list(dimensions["dimension"])
    overall = scoring.overall_readiness(org_scores).set_index("organisation")
    rows_order = rank_organisations(
        overall["readiness"].where(~overall["suppressed"]), names
    )
    grid = org_scores.pivot(index="organisation", columns="dimension", values="mean")
    grid = grid.reindex(index=rows_order, columns=order)
    z = grid.to_numpy()
    text = [
        [fmt(v) if not math.isnan(v) else f"<{threshold}" for v in row] for row in z
    ]
    labels = chart_labels(rows_order, short_names, names)
    fig = go.Figure(
        go.Heatmap(
            z=[[None if math.isnan(v) else round(v, 2) for v in row] for row in z],
            x=[_wrap(titles[d], 18) for d in order],
            y=labels,
            zmin=1,
            zmax=5,
            colorscale=DIVERGING,
            text=text,
            texttemplate="%{text}",
            textfont={"size": CELL_FONT_SIZE},
            customdata=[[names[o]] * len(order) for o in rows_order],
            hovertemplate="%{customdata}<br>%{x}: %{z:.2f}<extra></extra>",
            xgap=2,
            ygap=2,
            colorbar={
                "title": {"text": "Mean (1–5)"},
                "tickvals": [1, 2, 3, 4, 5],
                "thickness": 14,
            },
        )
    )
    fig.update_xaxes(tickangle=-45 if medium == "print" else -40, side="top")
    fig.update_yaxes(autorange="reversed")
    figure = _layout(fig, height=max(320, 40 * len(grid) + 200))
    shown = org_scores[~org_scores["suppressed"]]
    summary = "No organisation has enough responses yet."
    if len(shown):
        low, high = shown.loc[shown["mean"].idxmin()], shown.loc[shown["mean"].idxmax()]
        summary = (
            f"Highest: {names[high['organisation']]} on {titles[high['dimension']]} "
            f"({fmt(high['mean'], 2)}). Lowest: {names[low['organisation']]} on "
            f"{titles[low['dimension']]} ({fmt(low['mean'], 2)}). Rows run from the most "
            f"to the least ready. Empty cells have fewer than {threshold} responses."
        )
    rows = [[names[o], *row] for o, row in zip(grid.index, text, strict=True)]
    return Chart(
        "heatmap",
        "Scores by organisation and dimension",
        summary,
        figure,
        ["Organisation", *[titles[d] for d in order]],
        rows,
        n_label=_plural(shown["organisation"].nunique(), "organisation"),
        name_key=name_key(rows_order, labels, names),
        min_width=52 * len(order) + 9 * max(map(len, labels), default=0) + 120,
    )


def _widest_sector_difference(
    shown: pd.DataFrame, means: pd.DataFrame, titles: Mapping[str, str]
) -> str:
    """Where sector groups differ most, said only if the interval allowing for every
    group pair on every dimension (Welch, level 1 − .05/m) excludes zero (§6.8)."""
    spread = (means.max(axis=1) - means.min(axis=1)).dropna()
    widest = spread.idxmax()
    high_group, low_group = means.loc[widest].idxmax(), means.loc[widest].idxmin()
    cells = shown.set_index(["sector_group", "dimension"])
    high, low = cells.loc[(high_group, widest)], cells.loc[(low_group, widest)]
    groups = means.shape[1]
    compared = len(spread) * groups * (groups - 1) // 2
    difference, d_low, d_high = scoring.welch_interval(
        high["mean"],
        high["sd"],
        int(high["n"]),
        low["mean"],
        low["sd"],
        int(low["n"]),
        level=1 - 0.05 / max(compared, 1),
    )
    return narrative.largest_difference(
        groups="sector groups",
        dimension=titles[widest],
        high_name=high_group,
        high=Estimate(float(high["mean"]), n=int(high["n"])),
        low_name=low_group,
        low=Estimate(float(low["mean"]), n=int(low["n"])),
        difference=Estimate(difference, low=d_low, high=d_high),
    )


@_redrawable
def sector_bars(
    sector_scores: pd.DataFrame,
    *,
    dimensions: pd.DataFrame,
    threshold: int,
    medium: Medium = "screen",
) -> Chart:
    """Grouped sideways bars of mean score per dimension for each sector group."""
    titles = dict(zip(dimensions["dimension"], dimensions["title"], strict=True))
    order = list(dimensions["dimension"])
    palette = [BRAND, ACCENT, "#e9c46a", PARTNER, "#8d99ae"]
    fig = go.Figure()
    shown = sector_scores[~sector_scores["suppressed"]]
    for index, (colour, (group, frame)) in enumerate(
        zip(palette * 3, shown.groupby("sector_group"), strict=False)
    ):
        frame = frame.set_index("dimension").reindex(order)
        fig.add_bar(
            name=group,
            y=[_wrap(titles[d], 18) for d in order],
            x=frame["mean"].round(2),
            orientation="h",
            marker={
                "color": colour,
                **(
                    {"pattern": _pattern(PATTERNS[index % len(PATTERNS)], colour)}
                    if medium == "print"
                    else {}
                ),
            },
            error_x={
                "type": "data",
                "symmetric": False,
                "array": (frame["ci_high"] - frame["mean"]).round(2),
                "arrayminus": (frame["mean"] - frame["ci_low"]).round(2),
                "color": "#505a5f",
                "thickness": 1,
            },
            customdata=[titles[d] for d in order],
            hovertemplate=f"{group}<br>%{{customdata}}: %{{x:.2f}}<extra></extra>",
        )
    # Sideways bars: dimension names read across, and a phone needs no sideways scroll.
    fig.update_xaxes(range=[1, 5], title="Mean (1–5)", gridcolor="#e5e5e5")
    fig.update_yaxes(autorange="reversed")
    groups = shown["sector_group"].nunique()
    figure = _layout(
        fig,
        height=max(360, len(order) * (14 * groups + 24) + 140),
        barmode="group",
        bargap=0.25,
        legend={**LEGEND_ABOVE, "title": {"text": "Sector group", "side": "top left"}},
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
    )
    gaps = (
        shown.pivot(index="dimension", columns="sector_group", values="mean")
        if len(shown)
        else pd.DataFrame()
    )
    summary = "Not enough responses in any sector group yet."
    if gaps.shape[1] >= 2:
        summary = _widest_sector_difference(shown, gaps, titles)
    summary += f" Organisations with fewer than {threshold} responses are left out of every group."
    rows = [
        [
            r.sector_group,
            titles[r.dimension],
            f"Fewer than {threshold} responses" if r.suppressed else fmt(r.mean, 2),
            "–" if r.suppressed else f"{fmt(r.ci_low, 2)}–{fmt(r.ci_high, 2)}",
        ]
        for r in sector_scores.itertuples()
    ]
    return Chart(
        "sectors",
        "Readiness by sector group",
        summary,
        figure,
        ["Sector group", "Dimension", "Mean (1–5)", "95% interval"],
        rows,
        n_label=_plural(shown["sector_group"].nunique(), "sector group"),
    )


def _profile_differences(
    differences: pd.DataFrame | None, order: list[str]
) -> list[tuple[str, Estimate]]:
    """(dimension, difference with its adjusted interval), in dimension order."""
    if differences is None or differences.empty:
        return []
    rows = differences.set_index("dimension")
    return [
        (
            d,
            Estimate(
                None
                if pd.isna(rows.at[d, "difference"])
                else float(rows.at[d, "difference"]),
                low=None if pd.isna(rows.at[d, "low"]) else float(rows.at[d, "low"]),
                high=None if pd.isna(rows.at[d, "high"]) else float(rows.at[d, "high"]),
            ),
        )
        for d in order
        if d in rows.index
    ]


def _gap_value(gap: tuple[str, Estimate]) -> float:
    return float(gap[1].value)  # type: ignore[arg-type]


@_redrawable
def radar(
    profile: pd.DataFrame,
    average: pd.DataFrame,
    *,
    key: str,
    dimensions: pd.DataFrame,
    name: str,
    other: pd.DataFrame | None = None,
    other_name: str = "",
    short_name: str = "",
    differences: pd.DataFrame | None = None,
    medium: Medium = "screen",
) -> Chart:
    """Radar of one organisation's dimension means (with its 95% band) against a comparison.

    The legend uses `short_name` when given; the title, summary and table use `name`.
    `differences` (dimension, difference, low, high: this profile minus the comparison, with
    intervals allowing for every dimension compared) decides which sentences may be written.
    """
    titles = dict(zip(dimensions["dimension"], dimensions["title"], strict=True))
    order = list(dimensions["dimension"])
    mine = profile.set_index("dimension").reindex(order)
    theta = [_wrap(titles[d], 13) for d in order] + [_wrap(titles[order[0]], 13)]
    label = short_name or name

    def closed(series: pd.Series) -> list[float | None]:
        values = [None if pd.isna(v) else round(float(v), 2) for v in series]
        return [*values, values[0]]

    printed = medium == "print"
    fig = go.Figure()
    fig.add_scatterpolar(
        r=closed(mine["ci_high"]),
        theta=theta,
        mode="lines",
        line={"width": 0},
        showlegend=False,
        hoverinfo="skip",
    )
    fig.add_scatterpolar(
        r=closed(mine["ci_low"]),
        theta=theta,
        mode="lines",
        fill="tonext",
        fillcolor="rgba(29,53,87,0.15)",
        line={"width": 0},
        name=f"{label}: 95% interval",
        hoverinfo="skip",
    )
    fig.add_scatterpolar(
        r=closed(mine["mean"]),
        theta=theta,
        name=label,
        mode="lines+markers",
        line={"color": BRAND, "width": 3, "dash": "solid"},
        marker={"symbol": "circle", "size": 9 if printed else 6},
        hovertemplate="%{theta}: %{r:.2f}<extra>" + name + "</extra>",
    )
    compare = other if other is not None else average
    compare_name = other_name or "Partnership average"
    theirs = compare.set_index("dimension").reindex(order)
    fig.add_scatterpolar(
        r=closed(theirs["mean"]),
        theta=theta,
        name=compare_name,
        mode="lines+markers",
        line={
            "color": PARTNER if other is not None else AVERAGE,
            "width": 2,
            # Print: the comparison is always dashed with squares, whatever its colour.
            "dash": "dash" if printed or other is None else "solid",
        },
        marker={
            "symbol": "square" if printed else "circle",
            "size": 9 if printed else 6,
        },
        hovertemplate="%{theta}: %{r:.2f}<extra>" + compare_name + "</extra>",
    )
    fig.update_polars(
        radialaxis={"range": [1, 5], "tickvals": [1, 2, 3, 4, 5]},
        angularaxis={"direction": "clockwise"},
    )
    figure = _layout(
        fig,
        height=580,
        # Room on every side for dimension names of up to three lines.
        margin={"l": 100, "r": 100, "t": 110, "b": 70},
        # Well above the circle: the top dimension's name stands three lines above it.
        legend={**LEGEND_ABOVE, "y": 1.16},
    )
    summary = f"Not enough responses to compare {name} with {compare_name.lower()}."
    gaps = [
        (titles[d], gap)
        for d, gap in _profile_differences(differences, order)
        if gap.known
    ]
    if gaps:
        # Of the dimensions clearly above (below), the furthest: a wider interval on the
        # largest difference must not hide a clear one beside it.
        clear = [g for g in gaps if g[1].excludes(0)]
        above = max((g for g in clear if g[1].value > 0), default=None, key=_gap_value)
        below = min((g for g in clear if g[1].value < 0), default=None, key=_gap_value)
        summary = (
            narrative.furthest_from(
                name=name,
                against="the " + compare_name.lower()
                if other is None
                else compare_name,
                above=above,
                below=below,
            )
            + f" The shaded band is {name}'s 95% interval."
        )
    rows = [
        [
            titles[d],
            fmt(mine.at[d, "mean"], 2),
            f"{fmt(mine.at[d, 'ci_low'], 2)}–{fmt(mine.at[d, 'ci_high'], 2)}",
            fmt(theirs.at[d, "mean"], 2),
        ]
        for d in order
    ]
    against = compare_name.lower() if other is None else compare_name
    return Chart(
        key,
        f"{name}: profile against {against}",
        summary,
        figure,
        ["Dimension", name, "95% interval", compare_name],
        rows,
        n_label=f"{label} against {compare_name.lower() if other is None else compare_name}",
        name_key=[(label, name)] if label != name else [],
    )


@_redrawable
def item_distribution_bars(
    distribution: pd.DataFrame,
    *,
    items: pd.DataFrame,
    labels: list[str],
    dont_know: str,
    medium: Medium = "screen",
) -> Chart:
    """Diverging stacked bars of each statement's answers, the favourable end always on the right.

    Reverse-worded statements (R) are drawn the other way round: their disagreement is the
    favourable answer, so it goes right and takes the favourable colours. Hover text and
    the table give the answers as people chose them.
    """
    texts = dict(zip(items["item"], items["text"], strict=True))
    reverse = {
        code: bool(r) for code, r in zip(items["item"], items["reverse"], strict=True)
    }
    order = [i for i in items["item"] if i in set(distribution["item"])]
    share = (
        distribution.pivot_table(
            index="item", columns="value", values="share", aggfunc="sum", fill_value=0.0
        )
        .reindex(order)
        .fillna(0.0)
    )

    def answered(code: str, position: int) -> int:
        """The answer drawn at a position (1 = least favourable … 5 = most)."""
        return int(scoring.reverse_score(position)) if reverse[code] else position

    def shares(position: int) -> pd.Series:
        return pd.Series(
            [
                float(share.at[c, answered(c, position)])
                if answered(c, position) in share.columns
                else 0.0
                for c in order
            ],
            index=order,
            dtype=float,
        )

    y = [
        _wrap(f"{code}{' (R)' if reverse[code] else ''}: {texts[code]}", 34, lines=2)
        for code in order
    ]
    fig = go.Figure()
    # Neutral is split either side of zero so that the two ends read outwards.
    neutral = shares(3) * 50
    bars = [
        (3, -neutral, False),
        (2, -shares(2) * 100, True),
        (1, -shares(1) * 100, True),
        (3, neutral, True),
        (4, shares(4) * 100, True),
        (5, shares(5) * 100, True),
    ]
    for position, values, in_legend in bars:
        literal = [labels[answered(c, position) - 1] for c in order]
        fig.add_bar(
            # The legend names the favourable reading; hover gives the answer as chosen.
            name=labels[position - 1],
            x=values.round(1),
            y=y,
            orientation="h",
            marker={
                "color": LIKERT_COLOURS[position - 1],
                "line": {"width": 0},
            },
            showlegend=in_legend,
            legendrank=position,
            customdata=list(zip(values.abs().round(0), literal, strict=True)),
            hovertemplate="%{y}<br>%{customdata[1]}: %{customdata[0]:.0f}%<extra></extra>",
        )
    fig.update_xaxes(
        range=[-100, 100],
        tickvals=[-100, -50, 0, 50, 100],
        ticktext=["100%", "50%", "0", "50%", "100%"],
        title="← less favourable    ·    more favourable →",
        gridcolor="#e5e5e5",
    )
    fig.update_yaxes(autorange="reversed")
    figure = _layout(
        fig,
        height=max(320, 40 * len(order) + 170),
        barmode="relative",
        legend={
            **LEGEND_ABOVE,
            "title": {"text": "Answer (R: reversed)", "side": "top left"},
            "traceorder": "normal",
        },
        margin={"l": 10, "r": 10, "t": 70, "b": 10},
    )
    favourable = shares(4) + shares(5) if len(order) else pd.Series(dtype=float)
    summary = "No answers yet."
    if len(order):
        top, bottom = favourable.idxmax(), favourable.idxmin()
        said = {c: texts[c] + (" (R)" if reverse[c] else "") for c in (top, bottom)}
        summary = (
            f"Most favourable: {said[top]} ({favourable[top]:.0%} favourable). Least "
            f"favourable: {said[bottom]} ({favourable[bottom]:.0%}). Favourable answers "
            "are on the right: for reverse-worded statements (R) that means disagreeing."
        )
    rows = [
        [
            texts[code] + (" (R)" if reverse[code] else ""),
            *[
                f"{share.at[code, v]:.0%}" if v in share.columns else "0%"
                for v in (1, 2, 3, 4, 5)
            ],
            f"{share.at[code, 'dk']:.0%}" if "dk" in share.columns else "0%",
        ]
        for code in order
    ]
    return Chart(
        "items",
        "How people answered each statement",
        summary,
        figure,
        ["Statement", *labels, dont_know],
        rows,
        n_label=_plural(len(order), "statement"),
        min_width=600,
    )


FIT_MEASURES = {
    "fit": ("Cultural fit", "fit"),
    "trust": ("Mutual trust", "mutual_trust"),
    "shape": ("Shape similarity", "shape_similarity"),
    "culture": ("Culture-profile overlap", "culture_fit"),
}


@_redrawable
def fit_heatmap(
    pairs: pd.DataFrame,
    *,
    measure: str,
    order: list[int],
    names: dict[int, str],
    threshold: int,
    links: dict[tuple[int, int], str] | None = None,
    full_names: Mapping[int, str] | None = None,
    medium: Medium = "screen",
) -> Chart:
    """Heatmap of a pairwise measure for every ordered pair (row = A, column = B).

    `names` label the axes (short names); `full_names`, when given, the hover text and table.
    On a narrow screen the matrix scrolls sideways (see `min_width`) rather than shrinking
    its figures.
    """
    title, column = FIT_MEASURES[measure]
    full = {**names, **(full_names or {})}
    grid = pairs.pivot(index="organisation_a", columns="organisation_b", values=column)
    grid = grid.reindex(index=order, columns=order)
    scale = (-1, 1) if measure == "shape" else (0, 100)
    z = [
        [None if pd.isna(v) else round(float(v), 2) for v in row]
        for row in grid.to_numpy()
    ]
    digits = 2 if measure == "shape" else 0
    text = [
        [
            "" if a == b else (fmt(v, digits) if v is not None else "–")
            for b, v in zip(order, row, strict=True)
        ]
        for a, row in zip(order, z, strict=True)
    ]
    labels = chart_labels(order, names, names)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=labels,
            y=labels,
            zmin=scale[0],
            zmax=scale[1],
            colorscale=DIVERGING,
            text=text,
            texttemplate="%{text}",
            textfont={"size": CELL_FONT_SIZE},
            xgap=2,
            ygap=2,
            hovertemplate="%{customdata[1]} → %{customdata[2]}<br>"
            + title
            + ": %{z}<extra></extra>",
            # charts.js follows a cell's link when it is clicked; the table below links too.
            customdata=[
                [[(links or {}).get((a, b), ""), full[a], full[b]] for b in order]
                for a in order
            ],
            colorbar={"title": {"text": title}, "thickness": 14},
        )
    )
    fig.update_xaxes(side="top", tickangle=-45, title="Partner B")
    fig.update_yaxes(autorange="reversed", title="Organisation A")
    figure = _layout(fig, height=max(360, 44 * len(order) + 200))
    shown = pairs.dropna(subset=[column])
    summary = "No pair has enough responses yet."
    if len(shown):
        best, worst = (
            shown.loc[shown[column].idxmax()],
            shown.loc[shown[column].idxmin()],
        )
        summary = (
            f"{title} is highest for {full[best['organisation_a']]} and "
            f"{full[best['organisation_b']]} ({fmt(best[column], digits)}) and lowest for "
            f"{full[worst['organisation_a']]} and {full[worst['organisation_b']]} "
            f"({fmt(worst[column], digits)}). Empty cells: a side has fewer than {threshold} "
            "responses or ratings."
        )
    rows = [
        [full[a], *[t or "–" for t in row]] for a, row in zip(order, text, strict=True)
    ]
    reported = int(len(shown) // 2) if len(shown) else 0
    return Chart(
        f"fit-{measure}",
        f"{title} for every pair of partners",
        summary,
        figure,
        ["A \\ B", *labels],
        rows,
        n_label=f"{_plural(reported, 'pair')} of {len(order)} organisations reported",
        name_key=name_key(order, labels, full),
        # Cells at least 44 px wide keep their 13 px figures whole.
        min_width=44 * len(order) + 9 * max(map(len, labels), default=0) + 150,
    )


@_redrawable
def gap_chart(
    gaps: pd.DataFrame,
    *,
    dimensions: pd.DataFrame,
    name_a: str,
    name_b: str,
    medium: Medium = "screen",
) -> Chart:
    """Dot-and-whisker chart of per-dimension gaps (A − B) with 95% intervals.

    Clear and unclear gaps are two series, so the legend is the key; in print they also
    differ by marker shape and carry their values.
    """
    titles = dict(zip(dimensions["dimension"], dimensions["title"], strict=True))
    frame = gaps.iloc[::-1]
    printed = medium == "print"
    fig = go.Figure()
    for clear, name, colour, symbol in (
        (True, "Clear gap", BAND_COLOURS["concern"], "diamond"),
        (False, "Not clear", BRAND, "circle-open"),
    ):
        part = frame[frame["clear"].astype(bool) == clear]
        fig.add_scatter(
            name=name,
            x=part["gap"].round(2),
            y=[_wrap(titles[d], 20) for d in part["dimension"]],
            mode="markers+text" if printed else "markers",
            marker={
                "size": 12,
                "color": colour,
                "symbol": symbol if printed else "circle",
                "line": {"width": 2, "color": colour},
            },
            texttemplate="%{x:+.2f}" if printed else None,
            textposition="top center",
            textfont={"size": 11},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": (part["ci_high"] - part["gap"]).round(2),
                "arrayminus": (part["gap"] - part["ci_low"]).round(2),
                "color": "#505a5f",
            },
            hovertemplate="%{y}: %{x:+.2f}<extra>" + name + "</extra>",
        )
    fig.add_vline(x=0, line_color=INK, line_width=1)
    fig.update_xaxes(zeroline=False, gridcolor="#e5e5e5")
    fig.update_yaxes(
        categoryorder="array",
        categoryarray=[_wrap(titles[d], 20) for d in frame["dimension"]],
    )
    # Which way is which, under the axis at either end (an axis title would not fit a phone).
    sides = [
        {
            "text": text,
            "xref": "paper",
            "yref": "paper",
            "x": x,
            "y": 0,
            "xanchor": anchor,
            "yanchor": "top",
            "yshift": shift,
            "showarrow": False,
        }
        for text, x, anchor, shift in (
            (f"← {name_b} higher", 0, "left", -28),
            (f"{name_a} higher →", 1, "right", -48),
        )
    ]
    figure = _layout(
        fig,
        height=max(320, 40 * len(frame) + 170),
        margin={"l": 10, "r": 10, "t": 50, "b": 80},
        annotations=sides,
        # The key stays even when every gap is of one kind.
        showlegend=True,
    )
    clear = gaps[gaps["clear"]]
    summary = (
        f"{len(clear)} clear gap{'s' if len(clear) != 1 else ''} (significant after "
        f"Holm's correction across the {len(gaps)} dimensions compared, and at least half "
        "a scale point)."
        if len(gaps)
        else "Not enough responses to compare these two organisations."
    )
    rows = [
        [
            titles[r.dimension],
            fmt(r.mean_a, 2),
            fmt(r.mean_b, 2),
            signed(r.gap, 2),
            f"{fmt(r.ci_low, 2)} to {fmt(r.ci_high, 2)}",
            f"{fmt(r.sim_ci_low, 2)} to {fmt(r.sim_ci_high, 2)}",
            fmt(r.effect_size, 2),
            "Yes" if r.clear else "No",
        ]
        for r in gaps.itertuples()
    ]
    return Chart(
        "gaps",
        "Gaps by dimension, largest first",
        summary,
        figure,
        [
            "Dimension",
            name_a,
            name_b,
            "Gap",
            "95% interval",
            f"Interval for all {len(gaps)} at once",
            "Effect size (g)",
            "Clear gap",
        ],
        rows,
        n_label=f"{name_a} and {name_b}, {_plural(len(gaps), 'dimension')} compared",
    )


CULTURE_TYPES = {
    "H": "Hierarchist (rules, authority)",
    "I": "Individualist (targets, reward)",
    "E": "Egalitarian (shared values)",
    "F": "Fatalist (things done to us)",
}


def _lead(row) -> Estimate | None:
    """The strongest culture type's lead over the next, with its interval, if computed."""
    value = getattr(row, "lead", None)
    if value is None or pd.isna(value):
        return None
    low, high = getattr(row, "lead_low", None), getattr(row, "lead_high", None)
    if low is None or high is None or pd.isna(low) or pd.isna(high):
        return Estimate(float(value))
    return Estimate(float(value), low=float(low), high=float(high))


@_redrawable
def culture_bars(
    culture: pd.DataFrame,
    *,
    names: dict[int, str],
    threshold: int,
    key: str = "culture",
    short_names: Mapping[int, str] | None = None,
    medium: Medium = "screen",
) -> Chart:
    """Grouped bars of each organisation's culture profile (points out of 100)."""
    shown = culture[~culture["suppressed"]]
    ids = list(shown["organisation"])
    labels = chart_labels(ids, short_names, names)
    printed = medium == "print"
    fig = go.Figure()
    for index, (colour, (letter, label)) in enumerate(
        zip([BRAND, "#e9c46a", ACCENT, PARTNER], CULTURE_TYPES.items(), strict=True)
    ):
        fig.add_bar(
            name=label,
            x=labels,
            y=shown[letter].round(1),
            marker={
                "color": colour,
                **({"pattern": _pattern(PATTERNS[index], colour)} if printed else {}),
            },
            texttemplate="%{y:.0f}" if printed else None,
            textposition="outside" if printed else "none",
            textfont={"size": 11},
            cliponaxis=False,
            customdata=[names[o] for o in ids],
            hovertemplate="%{customdata}<br>" + label + ": %{y:.0f}<extra></extra>",
        )
    fig.update_yaxes(range=[0, 70], title="Points out of 100", gridcolor="#e5e5e5")
    figure = _layout(
        fig,
        height=460,
        barmode="group",
        legend={**LEGEND_ABOVE, "title": {"text": "Culture type", "side": "top left"}},
        margin={"l": 10, "r": 10, "t": 70, "b": 10},
    )
    summary = "Not enough culture-profile answers yet."
    if len(shown):
        # One sentence per organisation from the narrative rules: "strongest" only with
        # an interval that supports it (issue 14: "Strongest type: … hierarchist").
        summary = " ".join(
            narrative.culture_type(
                name=names[row.organisation],
                profile={t: float(getattr(row, t)) for t in CULTURE_TYPES},
                lead=_lead(row),
            )
            for row in shown.itertuples()
        )
    hidden = culture[culture["suppressed"]]
    if len(hidden):
        summary += f" Not shown: {len(hidden)} with fewer than {threshold} answers."
    rows = [
        [names[r.organisation], *[fmt(getattr(r, t), 0) for t in CULTURE_TYPES]]
        for r in shown.itertuples()
    ]
    return Chart(
        key,
        "Culture profile",
        summary,
        figure,
        ["Organisation", *CULTURE_TYPES.values()],
        rows,
        n_label=_plural(len(shown), "organisation"),
        name_key=name_key(ids, labels, names),
    )
