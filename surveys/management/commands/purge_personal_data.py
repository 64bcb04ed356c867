"""Delete invitees' email addresses from rounds closed longer than the retention period."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from surveys.services.data_protection import (
    purge_personal_data,
    rounds_past_retention,
)


class Command(BaseCommand):
    help = (
        "Delete the invitees' email addresses (and cut their survey links) of every round that "
        "closed more than PERSONAL_DATA_RETENTION_DAYS days ago. Answers are kept. Safe to run "
        "as often as you like: schedule it daily (see the README)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List the rounds that would be purged, and change nothing.",
        )

    def handle(self, *args, dry_run: bool, **options) -> None:
        days = settings.PERSONAL_DATA_RETENTION_DAYS
        if dry_run:
            due = list(rounds_past_retention().select_related("partnership"))
            for survey in due:
                self.stdout.write(
                    f"Would delete: {survey.partnership} – {survey.title}"
                )
            self.stdout.write(f"{len(due)} round(s) closed more than {days} days ago.")
            return
        purged = purge_personal_data()
        for survey, count in purged:
            self.stdout.write(
                f"Deleted {count} email address(es): {survey.partnership} – {survey.title}"
            )
        self.stdout.write(
            f"{len(purged)} round(s) purged (retention: {days} days after closing)."
        )
