"""`manage.py export_survey` and the export memory benchmark."""

import io
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from reports import exports
from reports.analysis import analyse_survey

pytestmark = pytest.mark.django_db


def named(survey, name: str) -> str:
    return exports.download_name(survey, name, on=timezone.localdate())


def test_export_survey_writes_every_file(demo, tmp_path, monkeypatch):
    _partnership, survey = demo
    monkeypatch.setattr("reports.management.commands.export_survey.PROGRESS_EVERY", 500)
    out, err = io.StringIO(), io.StringIO()
    target = tmp_path / "exports"
    call_command(
        "export_survey", str(survey.public_id), out=target, stdout=out, stderr=err
    )

    # Named as the downloads are: partnership, round, today's date, then the file kind.
    files = {name: target / named(survey, name) for name in exports.FILENAMES}
    assert sorted(p.name for p in target.iterdir()) == sorted(
        path.name for path in files.values()
    )
    responses = files["responses.csv"].read_bytes()
    assert responses.startswith(exports.UTF8_BOM)
    assert responses == b"".join(exports.stream_responses_csv(survey))
    analysis = analyse_survey(survey)
    for name in ("scores.csv", "fit.csv", "dictionary.csv"):
        expected = exports.table_csv(name, survey=survey, analysis=analysis)
        assert files[name].read_bytes() == expected, name
    archive = zipfile.ZipFile(files["survey.zip"])
    assert archive.testzip() is None
    assert sorted(archive.namelist()) == sorted(
        path.name for name, path in files.items() if name != "survey.zip"
    )
    for name in archive.namelist():
        assert archive.read(name) == (target / name).read_bytes(), name
    assert "responses.csv: 500 rows" in err.getvalue()
    assert "responses.csv: 1,000 rows" in err.getvalue()
    answers = responses.count(b"\n") - 1
    assert f"({answers:,} answers)" in out.getvalue()
    assert not list(target.glob(".*.part"))

    quiet = io.StringIO()
    call_command(
        "export_survey",
        str(survey.public_id),
        out=tmp_path / "again",
        verbosity=0,
        stdout=io.StringIO(),
        stderr=quiet,
    )
    assert quiet.getvalue() == ""
    again = tmp_path / "again" / named(survey, "responses.csv")
    assert again.read_bytes() == responses


@pytest.mark.parametrize(
    ("survey_id", "message"),
    [
        ("00000000-0000-0000-0000-000000000000", "No survey round has the id"),
        ("not-a-uuid", "is not a survey id"),
    ],
)
def test_export_survey_explains_an_unknown_round(db, tmp_path, survey_id, message):
    with pytest.raises(CommandError, match=message):
        call_command("export_survey", survey_id, out=tmp_path, stdout=io.StringIO())
    assert not list(tmp_path.iterdir())
