"""The export files: their columns, their figures against the engine's, and their safety."""

import csv
import io
from datetime import UTC
from html.parser import HTMLParser

import pandas as pd
import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from reports import data, exports, scoring
from reports.analysis import analyse_survey, forget_analyses
from reports.exports import writers
from surveys.models import (
    Comment,
    Item,
    Membership,
    Organisation,
    RespondentRole,
    Response,
    Survey,
)
from tests.factories import MembershipFactory

# No module-wide django_db mark: tests reach the database through `demo` (which asks for
# `db`), except the one that needs autocommit.


@pytest.fixture
def demo(seeded_demo):
    """Use the module's once-seeded round instead of seeding per test (seeding is slow).

    The round's analysis stays cached between tests, as it would between requests.
    """
    return seeded_demo


# DESIGN.md §4 "Exports", spelled out here so that a change to the contract fails a test.
RESPONSES = "survey_id,response_id,organisation,sector,role,submitted_at,dimension,item_code,subject_organisation,value,scored_value,counted"
SCORES = "organisation,sector,dimension,n,mean,sd,ci_low,ci_high,readiness,band,agreement,dont_know_rate,suppressed,eligible,response_rate"
FIT = "organisation_a,organisation_b,fit,fit_ci_low,fit_ci_high,profile_fit,level_gap,shape_similarity,culture_fit,compatibility,trust_a_to_b,trust_b_to_a,mutual_trust,largest_gap_dimension,suppressed,largest_gap,largest_gap_low,largest_gap_high,largest_gap_clear"
HOSTILE = ['=HYPERLINK("http://x")', "+cmd", "@SUM(A1)", "-2+3", "\tTabbed", "\rReturn"]
TEXT_COLUMNS = {
    "responses.csv": [
        "organisation",
        "sector",
        "role",
        "dimension",
        "item_code",
        "subject_organisation",
    ],
    "scores.csv": ["organisation", "sector", "dimension", "band"],
    "fit.csv": ["organisation_a", "organisation_b", "largest_gap_dimension"],
    "dictionary.csv": exports.DICTIONARY_COLUMNS,
}


def read(body: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(body), encoding="utf-8-sig")


def responses_csv(survey, method: str = "auto") -> bytes:
    return b"".join(exports.stream_responses_csv(survey, method=method))


def tables(survey) -> dict[str, bytes]:
    analysis = analyse_survey(survey)
    return {
        name: exports.table_csv(name, survey=survey, analysis=analysis)
        for name in ("scores.csv", "fit.csv", "dictionary.csv")
    }


def names(survey) -> dict[int, str]:
    orgs = data.load_organisations(survey)
    return dict(zip(orgs["organisation"], orgs["name"], strict=True))


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd", "'+cmd"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'=already", "'=already"),
        ("Northshire", "Northshire"),
        ("", ""),
        (-1.5, -1.5),
        (None, None),
    ],
)
def test_neutralise_prefixes_only_text_a_spreadsheet_would_run(cell, expected):
    assert exports.neutralise(cell) == expected


def with_public_ids(frame: pd.DataFrame, survey) -> pd.DataFrame:
    """Swap the engine's internal response keys for the public ids the export shows."""
    public = dict(Response.objects.filter(survey=survey).values_list("pk", "public_id"))
    return frame.assign(
        response_id=frame["response_id"].map(lambda pk: str(public[pk]))
    )


