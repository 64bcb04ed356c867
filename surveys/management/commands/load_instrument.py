"""Load (or refresh) an instrument definition from a YAML file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from surveys.instrument_schema import InstrumentError, read_instrument
from surveys.services.instruments import load_instrument


class Command(BaseCommand):
    help = "Load an instrument YAML file idempotently; refuse to change a version with responses."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options) -> None:
        try:
            spec, text = read_instrument(path)
            result = load_instrument(spec=spec, source_text=text)
        except InstrumentError as exc:
            raise CommandError(str(exc)) from exc
        instrument = result.instrument
        items = sum(d.items.count() for d in instrument.dimensions.all())
        self.stdout.write(
            f"{instrument.title} v{instrument.version}: {result.action} "
            f"({instrument.dimensions.count()} sections, {items} items)"
        )
