"""Plotly figures for the dashboards, each with a title, a text summary and a data table.

Figures travel to the browser as JSON (json_script) and are drawn by static/js/charts.js.
Suppressed groups never reach a figure: their points are left out or set to null.
"""

import json
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import plotly.graph_objects as go

FONT = "Arial, Helvetica, sans-serif"
INK = "#0b0c0c"
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


@dataclass
class Chart:
    """A figure plus everything needed to read it without seeing it."""

    key: str
    title: str
    summary: str
    figure: dict[str, Any]
    table_headers: list[str] = field(default_factory=list)
    table_rows: list[list[str]] = field(default_factory=list)

    @property
    def data_id(self) -> str:
        return f"{self.key}-figure"


def _layout(fig: go.Figure, *, height: int = 420, **kwargs: Any) -> dict[str, Any]:
    layout = {
        "font": {"family": FONT, "color": INK, "size": 14},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
        "legend": {"orientation": "h", "y": -0.15},
    }
    fig.update_layout(**{**layout, **kwargs})
    return json.loads(fig.to_json())


def fmt(value: float | None, digits: int = 1) -> str:
    """Format a figure for tables and summaries; missing values become an en dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.{digits}f}"


def readiness_bars(overall: pd.DataFrame, *, threshold: int) -> Chart:
    """Horizontal bars of overall readiness (0–100) per organisation, best first."""
    shown = overall[~overall["suppressed"]].sort_values("readiness")
    hidden = overall[overall["suppressed"]]
    fig = go.Figure(
        go.Bar(
            x=shown["readiness"].round(0),
            y=shown["name"],
            orientation="h",
            marker_color=[BAND_COLOURS[b] for b in shown["band"]],
            text=shown["readiness"].round(0).astype(int).astype(str),
            textposition="outside",
            hovertemplate="%{y}: %{x:.0f} of 100<extra></extra>",
        )
    )
    fig.update_xaxes(range=[0, 105], title="Readiness (0–100)", gridcolor="#e5e5e5")
    figure = _layout(fig, height=max(260, 48 * len(shown) + 80))
    best, worst = shown.iloc[-1:], shown.iloc[:1]
    summary = (
        f"Readiness ranges from {fmt(worst['readiness'].iloc[0], 0)} ({worst['name'].iloc[0]}) "
        f"to {fmt(best['readiness'].iloc[0], 0)} ({best['name'].iloc[0]})."
        if len(shown)
        else "No organisation has enough responses yet."
    )
    if len(hidden):
        summary += f" Not shown: {', '.join(hidden['name'])} (fewer than {threshold} responses)."
    rows = [
        [r.name, fmt(r.readiness, 0), r.band.capitalize()]
        for r in shown.sort_values("readiness", ascending=False).itertuples()
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
    )


def dimension_heatmap(
    org_scores: pd.DataFrame,
    *,
    dimensions: pd.DataFrame,
    names: dict[int, str],
    threshold: int,
) -> Chart:
    """Organisation × dimension heatmap of mean scores; suppressed cells are empty."""
    titles = dict(zip(dimensions["dimension"], dimensions["title"], strict=True))
    order = list(dimensions["dimension"])
    grid = org_scores.pivot(index="organisation", columns="dimension", values="mean")
    grid = grid.reindex(columns=order)
    z = grid.to_numpy()
    text = [
        [fmt(v) if not math.isnan(v) else f"<{threshold}" for v in row] for row in z
    ]
    fig = go.Figure(
        go.Heatmap(
            z=[[None if math.isnan(v) else round(v, 2) for v in row] for row in z],
            x=[titles[d] for d in order],
            y=[names[o] for o in grid.index],
            zmin=1,
            zmax=5,
            colorscale=DIVERGING,
            text=text,
            texttemplate="%{text}",
            hovertemplate="%{y}<br>%{x}: %{z:.2f}<extra></extra>",
            xgap=2,
            ygap=2,
            colorbar={"title": {"text": "Mean (1–5)"}, "tickvals": [1, 2, 3, 4, 5]},
        )
    )
    fig.update_xaxes(tickangle=-30, side="top")
    fig.update_yaxes(autorange="reversed")
    figure = _layout(fig, height=max(320, 44 * len(grid) + 200))
    shown = org_scores[~org_scores["suppressed"]]
    summary = "No organisation has enough responses yet."
    if len(shown):
        low, high = shown.loc[shown["mean"].idxmin()], shown.loc[shown["mean"].idxmax()]
        summary = (
            f"Highest: {names[high['organisation']]} on {titles[high['dimension']]} "
            f"({fmt(high['mean'], 2)}). Lowest: {names[low['organisation']]} on "
            f"{titles[low['dimension']]} ({fmt(low['mean'], 2)}). Empty cells have fewer than "
            f"{threshold} responses."
        )
    rows = [[names[o], *row] for o, row in zip(grid.index, text, strict=True)]
    return Chart(
        "heatmap",
        "Scores by organisation and dimension",
        summary,
        figure,
        ["Organisation", *[titles[d] for d in order]],
        rows,
    )


def sector_bars(
    sector_scores: pd.DataFrame, *, dimensions: pd.DataFrame, threshold: int
) -> Chart:
    """Grouped bars of mean score per dimension for each sector group."""
    titles = dict(zip(dimensions["dimension"], dimensions["title"], strict=True))
    order = list(dimensions["dimension"])
    palette = [BRAND, ACCENT, "#e9c46a", PARTNER, "#8d99ae"]
    fig = go.Figure()
    shown = sector_scores[~sector_scores["suppressed"]]
    for colour, (group, frame) in zip(
        palette * 3, shown.groupby("sector_group"), strict=False
    ):
        frame = frame.set_index("dimension").reindex(order)
        fig.add_bar(
            name=group,
            x=[titles[d] for d in order],
            y=frame["mean"].round(2),
            marker_color=colour,
            error_y={
                "type": "data",
                "symmetric": False,
                "array": (frame["ci_high"] - frame["mean"]).round(2),
                "arrayminus": (frame["mean"] - frame["ci_low"]).round(2),
                "color": "#505a5f",
                "thickness": 1,
            },
            hovertemplate=f"{group}<br>%{{x}}: %{{y:.2f}}<extra></extra>",
        )
    fig.update_yaxes(range=[1, 5], title="Mean (1–5)", gridcolor="#e5e5e5")
    fig.update_xaxes(tickangle=-30)
    figure = _layout(fig, height=460, barmode="group")
    gaps = (
        shown.pivot(index="dimension", columns="sector_group", values="mean")
        if len(shown)
        else pd.DataFrame()
    )
    summary = "Not enough responses in any sector group yet."
    if gaps.shape[1] >= 2:
        spread = (gaps.max(axis=1) - gaps.min(axis=1)).dropna()
        widest = spread.idxmax()
        summary = (
            f"Sectors differ most on {titles[widest]}: "
            f"{gaps.loc[widest].idxmax()} {fmt(gaps.loc[widest].max(), 2)} against "
            f"{gaps.loc[widest].idxmin()} {fmt(gaps.loc[widest].min(), 2)}."
        )
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
    )


def radar(
    profile: pd.DataFrame,
    average: pd.DataFrame,
    *,
    key: str,
    dimensions: pd.DataFrame,
    name: str,
    other: pd.DataFrame | None = None,
    other_name: str = "",
) -> Chart:
    """Radar of one organisation's dimension means (with its 95% band) against a comparison."""
    titles = dict(zip(dimensions["dimension"], dimensions["title"], strict=True))
    order = list(dimensions["dimension"])
    mine = profile.set_index("dimension").reindex(order)
    theta = [titles[d] for d in order] + [titles[order[0]]]

    def closed(series: pd.Series) -> list[float | None]:
        values = [None if pd.isna(v) else round(float(v), 2) for v in series]
        return [*values, values[0]]

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
        name=f"{name}: 95% interval",
        hoverinfo="skip",
    )
    fig.add_scatterpolar(
        r=closed(mine["mean"]),
        theta=theta,
        name=name,
        mode="lines+markers",
        line={"color": BRAND, "width": 3},
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
            "dash": "solid" if other is not None else "dash",
        },
        hovertemplate="%{theta}: %{r:.2f}<extra>" + compare_name + "</extra>",
    )
    fig.update_polars(
        radialaxis={"range": [1, 5], "tickvals": [1, 2, 3, 4, 5]},
        angularaxis={"direction": "clockwise"},
    )
    figure = _layout(fig, height=520, margin={"l": 90, "r": 90, "t": 40, "b": 40})
    diff = (mine["mean"] - theirs["mean"]).dropna()
    summary = f"Not enough responses to compare {name} with {compare_name.lower()}."
    if len(diff):
        above, below = diff.idxmax(), diff.idxmin()
        summary = (
            f"Compared with {'the ' + compare_name.lower() if other is None else compare_name}, {name} is "
            f"furthest above on {titles[above]} ({diff[above]:+.2f}) and furthest below on "
            f"{titles[below]} ({diff[below]:+.2f}). The shaded band is {name}'s 95% interval."
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
    )


