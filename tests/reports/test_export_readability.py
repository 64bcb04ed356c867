"""Export files a person can open: named for their round, readable by Excel, plain numbers.

Every download is named for its partnership, round and date; CSV files start with a UTF-8
byte-order mark so Excel shows accents and dashes; figures carry at most six decimals; the
workbook opens on a cover that says which round it is, its K and what counts; and
dictionary.csv names sources by title, never by file name.
"""

import csv
import io
import re
import zipfile
from datetime import date

import pandas as pd
import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from reports import exports, pdf
from reports.analysis import analyse_survey, forget_analyses
from reports.views.downloads import url_name
from surveys.models import Membership, Organisation, Survey
from tests.factories import MembershipFactory, SurveyFactory

NON_ASCII = "Ysbyty Gwynedd – Côr"
CSV_FILES = ("responses.csv", "scores.csv", "fit.csv", "dictionary.csv")
NAME = re.compile(
    r"^[a-z0-9]+(-[a-z0-9]+)*-\d{4}-\d{2}-\d{2}-"
    r"(responses\.csv|scores\.csv|fit\.csv|dictionary\.csv|survey\.xlsx|survey\.zip)$"
)
NUMBER = re.compile(r"^-?\d+(\.(?P<decimals>\d+))?$")


@pytest.fixture
def demo(seeded_demo):
    """The module's once-seeded round; each test's changes are rolled back."""
    return seeded_demo


def downloads(client, survey: Survey) -> dict[str, tuple[str, bytes]]:
    """Download every export file of a round: {kind: (file name, body)}."""
    got = {}
    for name in exports.FILENAMES:
        url = reverse(f"reports:{url_name(name)}", args=[survey.public_id])
        response = client.get(url)
        assert response.status_code == 200, name
        filename = re.fullmatch(
            r'attachment; filename="([^"]+)"', response["Content-Disposition"]
        ).group(1)
        content = (
            b"".join(response.streaming_content)
            if response.streaming
            else response.content
        )
        got[name] = (filename, content)
    return got


def analyst(client, partnership):
    membership = MembershipFactory(
        partnership=partnership, role=Membership.Role.ANALYST
    )
    client.force_login(membership.user)
    return client


def test_the_stem_names_partnership_round_and_date_in_ascii(demo):
    partnership, survey = demo
    partnership.name = "Northshire"
    survey.title = "Autumn 2026"
    on = date(2026, 12, 1)
    assert exports.download_stem(survey, on=on) == "northshire-autumn-2026-2026-12-01"
    assert (
        exports.download_name(survey, "responses.csv", on=on)
        == "northshire-autumn-2026-2026-12-01-responses.csv"
    )
    partnership.name, survey.title = NON_ASCII, "Hydref / Autumn 2026 ✓"
    assert exports.download_stem(survey, on=on) == (
        "ysbyty-gwynedd-cor-hydref-autumn-2026-2026-12-01"
    )
    partnership.name, survey.title = "Северная", "秋"  # nothing survives as ASCII
    assert exports.download_stem(survey, on=on) == "partnership-round-2026-12-01"


def test_every_download_is_named_for_its_round_and_two_rounds_never_collide(
    client, demo
):
    partnership, survey = demo
    later = SurveyFactory(
        partnership=partnership, instrument=survey.instrument, title="Spring 2027"
    )
    analyst(client, partnership)
    first = {kind: name for kind, (name, _) in downloads(client, survey).items()}
    second = {kind: name for kind, (name, _) in downloads(client, later).items()}
    today = timezone.localdate().isoformat()
    for names in (first, second):
        for kind, name in names.items():
            assert NAME.match(name), name
            assert name.endswith(f"-{today}-{kind}")
    assert first["responses.csv"].startswith("northshire-place-partnership-")
    assert "spring-2027" in second["responses.csv"]
    assert not set(first.values()) & set(second.values())


def test_the_zip_holds_the_files_under_their_download_names(client, demo):
    partnership, survey = demo
    analyst(client, partnership)
    files = downloads(client, survey)
    archive = zipfile.ZipFile(io.BytesIO(files["survey.zip"][1]))
    names = archive.namelist()
    assert names == [files[k][0] for k in exports.FILENAMES if k != "survey.zip"]
    assert all(NAME.match(name) for name in names), names