def test_responses_csv_holds_every_submitted_answer_as_the_engine_reads_it(
    closed_demo,
):
    _partnership, survey = closed_demo
    body = responses_csv(survey)
    assert body.decode("utf-8-sig").split("\n", 1)[0] == RESPONSES
    frame = read(body)
    orgs = names(survey)
    submitted = {
        str(r.public_id): r.submitted_at
        for r in Response.objects.filter(survey=survey, submitted_at__isnull=False)
    }
    in_progress = Response.objects.filter(survey=survey, submitted_at__isnull=True)
    assert in_progress.exists()  # the demo has some, and they must not be exported
    assert set(frame["response_id"]) == set(submitted)
    assert set(frame["survey_id"]) == {str(survey.public_id)}
    assert frame.groupby("response_id")["submitted_at"].nunique().eq(1).all()
    for response_id, moment in submitted.items():
        stamp = frame.loc[frame["response_id"] == response_id, "submitted_at"].iloc[0]
        assert stamp == moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    keys = ["response_id", "item_code"]
    own = scoring.score_answers(
        with_public_ids(data.load_answers(survey), survey)
    ).rename(columns={"item": "item_code"})
    own = own.assign(organisation=own["organisation"].map(orgs))
    got = frame[frame["item_code"].isin(own["item_code"])]
    merged = own.merge(got, on=keys, suffixes=("", "_csv"), validate="1:1")
    assert len(merged) == len(own) == len(got)
    for column in ("organisation", "dimension", "value", "scored_value"):
        pd.testing.assert_series_equal(
            merged[column],
            merged[f"{column}_csv"],
            check_names=False,
            check_dtype=False,
        )
    assert got["subject_organisation"].isna().all()
    assert got["value"].isna().any()  # "Don't know" is an empty value

    partner = with_public_ids(data.load_partner_answers(survey), survey)
    partner = partner.assign(
        subject_organisation=partner["subject"].map(orgs), item_code=partner["item"]
    )
    rated = frame[frame["subject_organisation"].notna()]
    merged = partner.merge(
        rated, on=[*keys, "subject_organisation"], suffixes=("", "_csv"), validate="1:1"
    )
    assert len(merged) == len(partner) == len(rated)
    pd.testing.assert_series_equal(
        merged["value"], merged["value_csv"], check_names=False
    )
    assert set(rated["dimension"]) == {"partner_perception"}
    reversed_ = rated[rated["item_code"] == "P5"].dropna(subset=["value"])
    assert (reversed_["scored_value"] == 6 - reversed_["value"]).all()

    alignment = with_public_ids(data.load_alignment(survey), survey).rename(
        columns={"item": "item_code"}
    )
    aligned = frame[frame["item_code"].isin(alignment["item_code"])]
    merged = alignment.merge(aligned, on=keys, suffixes=("", "_csv"), validate="1:1")
    assert len(merged) == len(alignment) == len(aligned)
    pd.testing.assert_series_equal(
        merged["value"], merged["scored_value"], check_names=False
    )  # the engine's −2…+2 is the export's scored_value
    pd.testing.assert_series_equal(
        merged["scored_value"], merged["value_csv"] - 3, check_names=False
    )

    points = with_public_ids(data.load_profile_points(survey), survey)
    profile = frame[frame["item_code"].str.match(r"CP\d_[HIEF]$")]
    assert set(profile["dimension"]) == {"culture_profile"}
    assert (profile["value"] == profile["scored_value"]).all()
    exported = profile.assign(culture_type=profile["item_code"].str[-1])
    keys = ["response_id", "culture_type", "value"]
    assert sorted(exported[keys].itertuples(index=False, name=None)) == sorted(
        points[["response_id", "culture_type", "points"]].itertuples(
            index=False, name=None
        )
    )


def test_scores_csv_equals_the_engine_and_blanks_suppressed_groups(demo):
    _partnership, survey = demo
    analysis = analyse_survey(survey)
    body = tables(survey)["scores.csv"]
    assert body.decode("utf-8-sig").split("\n", 1)[0] == SCORES
    frame = read(body)
    orgs = analysis.organisations
    assert len(frame) == len(orgs) * len(analysis.dimensions)
    assert frame["suppressed"].dtype == bool

    engine = (
        analysis.org_scores.merge(
            analysis.agreement[["organisation", "dimension", "rwg_j"]],
            on=["organisation", "dimension"],
        )
        .merge(analysis.dont_know, on=["organisation", "dimension"])
        .merge(orgs[["organisation", "name", "sector"]], on="organisation")
    )
    shown = engine[~engine["suppressed"]]
    merged = shown.merge(
        frame,
        left_on=["name", "dimension"],
        right_on=["organisation", "dimension"],
        suffixes=("", "_csv"),
        validate="1:1",
    )
    assert len(merged) == len(shown) > 0
    pairs = [(col, col) for col in ("mean", "sd", "ci_low", "ci_high", "readiness")]
    pairs += [("n", "n"), ("rwg_j", "agreement"), ("dont_know_rate", "dont_know_rate")]
    for ours, theirs in pairs:
        right = theirs if theirs not in engine.columns else f"{theirs}_csv"
        pd.testing.assert_series_equal(  # the engine's figures, to six decimals
            merged[ours].astype("float64").round(6),
            merged[right].astype("float64"),
            check_names=False,
            check_exact=True,
        )
    assert (merged["band"] == merged["band_csv"]).all()
    assert (merged["sector"] == merged["sector_csv"]).all()

    hidden = orgs.loc[orgs["suppressed"], "name"]
    assert len(hidden) == 1
    blank = frame[frame["organisation"].isin(hidden)]
    assert len(blank) == len(analysis.dimensions)
    assert blank["suppressed"].all()
    figures = [c for c in SCORES.split(",") if c not in TEXT_COLUMNS["scores.csv"]]
    figures.remove("suppressed")
    figures.remove("eligible")  # N is shown even when suppressed: nobody's answers
    assert blank[[*figures, "band"]].isna().all().all()
    assert frame.loc[frame["suppressed"], [*figures, "band"]].isna().all().all()