def item_distribution_bars(
    distribution: pd.DataFrame,
    *,
    items: pd.DataFrame,
    labels: list[str],
    dont_know: str,
) -> Chart:
    """Diverging stacked bars: the share of each answer to each item, centred on neutral."""
    texts = dict(zip(items["item"], items["text"], strict=True))
    reverse_marks = dict(zip(items["item"], items["reverse"], strict=True))
    order = [i for i in items["item"] if i in set(distribution["item"])]
    share = (
        distribution.pivot_table(
            index="item", columns="value", values="share", aggfunc="sum", fill_value=0.0
        )
        .reindex(order)
        .fillna(0.0)
    )
    y = [
        f"{code}{' (R)' if reverse_marks.get(code) else ''}: "
        f"{texts[code][:64]}{'…' if len(texts[code]) > 64 else ''}"
        for code in order
    ]
    fig = go.Figure()
    # Neutral is split either side of zero so that agreement and disagreement read outwards.
    neutral = share.get(3, pd.Series(0.0, index=share.index)) * 50
    bars = [
        (labels[2], -neutral, LIKERT_COLOURS[2]),
        (labels[1], -share.get(2, 0.0) * 100, LIKERT_COLOURS[1]),
        (labels[0], -share.get(1, 0.0) * 100, LIKERT_COLOURS[0]),
        (labels[2] + " ", neutral, LIKERT_COLOURS[2]),
        (labels[3], share.get(4, 0.0) * 100, LIKERT_COLOURS[3]),
        (labels[4], share.get(5, 0.0) * 100, LIKERT_COLOURS[4]),
    ]
    for label, values, colour in bars:
        values = (
            pd.Series(values, index=share.index)
            if not isinstance(values, pd.Series)
            else values
        )
        fig.add_bar(
            name=label.strip(),
            x=values.round(1),
            y=y,
            orientation="h",
            marker_color=colour,
            showlegend=not label.endswith(" "),
            customdata=values.abs().round(0),
            hovertemplate=f"%{{y}}<br>{label.strip()}: %{{customdata:.0f}}%<extra></extra>",
        )
    fig.update_xaxes(
        range=[-100, 100],
        tickvals=[-100, -50, 0, 50, 100],
        ticktext=["100%", "50%", "0", "50%", "100%"],
        gridcolor="#e5e5e5",
    )
    fig.update_yaxes(autorange="reversed")
    figure = _layout(fig, height=max(300, 34 * len(order) + 140), barmode="relative")
    # "Favourable" reads each statement the right way round: agreeing with a positive
    # statement, or disagreeing with a reverse-worded one (marked R).
    reverse = dict(zip(items["item"], items["reverse"], strict=True))
    agree = share.get(4, 0.0) + share.get(5, 0.0)
    disagree = share.get(1, 0.0) + share.get(2, 0.0)
    favourable = (
        pd.Series(
            [disagree[c] if reverse[c] else agree[c] for c in order],
            index=order,
            dtype=float,
        )
        if len(order)
        else pd.Series(dtype=float)
    )
    summary = "No answers yet."
    if len(order):
        top, bottom = favourable.idxmax(), favourable.idxmin()
        summary = (
            f"Most favourable: {texts[top]} ({favourable[top]:.0%} favourable). Least "
            f"favourable: {texts[bottom]} ({favourable[bottom]:.0%}). Bars show the raw "
            "answers: for reverse-worded statements (R), agreeing is unfavourable."
        )
    rows = [
        [
            texts[code],
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
    )


FIT_MEASURES = {
    "fit": ("Cultural fit", "fit"),
    "trust": ("Mutual trust", "mutual_trust"),
    "shape": ("Shape similarity", "shape_similarity"),
    "culture": ("Culture-profile overlap", "culture_fit"),
}


def fit_heatmap(
    pairs: pd.DataFrame,
    *,
    measure: str,
    order: list[int],
    names: dict[int, str],
    threshold: int,
    links: dict[tuple[int, int], str] | None = None,
) -> Chart:
    """Heatmap of a pairwise measure for every ordered pair (row = A, column = B)."""
    title, column = FIT_MEASURES[measure]
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
    labels = [names[o] for o in order]
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
            xgap=2,
            ygap=2,
            hovertemplate="%{y} → %{x}<br>" + title + ": %{z}<extra></extra>",
            # charts.js follows a cell's link when it is clicked; the table below links too.
            customdata=[[(links or {}).get((a, b), "") for b in order] for a in order],
            colorbar={"title": {"text": title}},
        )
    )
    fig.update_xaxes(side="top", tickangle=-30, title="Partner B")
    fig.update_yaxes(autorange="reversed", title="Organisation A")
    figure = _layout(fig, height=max(360, 52 * len(order) + 200))
    shown = pairs.dropna(subset=[column])
    summary = "No pair has enough responses yet."
    if len(shown):
        best, worst = (
            shown.loc[shown[column].idxmax()],
            shown.loc[shown[column].idxmin()],
        )
        summary = (
            f"{title} is highest for {names[best['organisation_a']]} and "
            f"{names[best['organisation_b']]} ({fmt(best[column], digits)}) and lowest for "
            f"{names[worst['organisation_a']]} and {names[worst['organisation_b']]} "
            f"({fmt(worst[column], digits)}). Empty cells: a side has fewer than {threshold} "
            "responses or ratings."
        )
    rows = [
        [names[a], *[t or "–" for t in row]] for a, row in zip(order, text, strict=True)
    ]
    return Chart(
        f"fit-{measure}",
        f"{title} for every pair of partners",
        summary,
        figure,
        ["A \\ B", *labels],
        rows,
    )


