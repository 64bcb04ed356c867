"""Write every export file of a survey round to a directory (DESIGN.md §4 "Exports")."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO
from uuid import UUID

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from reports import exports
from reports.analysis import analyse_survey
from surveys.models import Survey

PROGRESS_EVERY = 50_000


@contextmanager
def _replacing(path: Path) -> Iterator[IO[bytes]]:
    """Write to a hidden partial file, then move it over `path` only once complete."""
    partial = path.with_name(f".{path.name}.part")
    try:
        with partial.open("wb") as handle:
            yield handle
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


class Command(BaseCommand):
    help = (
        "Write a survey round's exports to a directory: responses.csv, scores.csv, "
        "fit.csv, dictionary.csv, survey.xlsx and survey.zip, each named as its "
        "download is, for the partnership, round and date "
        "(northshire-autumn-2026-2026-12-01-responses.csv)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("survey_id", help="the round's public id (a UUID)")
        parser.add_argument(
            "--out",
            required=True,
            type=Path,
            help="directory to write the files into (created if missing)",
        )

    def handle(self, *args, **options) -> None:
        survey = self._survey(options["survey_id"])
        out: Path = options["out"]
        out.mkdir(parents=True, exist_ok=True)
        self.verbose = options["verbosity"] > 0
        analysis = analyse_survey(survey, fresh=True)
        today = timezone.localdate()  # one date for every file of the run
        paths = {
            name: out / exports.download_name(survey, name, on=today)
            for name in exports.FILENAMES
        }

        rows = self._write_responses(survey, paths[exports.RESPONSES_CSV])
        for name in (exports.SCORES_CSV, exports.FIT_CSV, exports.DICTIONARY_CSV):
            with _replacing(paths[name]) as handle:
                handle.write(exports.table_csv(name, survey=survey, analysis=analysis))
        with _replacing(paths[exports.WORKBOOK]) as handle:
            exports.write_xlsx(
                handle,
                survey=survey,
                analysis=analysis,
                on_rows=lambda n: self._progress(f"{exports.WORKBOOK}: {n:,} rows"),
                on=today,
            )
        members = [
            (path.name, exports.file_source(path))
            for name, path in paths.items()
            if name != exports.ARCHIVE
        ]
        with _replacing(paths[exports.ARCHIVE]) as handle:
            for chunk in exports.iter_zip(members):
                handle.write(chunk)

        self.stdout.write(
            self.style.SUCCESS(
                f"Exported ‘{survey.title}’ ({rows:,} answers) to {out}:"
            )
        )
        width = max(len(path.name) for path in paths.values())
        for path in paths.values():
            self.stdout.write(
                f"  {path.name:<{width}} {path.stat().st_size:>14,} bytes"
            )

    def _survey(self, survey_id: str) -> Survey:
        try:
            public_id = UUID(survey_id)
        except ValueError:
            raise CommandError(
                f"{survey_id!r} is not a survey id: expected the round's UUID, as in "
                "its /reports/<id>/ address."
            ) from None
        survey = (
            Survey.objects.select_related("partnership", "instrument")
            .filter(public_id=public_id)
            .first()
        )
        if survey is None:
            raise CommandError(f"No survey round has the id {public_id}.")
        return survey

    def _write_responses(self, survey: Survey, path: Path) -> int:
        lines, reported = 0, 0
        with _replacing(path) as handle:
            for chunk in exports.stream_responses_csv(survey):
                handle.write(chunk)
                lines += chunk.count(b"\n")
                if lines - 1 >= reported + PROGRESS_EVERY:
                    reported = (lines - 1) // PROGRESS_EVERY * PROGRESS_EVERY
                    self._progress(f"{exports.RESPONSES_CSV}: {reported:,} rows")
        return max(lines - 1, 0)  # less the header

    def _progress(self, message: str) -> None:
        if self.verbose:
            self.stderr.write(f"{message}…")
