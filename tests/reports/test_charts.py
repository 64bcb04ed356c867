"""Charts a board can read: short names, legends clear of labels, one row order, print versions."""

import base64
import pickle

import numpy as np
import pandas as pd
import pytest

from reports import charts, scoring

LONG = "Northshire and West Riverton Community Health Services NHS Foundation Trust"
NAMES = {1: LONG, 2: "Easterby City Council", 3: "Northshire GP Federation"}
SHORT = {1: "NWRCHS", 2: "ECC", 3: "NGPF"}
DIMENSIONS = pd.DataFrame(
    {
        "dimension": ["purpose", "trust"],
        "title": ["Shared purpose and priorities", "Trust and relationships"],
        "order": [1, 2],
    }
)
# Organisation 3 is best on both dimensions, then 1, then 2.
MEANS = {(1, "purpose"): 3.4, (1, "trust"): 3.6, (2, "purpose"): 2.1}
MEANS |= {(2, "trust"): 2.5, (3, "purpose"): 4.2, (3, "trust"): 4.0}


@pytest.fixture
def org_scores() -> pd.DataFrame:
    rows = []
    for (org, dimension), mean in MEANS.items():
        rows.append(
            {
                "organisation": org,
                "dimension": dimension,
                "n": 12,
                "mean": mean,
                "ci_low": mean - 0.3,
                "ci_high": mean + 0.3,
                "suppressed": False,
            }
        )
    return pd.DataFrame(rows)


@pytest.fixture
def overall(org_scores) -> pd.DataFrame:
    """The overview's frame: overall readiness with names and bands."""
    frame = scoring.overall_readiness(org_scores)
    frame["name"] = frame["organisation"].map(NAMES)
    frame["band"] = frame["mean"].map(scoring.band_for)
    return frame


def values(trace: dict, key: str) -> list:
    """A trace's values as plain numbers (plotly's JSON packs numeric arrays as base64)."""
    data = trace[key]
    if isinstance(data, dict):
        return np.frombuffer(base64.b64decode(data["bdata"]), data["dtype"]).tolist()
    return list(data)


def readiness(overall: pd.DataFrame, **kwargs) -> charts.Chart:
    return charts.readiness_bars(overall, threshold=5, short_names=SHORT, **kwargs)


def heatmap(org_scores: pd.DataFrame, **kwargs) -> charts.Chart:
    return charts.dimension_heatmap(
        org_scores, dimensions=DIMENSIONS, names=NAMES, threshold=5, **kwargs
    )


def bar_labels_top_down(chart: charts.Chart) -> list[str]:
    """The readiness chart's bars as a reader sees them, top first."""
    axis = chart.figure["layout"]["yaxis"]
    order = list(axis["categoryarray"])
    return order if axis.get("autorange") == "reversed" else order[::-1]


def test_charts_label_organisations_by_short_name_and_keep_full_names_for_hover_and_tables(
    overall, org_scores
):
    bars = readiness(overall)
    labels = [label for trace in bars.figure["data"] for label in trace["y"]]
    assert sorted(labels) == sorted(SHORT.values())
    assert LONG in [name for t in bars.figure["data"] for name in t["customdata"]]
    assert LONG in [row[0] for row in bars.table_rows]

    grid = heatmap(org_scores, short_names=SHORT)
    assert set(grid.figure["data"][0]["y"]) == set(SHORT.values())
    assert LONG in [row[0] for row in grid.table_rows]
    assert any(
        LONG in cell for row in grid.figure["data"][0]["customdata"] for cell in row
    )


def test_every_short_label_has_its_full_name_in_the_charts_key(overall, org_scores):
    for chart in (readiness(overall), heatmap(org_scores, short_names=SHORT)):
        key = dict(chart.name_key)
        assert set(key) == set(SHORT.values())
        assert {key[SHORT[o]] for o in SHORT} == {NAMES[o] for o in SHORT}
    # Without short names the axes already show full names: nothing to explain.
    assert heatmap(org_scores).name_key == []


def test_two_partners_with_the_same_short_name_keep_a_bar_each(overall):
    chart = charts.readiness_bars(
        overall, threshold=5, short_names={1: "NHS", 2: "NHS", 3: "NGPF"}
    )
    labels = [label for trace in chart.figure["data"] for label in trace["y"]]
    assert len(set(labels)) == 3


def test_heatmap_rows_run_in_the_readiness_charts_order(overall, org_scores):
    bars = readiness(overall)
    grid = heatmap(org_scores, short_names=SHORT)
    rows = grid.figure["data"][0]["y"]
    assert grid.figure["layout"]["yaxis"]["autorange"] == "reversed"  # first row on top
    assert list(rows) == bar_labels_top_down(bars) == ["NGPF", "NWRCHS", "ECC"]