def gap_chart(
    gaps: pd.DataFrame, *, dimensions: pd.DataFrame, name_a: str, name_b: str
) -> Chart:
    """Dot-and-whisker chart of per-dimension gaps (A − B) with 95% intervals."""
    titles = dict(zip(dimensions["dimension"], dimensions["title"], strict=True))
    frame = gaps.iloc[::-1]
    fig = go.Figure(
        go.Scatter(
            x=frame["gap"].round(2),
            y=[titles[d] for d in frame["dimension"]],
            mode="markers",
            marker={
                "size": 12,
                "color": [
                    BAND_COLOURS["concern"] if c else BRAND for c in frame["clear"]
                ],
            },
            error_x={
                "type": "data",
                "symmetric": False,
                "array": (frame["ci_high"] - frame["gap"]).round(2),
                "arrayminus": (frame["gap"] - frame["ci_low"]).round(2),
                "color": "#505a5f",
            },
            hovertemplate="%{y}: %{x:+.2f}<extra></extra>",
        )
    )
    fig.add_vline(x=0, line_color=INK, line_width=1)
    fig.update_xaxes(
        title=f"← {name_b} higher   |   {name_a} higher →",
        zeroline=False,
        gridcolor="#e5e5e5",
    )
    figure = _layout(fig, height=max(300, 40 * len(frame) + 120), showlegend=False)
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
            f"{r.gap:+.2f}",
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
    )


