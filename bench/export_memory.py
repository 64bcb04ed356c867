"""Export responses.csv of a large survey round and show that memory stays flat.

    DATABASE_URL=postgres://collab:collab@127.0.0.1:5432/collab_bench \\
        .venv/bin/python bench/export_memory.py [--responses 20000] [--keepdb]

It creates a dedicated database (Django's test database for DATABASE_URL, so
test_collab_bench above), seeds the demo partnership, adds submitted responses with
SQL until the open round has at least --responses, then streams responses.csv three
ways while sampling this process's resident memory:

- view: the download view's StreamingHttpResponse (COPY through a thread and a queue),
  the path users get;
- cursor: the portable path (chunked server-side cursor and csv.writer);
- raw_copy: COPY ... TO STDOUT into a sink that only counts, the upper limit.

It prints one figure per line, `name value unit`, and drops the database unless
--keepdb is given (a kept database is reused and topped up next time).
"""

import argparse
import os
import resource
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
MB = 1024 * 1024
SAMPLE_SECONDS = 0.005


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str

    def __str__(self) -> str:
        value = f"{self.value:.0f}" if self.value >= 1000 else f"{self.value:.3g}"
        return f"{self.name} {value} {self.unit}"


def _rss_bytes() -> int:
    """Return this process's resident memory now (Linux), else its peak so far."""
    try:
        with Path("/proc/self/statm").open() as statm:
            return int(statm.read().split()[1]) * PAGE_BYTES
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class PeakMemory:
    """Sample resident memory in a thread; remember the baseline and the peak."""

    def __init__(self) -> None:
        self.baseline = self.peak = _rss_bytes()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self.peak = max(self.peak, _rss_bytes())

    def __enter__(self) -> "PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_bytes())


def generate_survey(*, responses: int, organisations: int = 8):
    """Return the demo's open round, topped up with SQL to at least `responses` submitted.

    The demo is seeded with `organisations` partners if the database has none.
    """
    import io

    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Max

    from surveys.models import (
        Answer,
        Dimension,
        Invitation,
        Item,
        Partnership,
        ProfileAnswer,
        Response,
        Survey,
    )

    if not Partnership.objects.exists():
        call_command(
            "seed_demo",
            organisations=organisations,
            respondents=6,
            seed=1,
            stdout=io.StringIO(),
        )
    survey = Survey.objects.select_related("partnership").get(status=Survey.Status.OPEN)
    have = survey.responses.filter(submitted_at__isnull=False).count()
    if have >= responses:
        return survey
    params = {
        "survey": survey.pk,
        "partnership": survey.partnership_id,
        "instrument": survey.instrument_id,
        "first": have + 1,
        "last": responses,
        "after": Response.objects.aggregate(last=Max("pk"))["last"] or 0,
    }
    response, answer = Response._meta.db_table, Answer._meta.db_table
    members = survey.partnership.members.through._meta.db_table
    items = (
        f"(SELECT i.* FROM {Item._meta.db_table} i "
        f"JOIN {Dimension._meta.db_table} d ON d.id = i.dimension_id "
        "WHERE d.instrument_id = %(instrument)s) i"
    )
    new = "r.survey_id = %(survey)s AND r.id > %(after)s"
    likert = "CASE WHEN random() < 0.04 THEN NULL ELSE 1 + floor(random() * 5)::int END"
    statements = [
        # Responses spread evenly over the organisations' shared links.
        f"""
        WITH links AS (
            SELECT id, organisation_id, row_number() OVER (ORDER BY id) - 1 AS k,
                   count(*) OVER () AS m
            FROM {Invitation._meta.db_table}
            WHERE survey_id = %(survey)s AND kind = 'organisation'
        )
        INSERT INTO {response} (created_at, updated_at, public_id, survey_id,
            organisation_id, invitation_id, start_key, resume_token, role,
            started_at, submitted_at)
        SELECT now(), now(), gen_random_uuid(), %(survey)s, l.organisation_id, l.id,
            'bench-' || g, md5(random()::text) || md5(random()::text),
            'Senior manager', now() - interval '3 days',
            now() - interval '2 days' + g * interval '1 second'
        FROM generate_series(%(first)s, %(last)s) AS g JOIN links l ON l.k = g %% l.m
        """,
        # The self block and the alignment items.
        f"""
        INSERT INTO {answer} (response_id, item_id, subject_organisation_id, value)
        SELECT r.id, i.id, NULL, {likert}
        FROM {response} r CROSS JOIN {items}
        WHERE {new} AND (i.block = 'self' OR i.response_format = 'alignment')
        """,
        # The partner block, about every other member.
        f"""
        INSERT INTO {answer} (response_id, item_id, subject_organisation_id, value)
        SELECT r.id, i.id, m.organisation_id,
            CASE WHEN i.response_format = 'familiarity'
                THEN 2 + floor(random() * 3)::int ELSE {likert} END
        FROM {response} r CROSS JOIN {items}
        JOIN {members} m ON m.partnership_id = %(partnership)s
            AND m.organisation_id <> r.organisation_id
        WHERE {new} AND i.block = 'partner'
        """,
        # The culture profile: 25 points to each statement.
        f"""
        INSERT INTO {ProfileAnswer._meta.db_table} (response_id, item_id, points)
        SELECT r.id, i.id, 25
        FROM {response} r CROSS JOIN {items}
        WHERE {new} AND i.response_format = 'points'
        """,
    ]
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql, params)
        for table in (response, answer, ProfileAnswer._meta.db_table):
            cursor.execute(f"ANALYZE {table}")
    return survey