def test_an_organisation_without_figures_goes_to_the_bottom_of_the_heatmap(org_scores):
    org_scores.loc[org_scores["organisation"] == 3, "suppressed"] = True
    org_scores.loc[org_scores["organisation"] == 3, "mean"] = float("nan")
    rows = heatmap(org_scores, short_names=SHORT).figure["data"][0]["y"]
    assert list(rows) == ["NWRCHS", "ECC", "NGPF"]


def legend_is_above_the_plot(figure: dict) -> bool:
    legend = figure["layout"]["legend"]
    return legend["y"] >= 1 and legend["yanchor"] == "bottom"


def sector_scores() -> pd.DataFrame:
    rows = [
        {
            "sector_group": group,
            "dimension": dimension,
            "n": 20,
            "mean": mean,
            "sd": 0.43,
            "ci_low": mean - 0.2,
            "ci_high": mean + 0.2,
            "suppressed": False,
        }
        for group, offset in (("Local government", 0.0), ("Primary care", 0.4))
        for dimension, mean in (("purpose", 3.0 + offset), ("trust", 3.5 - offset))
    ]
    return pd.DataFrame(rows)


def culture() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "organisation": [1, 2],
            "H": [40.0, 20.0],
            "I": [20.0, 30.0],
            "E": [30.0, 40.0],
            "F": [10.0, 10.0],
            "n": [12, 12],
            "suppressed": [False, False],
        }
    )


def test_legends_sit_above_the_plot_clear_of_the_axis_labels(org_scores):
    sectors = charts.sector_bars(sector_scores(), dimensions=DIMENSIONS, threshold=5)
    profile = charts.radar(
        org_scores[org_scores["organisation"] == 1],
        org_scores[org_scores["organisation"] == 2],
        key="profile",
        dimensions=DIMENSIONS,
        name=LONG,
        short_name="NWRCHS",
    )
    mix = charts.culture_bars(culture(), names=NAMES, threshold=5, short_names=SHORT)
    for chart in (sectors, profile, mix):
        assert legend_is_above_the_plot(chart.figure), chart.key
        # The top margin leaves room for the legend; the bottom is the axis labels' own.
        assert chart.figure["layout"]["margin"]["t"] >= 50, chart.key
    assert {t["name"] for t in profile.figure["data"] if t.get("showlegend", True)} >= {
        "NWRCHS"
    }
    assert list(mix.figure["data"][0]["x"]) == ["NWRCHS", "ECC"]


ITEMS = pd.DataFrame(
    {
        "item": ["SP1", "SP4"],
        "dimension": ["purpose", "purpose"],
        "text": ["We share a purpose.", "Partners' aims differ too much."],
        "reverse": [False, True],
    }
)
LABELS = [
    "Strongly disagree",
    "Disagree",
    "Neither agree nor disagree",
    "Agree",
    "Strongly agree",
]


def distribution() -> pd.DataFrame:
    """Both statements: 70% strongly agree, 30% strongly disagree."""
    rows = [
        {
            "organisation": 1,
            "item": item,
            "value": value,
            "count": count,
            "share": share,
        }
        for item in ("SP1", "SP4")
        for value, count, share in ((5, 7, 0.7), (1, 3, 0.3))
    ]
    return pd.DataFrame(rows)


def items_chart(**kwargs) -> charts.Chart:
    return charts.item_distribution_bars(
        distribution(), items=ITEMS, labels=LABELS, dont_know="Don't know", **kwargs
    )


def drawn_share(chart: charts.Chart, code: str, colour: str) -> float:
    """The signed width of the segment of one colour in a statement's bar (right = +)."""
    for trace in chart.figure["data"]:
        if trace["marker"]["color"] != colour:
            continue
        for label, x in zip(trace["y"], values(trace, "x"), strict=True):
            if label.split(":")[0].removesuffix(" (R)") == code and x:
                return x
    return 0.0


def test_reverse_worded_statements_put_the_favourable_answer_on_the_right():
    chart = items_chart()
    most, least = charts.LIKERT_COLOURS[4], charts.LIKERT_COLOURS[0]
    # A positive statement: strongly agreeing is favourable, drawn right.
    assert drawn_share(chart, "SP1", most) == 70
    assert drawn_share(chart, "SP1", least) == -30
    # A reverse-worded one: strongly agreeing is unfavourable, so it is drawn left in the
    # unfavourable colour, and strongly disagreeing right in the favourable one.
    assert drawn_share(chart, "SP4", least) == -70
    assert drawn_share(chart, "SP4", most) == 30
    # Hover still says what people answered.
    hover = [
        answer
        for trace in chart.figure["data"]
        if trace["marker"]["color"] == most
        for (_share, answer) in trace["customdata"]
    ]
    assert hover == ["Strongly agree", "Strongly disagree"]
    assert "favourable" in chart.figure["layout"]["xaxis"]["title"]["text"]


