"""Seed the demo partnership: organisations, logins, two survey rounds and their answers."""

import argparse
import time
from collections.abc import Callable

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from surveys.instrument_schema import InstrumentError
from surveys.models import Partnership
from surveys.services.demo import (
    DEFAULT_ORGANISATIONS,
    DEFAULT_RESPONDENTS,
    DEFAULT_SEED,
    DEMO_PARTNERSHIP_NAME,
    DEMO_PASSWORD,
    DEMO_USERS,
    MAX_ORGANISATIONS,
    MAX_RESPONDENTS,
    MIN_ORGANISATIONS,
    MIN_RESPONDENTS,
    DemoExistsError,
    seed_demo,
)


def _bounded(low: int, high: int) -> Callable[[str], int]:
    """Return an argparse type that accepts whole numbers from low to high."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not a whole number"
            ) from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}")
        return value

    return parse


class Command(BaseCommand):
    help = (
        "Create a realistic, deterministic demo partnership with logins, a closed baseline "
        "round and an open current round full of answers."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--organisations",
            type=_bounded(MIN_ORGANISATIONS, MAX_ORGANISATIONS),
            default=DEFAULT_ORGANISATIONS,
            help=f"partner organisations ({MIN_ORGANISATIONS}-{MAX_ORGANISATIONS}, "
            f"default {DEFAULT_ORGANISATIONS})",
        )
        parser.add_argument(
            "--respondents",
            type=_bounded(MIN_RESPONDENTS, MAX_RESPONDENTS),
            default=DEFAULT_RESPONDENTS,
            help=f"mean submitted responses per organisation in the current round "
            f"(default {DEFAULT_RESPONDENTS})",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=f"random seed (default {DEFAULT_SEED})",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing if any partnership already exists",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="delete and rebuild the demo partnership if it exists",
        )

    def handle(self, *args, **options) -> None:
        if options["if_empty"] and Partnership.objects.exists():
            self.stdout.write("A partnership already exists: the demo was not seeded.")
            return
        started = time.perf_counter()
        try:
            result = seed_demo(
                organisations=options["organisations"],
                respondents=options["respondents"],
                seed=options["seed"],
                replace=options["replace"],
            )
        except DemoExistsError as exc:
            raise CommandError(
                f"{exc} Pass --replace to delete and rebuild it, or --if-empty to leave it."
            ) from exc
        except InstrumentError as exc:
            raise CommandError(str(exc)) from exc
        seconds = time.perf_counter() - started

        write = self.stdout.write
        write(
            self.style.SUCCESS(
                f"Seeded {DEMO_PARTNERSHIP_NAME}: {result.organisations} organisations "
                f"in {seconds:.1f} s."
            )
        )
        for title, submitted in result.submitted.items():
            write(f"  {title}: {submitted} responses submitted")
        write(
            f"  {result.in_progress} responses in progress, {result.answers} answers, "
            f"{result.profile_answers} culture-profile points, {result.comments} comments"
        )
        write(f"Demo logins (sign in at {settings.SITE_URL}/accounts/login/):")
        for username, role in DEMO_USERS:
            write(f"  {username:<11} password {DEMO_PASSWORD}  ({role.label})")
        if result.try_invitation is not None:
            url = settings.SITE_URL + result.try_invitation.get_absolute_url()
            write(f"Try the survey as a respondent: {url}")