def test_fit_csv_equals_the_engine_by_name_and_blanks_suppressed_pairs(demo):
    _partnership, survey = demo
    analysis = analyse_survey(survey)
    body = tables(survey)["fit.csv"]
    assert body.decode("utf-8-sig").split("\n", 1)[0] == FIT
    frame = read(body)
    orgs = analysis.organisations
    assert len(frame) == len(orgs) * (len(orgs) - 1)
    by_id = dict(zip(orgs["organisation"], orgs["name"], strict=True))
    engine = analysis.pairs.assign(
        organisation_a=analysis.pairs["organisation_a"].map(by_id),
        organisation_b=analysis.pairs["organisation_b"].map(by_id),
    )[FIT.split(",")]
    keys = ["organisation_a", "organisation_b"]
    got = frame.set_index(keys).loc[engine.set_index(keys).index].reset_index()
    figures = engine.select_dtypes("float64").columns
    engine = engine.assign(**{col: engine[col].round(6) for col in figures})
    pd.testing.assert_frame_equal(
        got, engine.reset_index(drop=True), check_dtype=False, check_exact=True
    )
    hidden = set(orgs.loc[orgs["suppressed"], "name"])
    touching = frame["organisation_a"].isin(hidden) | frame["organisation_b"].isin(
        hidden
    )
    assert touching.any()
    assert frame.loc[touching, "suppressed"].all()
    figures = [c for c in FIT.split(",") if c not in TEXT_COLUMNS["fit.csv"]]
    figures.remove("suppressed")
    suppressed = frame[frame["suppressed"]]
    assert suppressed[[*figures, "largest_gap_dimension"]].isna().all().all()
    assert frame.loc[~frame["suppressed"], "fit"].notna().all()


