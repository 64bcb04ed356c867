"""Write a round's board report (or one pair's) to a PDF file."""

import time
from pathlib import Path
from uuid import UUID

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports import pdf
from surveys.models import Survey


class Command(BaseCommand):
    help = (
        "Write the partnership board report of a survey round to a PDF, or with --pair "
        "the report for one pair of partner organisations."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("survey_id", help="the round's public id (a UUID)")
        parser.add_argument(
            "--pair",
            nargs=2,
            metavar=("A_ID", "B_ID"),
            help="public ids of two partner organisations",
        )
        parser.add_argument(
            "--out", required=True, type=Path, help="the PDF file to write"
        )

    def handle(self, *args, **options) -> None:
        survey = self._survey(options["survey_id"])
        out: Path = options["out"]
        if not out.parent.is_dir():
            raise CommandError(f"No such directory: {out.parent}")
        started = time.perf_counter()
        if options["pair"]:
            a_id, b_id = (str(self._uuid(v, "organisation")) for v in options["pair"])
            try:
                document = pdf.pair_pdf(survey, a_id, b_id)
            except LookupError as exc:
                raise CommandError(
                    "Both organisations must be different members of the round's "
                    "partnership."
                ) from exc
        else:
            document = pdf.partnership_pdf(survey)
        partial = out.with_name(f".{out.name}.part")
        partial.write_bytes(document)
        partial.replace(out)
        self.stdout.write(
            f"Wrote {out} ({len(document) // 1024} KB) in "
            f"{time.perf_counter() - started:.1f} s."
        )

    def _uuid(self, value: str, what: str) -> UUID:
        try:
            return UUID(value)
        except ValueError as exc:
            raise CommandError(f"Not a valid {what} id: {value}") from exc

    def _survey(self, value: str) -> Survey:
        survey = (
            Survey.objects.select_related("partnership", "instrument")
            .filter(public_id=self._uuid(value, "survey"))
            .first()
        )
        if survey is None:
            raise CommandError(f"No survey round with id {value}")
        return survey