def test_board_report_pdfs_are_named_like_the_data(demo):
    _partnership, survey = demo
    name = pdf.pdf_filename(survey, "NSH", "NCC")
    assert re.fullmatch(
        r"northshire-place-partnership-[a-z0-9-]+-nsh-ncc-\d{4}-\d{2}-\d{2}"
        r"-board-report\.pdf",
        name,
    ), name
    assert name.isascii()


def test_csv_files_carry_a_bom_and_keep_non_ascii_names(client, demo):
    partnership, survey = demo
    organisation = partnership.members.order_by("name").first()
    Organisation.objects.filter(pk=organisation.pk).update(name=NON_ASCII)
    forget_analyses()  # a renamed organisation is not a new answer: drop the cache
    analyst(client, partnership)
    files = downloads(client, survey)
    members = zipfile.ZipFile(io.BytesIO(files["survey.zip"][1]))
    for kind in CSV_FILES:
        name, body = files[kind]
        assert body.startswith(b"\xef\xbb\xbf"), kind
        assert not body[3:].startswith(b"\xef\xbb\xbf"), kind  # exactly one
        assert members.read(name) == body, kind
        frame = pd.read_csv(io.BytesIO(body), encoding="utf-8-sig")
        assert frame.columns[0] in (
            "survey_id",
            "organisation",
            "organisation_a",
            "kind",
        )
    responses = pd.read_csv(io.BytesIO(files["responses.csv"][1]), encoding="utf-8-sig")
    assert NON_ASCII in set(responses["organisation"])
    scores = pd.read_csv(io.BytesIO(files["scores.csv"][1]), encoding="utf-8-sig")
    assert NON_ASCII in set(scores["organisation"])


def test_no_value_in_any_csv_has_more_than_six_decimals(client, demo):
    partnership, survey = demo
    analyst(client, partnership)
    checked = 0
    for kind, (_name, body) in downloads(client, survey).items():
        if kind not in CSV_FILES:
            continue
        for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))):
            for cell in row:
                assert not re.fullmatch(r"-?[\d.]+e[-+]?\d+", cell, re.I), (kind, cell)
                if number := NUMBER.match(cell):
                    checked += 1
                    decimals = number.group("decimals") or ""
                    assert len(decimals) <= 6, (kind, cell)
    assert checked > 1000


def test_counts_are_integers_and_figures_hold_six_decimals_at_most(demo):
    _partnership, survey = demo
    analysis = analyse_survey(survey)
    scores = exports.scores_frame(analysis)
    assert str(scores["n"].dtype) == "Int64"
    assert str(scores["eligible"].dtype) == "Int64"
    engine = analysis.org_scores.dropna(subset=["mean"])
    assert (engine["mean"].round(6) != engine["mean"]).any()  # the engine's are long
    for frame in (scores, exports.fit_frame(analysis)):
        for column in frame.select_dtypes("float64"):
            values = frame[column].dropna()
            assert (values.round(6) == values).all(), column


def test_the_workbook_opens_on_a_cover_naming_the_round_k_and_what_counts(client, demo):
    partnership, survey = demo
    analyst(client, partnership)
    _name, body = downloads(client, survey)["survey.xlsx"]
    workbook = load_workbook(io.BytesIO(body), read_only=True)
    assert workbook.sheetnames[0] == "cover"
    cover = {
        row[0]: row[1]
        for row in workbook["cover"].iter_rows(values_only=True)
        if row[0]
    }
    assert cover["Partnership"] == partnership.name
    assert cover["Round"] == survey.title
    assert cover["Exported on"] == timezone.localdate().isoformat()
    assert cover["Anonymity threshold (K)"].startswith(
        f"{survey.anonymity_threshold}: "
    )
    assert cover["When results appear"] == survey.get_release_rule_display()
    assert "whole groups of K" in cover["How responses count"]
    assert cover["What counts in this round"]


def test_dictionary_csv_names_sources_by_title_not_file_name(demo):
    _partnership, survey = demo
    body = exports.table_csv("dictionary.csv", survey=survey, analysis=None)
    assert b".txt" not in body
    assert b".py" not in body  # nor our own modules' file names
    frame = pd.read_csv(io.BytesIO(body), encoding="utf-8-sig")
    sp1 = frame.loc[frame["item_code"] == "SP1", "sources"].iloc[0]
    assert sp1 == (
        'Mutual Ventures: "Creating a shared culture is essential for successful NHS '
        'collaboration" (2023); RSA blog: "Joining up is hard to do"'
    )