class _Rows(HTMLParser):
    """Collect each table row's cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, text):
        if self._cell is not None:
            self._cell.append(text)


def table_rows(html: str) -> list[list[str]]:
    parser = _Rows()
    parser.feed(html)
    return parser.rows


def fmt(value: float, digits: int) -> str:
    return "–" if pd.isna(value) else f"{value:.{digits}f}"


def test_the_dashboards_show_the_exported_figures(client, demo):
    partnership, survey = demo
    client.force_login(
        MembershipFactory(partnership=partnership, role=Membership.Role.ANALYST).user
    )
    analysis = analyse_survey(survey)
    scores = read(tables(survey)["scores.csv"])
    fit = read(tables(survey)["fit.csv"])
    titles = dict(
        zip(analysis.dimensions["title"], analysis.dimensions["dimension"], strict=True)
    )
    checked = 0
    for org in analysis.visible_organisations().itertuples():
        url = reverse(
            "reports:organisation_detail", args=[survey.public_id, org.public_id]
        )
        rows = table_rows(client.get(url).content.decode())
        header = next(row for row in rows if row[:2] == ["Dimension", "Mean"])
        ours = scores[scores["organisation"] == org.name].set_index("dimension")
        for row in rows:
            if not row or row[0] not in titles or len(row) != len(header):
                continue
            cells = dict(zip(header, row, strict=True))
            csv_row = ours.loc[titles[row[0]]]
            assert cells["Mean"] == fmt(csv_row["mean"], 2)
            assert cells["95% interval"] == (
                f"{fmt(csv_row['ci_low'], 2)}–{fmt(csv_row['ci_high'], 2)}"
            )
            assert cells["Band"].lower().startswith(csv_row["band"])
            assert cells["Agreement"].split(" ")[0] == fmt(csv_row["agreement"], 2)
            assert cells["Don’t know"] == f"{csv_row['dont_know_rate']:.0%}"
            checked += 1
    assert checked >= len(analysis.dimensions) * 2

    html = client.get(reverse("reports:fit_matrix", args=[survey.public_id]))
    rows = table_rows(html.content.decode())
    shown = fit[~fit["suppressed"] & (fit["organisation_a"] < fit["organisation_b"])]
    pairs = 0
    for pair in shown.itertuples():
        label = f"{pair.organisation_a} and {pair.organisation_b}"
        row = next(r for r in rows if r and (r[0] + " ").startswith(label + " "))
        assert row[1:5] == [
            fmt(pair.fit, 0),
            fmt(pair.mutual_trust, 0),
            fmt(pair.shape_similarity, 2),
            fmt(pair.culture_fit, 0),
        ]
        pairs += 1
    assert pairs == len(shown) > 0


def test_the_dictionary_describes_every_column_and_every_item(demo):
    _partnership, survey = demo
    frame = read(tables(survey)["dictionary.csv"])
    assert list(frame.columns) == exports.DICTIONARY_COLUMNS
    columns = frame[frame["kind"] == "column"]
    for name, header in (
        ("responses.csv", RESPONSES),
        ("scores.csv", SCORES),
        ("fit.csv", FIT),
        ("dictionary.csv", ",".join(exports.DICTIONARY_COLUMNS)),
    ):
        assert list(columns.loc[columns["file"] == name, "column"]) == header.split(",")
    assert columns["description"].notna().all()
    assert columns["type"].notna().all()

    items = frame[frame["kind"] == "item"].set_index("item_code")
    expected = Item.objects.filter(dimension__instrument=survey.instrument)
    assert set(items.index) == {item.code for item in expected}
    for item in expected.select_related("dimension"):
        row = items.loc[item.code]
        assert row["item_text"] == exports.neutralise(item.text)
        assert row["dimension"] == item.dimension.key
        assert row["block"] == item.block
        assert row["response_format"] == item.response_format
        assert bool(row["reverse_scored"]) is item.reverse_scored
        assert row["sources"].split("; ") == survey.instrument.cite(item.sources)
    assert "6 − value" in items.loc["SP4", "description"]
    assert "value − 3" in items.loc["AL1", "description"]
    assert "Points" in items.loc["CP1_H", "description"]


@pytest.fixture
def hostile(demo):
    """The round with organisation names and a comment a spreadsheet would run.

    Roles are a fixed list (surveys.models.RespondentRole), so none can hold a formula.
    """
    partnership, survey = demo
    forget_analyses()  # the cached analysis holds the old names
    orgs = Organisation.objects.filter(partnerships=partnership).order_by("name")
    for org, name in zip(orgs, HOSTILE, strict=False):
        org.name = name
        org.save(update_fields=["name"])
    submitted = Response.objects.filter(survey=survey, submitted_at__isnull=False)
    response = submitted.exclude(comments__isnull=False).first()
    dimension = survey.instrument.dimensions.first()
    Comment.objects.create(
        response=response, dimension=dimension, text="=cmd|'/c calc'!A1"
    )
    yield survey
    forget_analyses()  # nor may the hostile names outlive the test


def test_both_streaming_paths_write_the_same_bytes_with_formulas_neutralised(
    hostile,
):
    survey = hostile
    body = responses_csv(survey, method="copy")
    assert body == responses_csv(survey, method="cursor")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    for row in rows:
        for column in TEXT_COLUMNS["responses.csv"]:
            assert not row[column].startswith(exports.formats.FORMULA_PREFIXES), row
    organisations = {row["organisation"] for row in rows}
    roles = {row["role"] for row in rows}
    assert {"'" + name for name in HOSTILE[:4]} <= organisations
    assert roles <= {"", *RespondentRole.values}
    # Numbers stay numbers: alignment scores run from −2 to +2.
    assert any(row["scored_value"] == "-2" for row in rows)
    assert b"calc" not in body  # comments are not exported at all


def test_every_text_cell_of_the_tables_is_neutralised(hostile):
    survey = hostile
    for name, body in tables(survey).items():
        for row in csv.DictReader(io.StringIO(body.decode("utf-8-sig"))):
            for column in TEXT_COLUMNS[name]:
                cell = row[column]
                assert not cell.startswith(exports.formats.FORMULA_PREFIXES), cell
        assert b"calc" not in body
    scores = read(tables(survey)["scores.csv"])
    assert set(scores["organisation"]) >= {"'" + name for name in HOSTILE[:4]}
    fit = read(tables(survey)["fit.csv"])
    assert (fit["level_gap"].dropna() < 0).any()  # negative figures are numbers


def sheet_frame(sheet) -> pd.DataFrame:
    """Read a sheet, with blanks and types settled as read_csv settles them."""
    rows = sheet.iter_rows(values_only=True)
    header = list(next(rows))
    frame = pd.DataFrame(list(rows), columns=header)
    if "submitted_at" in frame.columns:
        frame["submitted_at"] = frame["submitted_at"].map(
            lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        )
    return read(frame.to_csv(index=False).encode())


def test_the_workbook_holds_the_same_neutralised_tables_past_excels_row_limit(
    hostile, monkeypatch
):
    survey = hostile
    monkeypatch.setattr(writers, "EXCEL_MAX_ROWS", 1001)  # 1,000 answers a sheet
    handle = io.BytesIO()
    exports.write_xlsx(handle, survey=survey, analysis=analyse_survey(survey))
    book = load_workbook(io.BytesIO(handle.getvalue()))
    answers = read(responses_csv(survey))
    parts = [f"responses_{n}" for n in range(2, len(answers) // 1000 + 2)]
    assert book.sheetnames == [
        "cover",
        "responses",
        *parts,
        "scores",
        "fit",
        "dictionary",
    ]
    for sheet in book.worksheets:
        if sheet.title != "cover":  # a table: its header frozen, columns fitted
            assert sheet.freeze_panes == "A2"
            widths = [sheet.column_dimensions[letter].width for letter in "ABC"]
            assert all(8 <= width <= 60 for width in widths)
        assert sheet["A1"].font.b
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate)
                if isinstance(cell.value, str):
                    prefixes = exports.formats.FORMULA_PREFIXES
                    assert not cell.value.startswith(prefixes), cell.coordinate

    responses = pd.concat(
        [sheet_frame(book[name]) for name in ["responses", *parts]], ignore_index=True
    )
    assert book["responses"].max_row == 1001
    pd.testing.assert_frame_equal(responses, answers)
    # openpyxl writes floats to 16 significant digits ("%.16g"; Excel shows 15), so
    # the last of the CSV's 17 may differ.
    for name, body in tables(survey).items():
        pd.testing.assert_frame_equal(
            sheet_frame(book[name.removesuffix(".csv")]),
            read(body),
            rtol=1e-15,
            atol=0,
        )


def test_an_abandoned_stream_leaves_the_connection_usable(demo):
    _partnership, survey = demo
    stream = exports.stream_responses_csv(survey, method="copy")
    first = next(stream)
    assert first.startswith(exports.UTF8_BOM + RESPONSES.encode())
    stream.close()  # the client went away
    assert Response.objects.filter(survey=survey).exists()


def test_an_abandoned_stream_is_cancelled_outside_a_transaction(
    seeded_round, django_db_blocker
):
    # No `db` fixture: autocommit on the module's committed data, as in production,
    # where the server is asked to cancel the COPY rather than run it out.
    with django_db_blocker.unblock():
        assert not connection.in_atomic_block
        survey = Survey.objects.get(pk=seeded_round)
        stream = exports.stream_responses_csv(survey, method="copy")
        next(stream)
        stream.close()
        assert Response.objects.filter(survey=survey).exists()
        again = b"".join(exports.stream_responses_csv(survey))
        assert again.count(b"\n") == len(read(again)) + 1
