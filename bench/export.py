"""Export throughput and peak memory of responses.csv, against PostgreSQL's own COPY.

    python -m bench.export

Streams responses.csv of the largest generated round (python -m bench.generate) three
ways while sampling this process's resident memory:

- view: the download view's StreamingHttpResponse (COPY through a thread and a queue),
  the path users get;
- cursor: the portable path (chunked server-side cursor and csv.writer);
- raw_copy: COPY ... TO STDOUT of the same rows into a sink that only counts, the
  practical upper limit.

Prints one figure per line, `name value unit`, with the view's speed as a share of raw COPY.
"""

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass

from bench.support import (
    MB,
    Figure,
    PeakMemory,
    bench_analyst,
    emit,
    generated_survey,
    setup_django,
)


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


def measure(
    survey, *, paths: tuple[str, ...] = ("view", "cursor", "raw_copy")
) -> list[Figure]:
    """Stream responses.csv through the view, the cursor path and a bare COPY."""
    from django.db import connection
    from django.test import RequestFactory
    from django.urls import reverse

    from reports.exports import UTF8_BOM, copy_statement, stream_responses_csv
    from reports.views.downloads import export_download

    request = RequestFactory().get(
        reverse("reports:download_responses_csv", args=[survey.public_id])
    )
    request.user = bench_analyst(survey)

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
        # The file starts with a byte-order mark (for Excel), which COPY does not write.
        result.take(UTF8_BOM)
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
    runs = {"view": view, "cursor": cursor, "raw_copy": raw_copy}
    for path in paths:
        figures += _time(path, runs[path])
        emit(figures[-8:])
    rates = {f.name: f.value for f in figures if f.name.endswith("_rate")}
    if rates.get("raw_copy_rate") and "view_rate" in rates:
        share = rates["view_rate"] / rates["raw_copy_rate"]
        figures.append(Figure("view_vs_raw_copy", share, "ratio"))
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--skip-cursor",
        action="store_true",
        help="leave out the portable cursor path (slow at national scale)",
    )
    args = parser.parse_args(argv)
    setup_django()
    paths = ("view", "raw_copy") if args.skip_cursor else ("view", "cursor", "raw_copy")
    figures = measure(generated_survey(), paths=paths)
    emit([f for f in figures if f.name in {"responses", "view_vs_raw_copy"}])


if __name__ == "__main__":
    main()
