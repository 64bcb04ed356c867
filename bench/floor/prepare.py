"""Create the floor app's tables and a fresh set of links, printing their tokens.

    DATABASE_URL=… python -m bench.floor.prepare [--links 5]

Run in its own process by bench.submission, so the floor's settings never meet ours.
"""

import argparse
import os
import secrets
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=5)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.floor.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", "floor", verbosity=0)
    from bench.floor.models import FloorAnswer, FloorLink, FloorResponse

    FloorLink.objects.all().delete()
    tokens = [secrets.token_urlsafe(32) for _ in range(args.links)]
    for token in tokens:
        link = FloorLink.objects.create(token=token)
        response = FloorResponse.objects.create(link=link)
        FloorAnswer.objects.bulk_create(
            FloorAnswer(response=response, item=item, value=3) for item in range(1, 7)
        )
    sys.stdout.write(",".join(tokens) + "\n")


if __name__ == "__main__":
    main()
