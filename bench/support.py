"""What every benchmark needs: Django set-up, figures, memory sampling, the generated round."""

import os
import resource
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
MB = 1024 * 1024
SAMPLE_SECONDS = 0.005
BENCH_USERNAME = "bench-lead"
BENCH_ANALYST_USERNAME = "bench-analyst"


@dataclass(frozen=True)
class Figure:
    """One measured figure, printed as `name value unit`."""

    name: str
    value: float
    unit: str

    def __str__(self) -> str:
        value = f"{self.value:.0f}" if abs(self.value) >= 1000 else f"{self.value:.3g}"
        return f"{self.name} {value} {self.unit}"


def emit(figures: list[Figure]) -> None:
    """Print figures one per line, as soon as they are known."""
    for figure in figures:
        sys.stdout.write(f"{figure}\n")
    sys.stdout.flush()


def setup_django() -> None:
    """Configure Django for a benchmark: production settings over plain HTTP, on PostgreSQL."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collab_survey.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key")
    os.environ.setdefault("DJANGO_ENV_FILE", os.devnull)
    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("DJANGO_SECURE_COOKIES", "false")
    os.environ.setdefault("RATELIMIT_ENABLE", "false")
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("The benchmarks need PostgreSQL: set DATABASE_URL.")


def rss_bytes() -> int:
    """Return this process's resident memory now (Linux), else its peak so far."""
    try:
        with Path("/proc/self/statm").open() as statm:
            return int(statm.read().split()[1]) * PAGE_BYTES
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class PeakMemory:
    """Sample resident memory in a thread; remember the baseline and the peak."""

    def __init__(self) -> None:
        self.baseline = self.peak = rss_bytes()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self.peak = max(self.peak, rss_bytes())

    def __enter__(self) -> "PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes())


def generated_survey():
    """Return the generated round with the most submitted responses."""
    from django.db.models import Count, Q

    from bench.generate import BENCH_PREFIX
    from surveys.models import Survey

    survey = (
        Survey.objects.filter(partnership__name__startswith=f"{BENCH_PREFIX} ")
        .annotate(
            submitted=Count(
                "responses", filter=Q(responses__submitted_at__isnull=False)
            )
        )
        .order_by("-submitted", "pk")
        .select_related("partnership")
        .first()
    )
    if survey is None:
        raise SystemExit("No generated data: run `python -m bench.generate` first.")
    return survey


def bench_lead(survey):
    """Return a lead of the survey's partnership, made for the benchmarks."""
    from surveys.models import Membership, User

    user, _ = User.objects.get_or_create(
        username=BENCH_USERNAME, defaults={"email": "bench@example.org"}
    )
    Membership.objects.get_or_create(
        user=user,
        partnership=survey.partnership,
        defaults={"role": Membership.Role.LEAD},
    )
    return user


def bench_analyst(survey):
    """Return an analyst of the survey's partnership: files with a row per response are theirs."""
    from surveys.models import Membership, User

    user, _ = User.objects.get_or_create(
        username=BENCH_ANALYST_USERNAME, defaults={"email": "bench-analyst@example.org"}
    )
    Membership.objects.get_or_create(
        user=user,
        partnership=survey.partnership,
        defaults={"role": Membership.Role.ANALYST},
    )
    return user
