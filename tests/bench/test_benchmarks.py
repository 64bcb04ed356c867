"""Every benchmark in bench/ runs end to end at a tiny size (figures, not timings, are checked)."""

import argparse

import pytest
from django.db import connection

from bench import board_pack, dashboards, export, generate, submission
from bench.support import generated_survey
from surveys.models import Answer, Organisation, Partnership, Response, Survey

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def generated(db):
    """Generate 150 responses over 6 organisations in two partnerships of 3."""
    args = generate.parse_args(
        [
            "--responses=150",
            "--organisations=6",
            "--partnership-size=3",
            "--chunk=40",
            "--jobs=2",
        ]
    )
    return generate.generate(args)


def test_the_generator_builds_partnerships_rounds_and_answers_in_parallel_chunks(
    generated,
):
    assert generated["partnerships"] == Partnership.objects.count() == 2
    assert Organisation.objects.count() == 6
    assert Survey.objects.filter(status=Survey.Status.OPEN).count() == 2
    assert Response.objects.count() == generated["responses"] == 150
    submitted = Response.objects.filter(submitted_at__isnull=False)
    assert submitted.count() == generated["submitted"]
    assert Answer.objects.count() == generated["answers"]
    # Every respondent rates partners of their own partnership only.
    partner_answers = Answer.objects.filter(subject_organisation__isnull=False)
    assert partner_answers.exists()
    for answer in partner_answers.select_related("response__survey")[:50]:
        members = answer.response.survey.partnership.members.all()
        assert answer.subject_organisation in members
    # Ids were reserved: the app can go on creating responses afterwards.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('surveys_response', 'id'))"
        )
        assert cursor.fetchone()[0] > Response.objects.order_by("-pk").first().pk


def test_the_generator_refuses_to_add_a_second_data_set_without_replace(generated):
    with pytest.raises(SystemExit, match="--replace"):
        generate.generate(
            argparse.Namespace(**{**vars(generate.parse_args([])), "responses": 10})
        )


def test_the_dashboard_benchmark_times_every_page(generated):
    figures = {f.name: f for f in dashboards.measure(repeat=2)}
    for page in ("overview", "organisation", "fit_matrix", "pair"):
        assert figures[f"dashboard.{page}.p50"].unit == "ms"
        assert figures[f"dashboard.{page}.p95"].value >= 0
    assert figures["dashboard.responses"].value == generated_survey().submitted


def test_the_export_benchmark_compares_the_view_with_raw_copy(generated):
    survey = generated_survey()
    figures = {f.name: f for f in export.measure(survey)}
    rows = figures["view_rows"].value
    assert rows > 40 * survey.submitted  # 44 self + 3 alignment + 12 profile + partners
    assert figures["cursor_rows"].value == rows == figures["raw_copy_rows"].value
    assert figures["view_bytes"].value == figures["raw_copy_bytes"].value
    assert figures["view_vs_raw_copy"].unit == "ratio"


def test_the_submission_benchmark_loses_nothing(db, monkeypatch):
    # gunicorn, in another process, serves from the test database without collectstatic.
    monkeypatch.setenv(
        "DATABASE_URL",
        "postgres://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format(
            **connection.settings_dict
        ),
    )
    monkeypatch.setenv(
        "DJANGO_STATICFILES_BACKEND",
        "django.contrib.staticfiles.storage.StaticFilesStorage",
    )
    figures = {f.name: f for f in submission.measure(users=3, seconds=8, workers=1)}
    assert figures["submission.requests"].value > 20
    assert figures["submission.errors"].value == 0
    assert figures["submission.lost"].value == 0
    assert figures["submission.incomplete"].value == 0
    assert (
        figures["submission.in_database"].value >= figures["submission.confirmed"].value
    )
    # The floor app ran under the same load in the same run, and the ratio is printed.
    assert figures["floor.requests"].value > 20
    assert figures["floor.errors"].value == 0
    assert figures["submission.rate_vs_floor"].value == pytest.approx(
        figures["submission.rate"].value / figures["floor.rate"].value
    )
    # And what each request cost in CPU: the server's processes, the database's backends
    # and locust, each counted apart.
    for app in ("submission", "floor"):
        for part in ("server", "database", "locust"):
            assert figures[f"{app}.cpu_{part}"].value > 0
    assert figures["submission.cpu_vs_floor"].value == pytest.approx(
        figures["floor.cpu_total"].value / figures["submission.cpu_total"].value
    )


def test_the_board_pack_benchmark_draws_cold_and_serves_warm(generated):
    figures = {f.name: f for f in board_pack.measure(repeat=2)}
    assert figures["board_pack.bytes"].value > 10_000
    assert figures["board_pack.cold"].value > figures["board_pack.warm.p50"].value


def test_the_summary_marks_each_target_met_or_missed():
    from bench.__main__ import summary
    from bench.support import Figure

    table = summary(
        [
            Figure("dashboard.fit_matrix.p95", 120, "ms"),
            Figure("submission.rate_vs_floor", 0.41, "ratio"),
        ]
    )
    lines = {line.split()[0]: line for line in table.splitlines()[2:]}
    assert lines["dashboard.fit_matrix.p95"].endswith("met")
    assert lines["submission.rate_vs_floor"].endswith("MISSED")
    assert lines["dashboard.pair.p95"].endswith("not run")