@dataclass
class Run:
    """What one export run delivered: rows, bytes and when the first chunk came."""

    started: float
    rows: int = -1  # less the header row
    size: int = 0
    first_chunk: float | None = None

    def take(self, chunk: bytes) -> None:
        if self.first_chunk is None:
            self.first_chunk = time.perf_counter() - self.started
        self.rows += chunk.count(b"\n")
        self.size += len(chunk)

    # COPY writes into any object with a write() method.
    write = take


def _time(name: str, run: Callable[[Run], None]) -> list[Figure]:
    with PeakMemory() as memory:
        result = Run(started=time.perf_counter())
        run(result)
        seconds = time.perf_counter() - result.started
    return [
        Figure(f"{name}_rows", result.rows, "rows"),
        Figure(f"{name}_bytes", result.size / MB, "MB"),
        Figure(f"{name}_seconds", seconds, "s"),
        Figure(f"{name}_first_chunk", result.first_chunk or 0.0, "s"),
        Figure(f"{name}_rate", result.rows / seconds if seconds else 0.0, "rows/s"),
        Figure(f"{name}_rss_baseline", memory.baseline / MB, "MB"),
        Figure(f"{name}_rss_peak", memory.peak / MB, "MB"),
        Figure(f"{name}_rss_growth", (memory.peak - memory.baseline) / MB, "MB"),
    ]


def measure(survey) -> list[Figure]:
    """Stream responses.csv through the view, the cursor path and a bare COPY."""
    from django.db import connection
    from django.test import RequestFactory
    from django.urls import reverse

    from reports.exports import copy_statement, stream_responses_csv
    from reports.views.downloads import export_download
    from surveys.models import Membership

    lead = Membership.objects.filter(
        partnership_id=survey.partnership_id, role=Membership.Role.LEAD
    ).first()
    request = RequestFactory().get(
        reverse("reports:download_responses_csv", args=[survey.public_id])
    )
    request.user = lead.user

    def view(result: Run) -> None:
        # Read to the end, so the stream finishes by itself. (response.close() would
        # also send request_finished, which closes the connection inside a test.)
        response = export_download(request, survey.public_id, "responses.csv")
        for chunk in response.streaming_content:
            result.take(chunk)

    def cursor(result: Run) -> None:
        for chunk in stream_responses_csv(survey, method="cursor"):
            result.take(chunk)

    def raw_copy(result: Run) -> None:
        sql, params = copy_statement(survey)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(cursor.mogrify(sql, params).decode(), result)

    figures = [
        Figure(
            "responses",
            survey.responses.filter(submitted_at__isnull=False).count(),
            "responses",
        )
    ]
    figures += _time("view", view)
    figures += _time("cursor", cursor)
    figures += _time("raw_copy", raw_copy)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=20_000)
    parser.add_argument(
        "--keepdb", action="store_true", help="keep (and reuse) the database"
    )
    args = parser.parse_args(argv)

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collab_survey.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key")
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.stderr.write("export_memory needs PostgreSQL: set DATABASE_URL.\n")
        return 2
    old_name = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, keepdb=args.keepdb
    )
    try:
        started = time.perf_counter()
        survey = generate_survey(responses=args.responses)
        setup = Figure("setup_seconds", time.perf_counter() - started, "s")
        for figure in [setup, *measure(survey)]:
            sys.stdout.write(f"{figure}\n")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=args.keepdb)
    return 0


if __name__ == "__main__":
    sys.exit(main())