def fit_pairs() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"organisation_a": a, "organisation_b": b, "fit": 50.0 + a + b}
            for a in NAMES
            for b in NAMES
            if a != b
        ]
    )


def test_the_fit_matrix_keeps_readable_figures_and_scrolls_on_a_phone():
    chart = charts.fit_heatmap(
        fit_pairs(),
        measure="fit",
        order=list(NAMES),
        names=SHORT,
        full_names=NAMES,
        threshold=5,
    )
    trace = chart.figure["data"][0]
    assert trace["textfont"]["size"] >= 12
    # Wider than a 390 px phone for a dozen partners, so the matrix scrolls, never shrinks.
    twelve = charts.fit_heatmap(
        fit_pairs(),
        measure="fit",
        order=list(NAMES) * 4,
        names=SHORT,
        threshold=5,
    )
    assert twelve.min_width >= 44 * 12
    assert chart.min_width >= 44 * 3
    assert list(trace["x"]) == list(SHORT.values())
    assert LONG in [row[0] for row in chart.table_rows]
    assert trace["customdata"][0][1][1:] == [LONG, "Easterby City Council"]


def test_print_charts_read_without_colour(overall, org_scores):
    screen = readiness(overall)
    paper = screen.for_medium("print")
    assert paper.medium == "print"
    assert screen.medium == "screen"
    shapes = {
        t["name"]: t["marker"].get("pattern", {}).get("shape")
        for t in paper.figure["data"]
    }
    assert shapes == {"Strength": "", "Develop": "/", "Concern": "x"}
    assert all(
        text.endswith(f"· {trace['name'].lower()}")
        for trace in paper.figure["data"]
        for text in trace["text"]
    )
    assert all("pattern" not in t["marker"] for t in screen.figure["data"])
    # The same figures, drawn differently.
    assert [values(t, "x") for t in paper.figure["data"]] == [
        values(t, "x") for t in screen.figure["data"]
    ]

    sectors = charts.sector_bars(sector_scores(), dimensions=DIMENSIONS, threshold=5)
    printed = [
        t["marker"]["pattern"]["shape"]
        for t in sectors.for_medium("print").figure["data"]
    ]
    assert len(set(printed)) == len(printed) == 2

    profile = charts.radar(
        org_scores[org_scores["organisation"] == 1],
        org_scores[org_scores["organisation"] == 2],
        key="profile",
        dimensions=DIMENSIONS,
        name=LONG,
    ).for_medium("print")
    lines = [t for t in profile.figure["data"] if t.get("mode") == "lines+markers"]
    assert {t["marker"]["symbol"] for t in lines} == {"circle", "square"}
    assert {t["line"]["dash"] for t in lines} == {"solid", "dash"}


def test_print_gap_charts_mark_clear_gaps_by_shape():
    gaps = pd.DataFrame(
        {
            "dimension": ["purpose", "trust"],
            "mean_a": [3.9, 3.0],
            "mean_b": [3.0, 3.1],
            "gap": [0.9, -0.1],
            "ci_low": [0.5, -0.4],
            "ci_high": [1.3, 0.2],
            "sim_ci_low": [0.4, -0.5],
            "sim_ci_high": [1.4, 0.3],
            "effect_size": [1.1, -0.1],
            "clear": [True, False],
        }
    )
    chart = charts.gap_chart(gaps, dimensions=DIMENSIONS, name_a="ECC", name_b="NGPF")
    symbols = {
        t["name"]: t["marker"]["symbol"]
        for t in chart.for_medium("print").figure["data"]
    }
    assert symbols == {"Clear gap": "diamond", "Not clear": "circle-open"}
    assert legend_is_above_the_plot(chart.figure)


def test_a_chart_keeps_who_it_counts_when_redrawn_for_print(overall):
    chart = readiness(overall, n_label="36 responses from 3 organisations")
    assert chart.n_label == chart.for_medium("print").n_label
    assert chart.n_label == "36 responses from 3 organisations"
    # Without one, a chart counts organisations, never people.
    assert readiness(overall).n_label == "3 organisations"


def test_a_chart_pickles_with_its_way_of_redrawing_itself(overall):
    chart = pickle.loads(pickle.dumps(readiness(overall, n_label="36 responses")))
    assert chart.for_medium("print").medium == "print"
    assert chart.for_medium("print").n_label == "36 responses"


def test_the_culture_summary_says_strongest_only_where_the_figures_support_it():
    # Regression (issue 14): "Strongest type: Northshire Hospitals NHS Foundation Trust
    # hierarchist". Without an interval for the lead of the top type, it "scores highest".
    chart = charts.culture_bars(culture(), names=NAMES, threshold=5, short_names=SHORT)
    assert "Strongest type:" not in chart.summary
    assert chart.summary.startswith("At ")
    assert "points of 100" in chart.summary