CULTURE_TYPES = {
    "H": "Hierarchist (rules, authority)",
    "I": "Individualist (targets, reward)",
    "E": "Egalitarian (shared values)",
    "F": "Fatalist (things done to us)",
}


def culture_bars(
    culture: pd.DataFrame,
    *,
    names: dict[int, str],
    threshold: int,
    key: str = "culture",
) -> Chart:
    """Grouped bars of each organisation's culture profile (points out of 100)."""
    shown = culture[~culture["suppressed"]]
    fig = go.Figure()
    for colour, (letter, label) in zip(
        [BRAND, "#e9c46a", ACCENT, PARTNER], CULTURE_TYPES.items(), strict=True
    ):
        fig.add_bar(
            name=label,
            x=[names[o] for o in shown["organisation"]],
            y=shown[letter].round(1),
            marker_color=colour,
            hovertemplate="%{x}<br>" + label + ": %{y:.0f}<extra></extra>",
        )
    fig.update_yaxes(range=[0, 70], title="Points out of 100", gridcolor="#e5e5e5")
    figure = _layout(fig, height=420, barmode="group")
    summary = "Not enough culture-profile answers yet."
    if len(shown):
        dominant = shown.set_index("organisation")[list(CULTURE_TYPES)].idxmax(axis=1)
        summary = (
            "Strongest type: "
            + "; ".join(
                f"{names[o]} {CULTURE_TYPES[t].split(' ')[0].lower()}"
                for o, t in dominant.items()
            )
            + "."
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
    )
