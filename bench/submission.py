"""Submission throughput: 50 locust respondents against gunicorn and PostgreSQL, beside the floor.

    python -m bench.submission [--users 50] [--seconds 60] [--workers 3] [--rate-limits]
        [--no-page-wait]

Creates an open round of its own ("Load test partnership", five organisations with an
organisation link each), starts gunicorn on a free loopback port with the production
settings (rate limits off unless --rate-limits: every respondent comes from 127.0.0.1),
runs locust headless for a bounded time, then counts in the database what locust saw
confirmed. Prints requests/s, p50/p95/p99 latency, errors and lost responses (both 0).

Then, in the same run, the same gunicorn and the same locust load drive the floor
(bench/floor/: the least a Django app must do to save a page), and the figures are
printed as ours, the floor's and their ratio: the target is a ratio, because what the
stack itself manages depends on the machine. Both loads have the same shape: a respondent
waits a moment after every page save (--no-page-wait keeps ours waiting only between whole
questionnaires, as before 1 December 2026, which keeps all 50 busy and measures queueing).
"""

import argparse
import csv
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

from bench.support import Figure, emit, setup_django

ROOT = Path(__file__).resolve().parent.parent
# A path, not an import: importing locust would monkey-patch this process with gevent.
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
FLOOR_LOCUSTFILE = Path(__file__).resolve().parent / "floor" / "locustfile.py"
PARTNERSHIP = "Load test partnership"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_round():
    """Return a fresh open round with one organisation link per organisation."""
    from django.utils import timezone

    from bench.generate import _delete_previous
    from surveys.models import (
        Invitation,
        Organisation,
        Partnership,
        PartnershipMember,
        Sector,
        Survey,
    )
    from surveys.services.demo.write import ensure_default_instrument

    instrument = ensure_default_instrument()
    _delete_previous(prefix=PARTNERSHIP)
    partnership = Partnership.objects.create(name=PARTNERSHIP)
    sectors = [Sector.NHS_ACUTE, Sector.LOCAL_AUTHORITY, Sector.VCSE, Sector.ICB]
    orgs = [
        Organisation.objects.create(
            name=f"{PARTNERSHIP} organisation {n}",
            short_name=f"BS{n}",
            sector=sectors[n % len(sectors)],
        )
        for n in range(1, 6)
    ]
    PartnershipMember.objects.add(partnership=partnership, organisations=orgs)
    survey = Survey.objects.create(
        partnership=partnership,
        instrument=instrument,
        title="Throughput round",
        status=Survey.Status.OPEN,
        opens_at=timezone.now() - timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=7),
    )
    links = [
        Invitation.objects.create(
            survey=survey, organisation=org, kind=Invitation.Kind.ORGANISATION
        )
        for org in orgs
    ]
    return survey, [link.token for link in links]


def _wait_for(url: str, seconds: float = 30) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer {url}")


TICKS = os.sysconf("SC_CLK_TCK")


def _ticks(pid: int) -> tuple[int, int] | None:
    """Return (parent pid, user + system CPU ticks) of a process, or None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2 :].split()
    return int(fields[1]), int(fields[11]) + int(fields[12])


class CpuSampler(threading.Thread):
    """Add up the CPU time the server, its database backends and locust use during a run.

    The machine's cores are shared by all three (and by anything else running), so the
    requests/s of two runs compare only what each got; CPU time per request compares what
    each costs. Every half second it reads /proc for: the gunicorn master and every process
    under it, the PostgreSQL backends of the benchmark's database (PostgreSQL on this host),
    and locust. A process's CPU counts from when the run started, or from zero if it
    started during the run (each worker thread opens its own database connection).
    """

    def __init__(self, *, server: int, locust: int, database: str) -> None:
        super().__init__(daemon=True)
        self.roots = {"server": server, "locust": locust}
        self.backend = f" {database} ".encode()
        self.stopping = threading.Event()
        self.start_ticks: dict[int, int] = {}
        self.last: dict[int, tuple[str, int]] = {}
        self._sample(first=True)

    def _kind(self, pid: int, parents: dict[int, int]) -> str | None:
        seen = pid
        for _ in range(8):
            for kind, root in self.roots.items():
                if seen == root:
                    return kind
            seen = parents.get(seen, 0)
            if seen <= 1:
                break
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return None
        if cmdline.startswith(b"postgres: ") and self.backend in cmdline:
            return "database"
        return None

    def _sample(self, first: bool = False) -> None:
        found = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and (ticks := _ticks(int(entry.name))):
                found[int(entry.name)] = ticks
        parents = {pid: parent for pid, (parent, _t) in found.items()}
        for pid, (_parent, ticks) in found.items():
            if pid in self.last:
                self.last[pid] = (self.last[pid][0], ticks)
            elif (kind := self._kind(pid, parents)) is not None:
                self.last[pid] = (kind, ticks)
                self.start_ticks[pid] = ticks if first else 0

    def run(self) -> None:
        while not self.stopping.wait(0.5):
            self._sample()

    def stop(self) -> dict[str, float]:
        """Stop sampling; return CPU seconds used by "server", "database" and "locust"."""
        self.stopping.set()
        self.join()
        self._sample()
        used = {"server": 0.0, "database": 0.0, "locust": 0.0}
        for pid, (kind, ticks) in self.last.items():
            used[kind] += (ticks - self.start_ticks[pid]) / TICKS
        return used


def _aggregate(stats_csv: Path) -> dict[str, dict[str, str]]:
    with stats_csv.open() as handle:
        return {row["Name"]: row for row in csv.DictReader(handle)}


def _run_load(
    *,
    application: str,
    locustfile: Path,
    env: dict[str, str],
    users: int,
    seconds: int,
    workers: int,
    health: str,
) -> dict[str, dict[str, str]]:
    """Serve `application` with gunicorn, run locust against it, return locust's stats rows."""
    port = _free_port()
    host = f"http://127.0.0.1:{port}"
    env = {**env, "SITE_URL": host}
    bin_dir = Path(sys.executable).parent
    server = subprocess.Popen(
        [
            str(bin_dir / "gunicorn"),
            application,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--no-control-socket",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        _wait_for(f"{host}{health}")
        with tempfile.TemporaryDirectory() as tmp:
            prefix = Path(tmp) / "run"
            locust = subprocess.Popen(
                [
                    str(bin_dir / "locust"),
                    "-f",
                    str(locustfile),
                    "--headless",
                    "--only-summary",
                    "--users",
                    str(users),
                    "--spawn-rate",
                    str(users),
                    "--run-time",
                    f"{seconds}s",
                    "--host",
                    host,
                    "--csv",
                    str(prefix),
                    "--loglevel",
                    "WARNING",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
            )
            sampler = CpuSampler(
                server=server.pid, locust=locust.pid, database=_database_name()
            )
            sampler.start()
            locust.wait()
            cpu = sampler.stop()
            stats = _aggregate(Path(f"{prefix}_stats.csv"))
            stats["cpu"] = {kind: str(seconds) for kind, seconds in cpu.items()}
            return stats
    finally:
        server.terminate()
        server.wait(timeout=30)


def _database_name() -> str:
    from django.db import connection

    return connection.settings_dict["NAME"]


def cpu_figures(prefix: str, stats: dict[str, dict[str, str]]) -> list[Figure]:
    """Return CPU milliseconds per request of the server, its database and locust."""
    count = float(stats["Aggregated"]["Request Count"]) or 1.0
    cpu = {
        kind: float(seconds) * 1000 / count for kind, seconds in stats["cpu"].items()
    }
    return [
        Figure(f"{prefix}.cpu_server", cpu["server"], "ms/request"),
        Figure(f"{prefix}.cpu_database", cpu["database"], "ms/request"),
        Figure(f"{prefix}.cpu_locust", cpu["locust"], "ms/request"),
        Figure(f"{prefix}.cpu_total", sum(cpu.values()), "ms/request"),
    ]


def _prepare_floor(env: dict[str, str], links: int = 5) -> list[str]:
    """Create the floor's tables and links in the same database; return the tokens."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.floor.prepare", "--links", str(links)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip().split(",")


def measure_floor(*, users: int, seconds: int, workers: int) -> list[Figure]:
    """Run the floor app under the same load and return its figures."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.floor.settings"}
    env["BENCH_TOKENS"] = ",".join(_prepare_floor(env))
    token = env["BENCH_TOKENS"].split(",")[0]
    stats = _run_load(
        application="bench.floor.wsgi:application",
        locustfile=FLOOR_LOCUSTFILE,
        env=env,
        users=users,
        seconds=seconds,
        workers=workers,
        health=f"/f/{token}/",
    )
    total = stats["Aggregated"]
    return [
        Figure("floor.requests", float(total["Request Count"]), "requests"),
        Figure("floor.rate", float(total["Requests/s"]), "requests/s"),
        Figure("floor.p50", float(total["50%"]), "ms"),
        Figure("floor.p95", float(total["95%"]), "ms"),
        Figure("floor.errors", float(total["Failure Count"]), "errors"),
        *cpu_figures("floor", stats),
    ]


def ratios(ours: list[Figure], floor: list[Figure]) -> list[Figure]:
    """Return our rate and p95 as ratios to the floor's, measured in the same run."""
    found = {f.name: f.value for f in [*ours, *floor]}
    rate = (
        found["submission.rate"] / found["floor.rate"] if found["floor.rate"] else 0.0
    )
    p95 = found["submission.p95"] / found["floor.p95"] if found["floor.p95"] else 0.0
    # The floor's CPU per request over ours: on a machine whose cores the run saturates,
    # the rate ratio both would reach alone, whatever else took its share of the cores.
    cpu = found["floor.cpu_total"] / found["submission.cpu_total"]
    server = found["floor.cpu_server"] / found["submission.cpu_server"]
    return [
        Figure("submission.rate_vs_floor", rate, "ratio"),
        Figure("submission.p95_vs_floor", p95, "ratio"),
        Figure(
            "submission.cpu_vs_floor",
            cpu if found["submission.cpu_total"] else 0.0,
            "ratio",
        ),
        Figure(
            "submission.server_cpu_vs_floor",
            server if found["submission.cpu_server"] else 0.0,
            "ratio",
        ),
    ]


def measure(
    *,
    users: int,
    seconds: int,
    workers: int,
    rate_limits: bool = False,
    floor: bool = True,
    page_wait: bool = True,
) -> list[Figure]:
    """Measure our submission path and, unless floor=False, the floor beside it.

    `page_wait` (the default) makes our respondents wait after every page save, as the
    floor's do after theirs: the same load shape for both. Without it ours wait only between
    questionnaires, so all 50 are always busy and our p95 is queueing by construction.
    """
    from django.db.models import Count, Q

    from surveys.models import Block, Item

    survey, tokens = make_round()
    # Every simulated respondent comes from 127.0.0.1: with the production limits they
    # would all share one address's allowance. --rate-limits keeps the counting (its cost
    # is real) with limits no test run reaches.
    limits = (
        {"RATELIMIT_RESPONDENT": "1000000/m", "RATELIMIT_UNKNOWN_LINK": "1000000/m"}
        if rate_limits
        else {}
    )
    env = {
        **os.environ,
        **limits,
        "RATELIMIT_ENABLE": str(rate_limits).lower(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "BENCH_TOKENS": ",".join(tokens),
        "BENCH_PAGE_WAIT": "1" if page_wait else "0",
    }
    stats = _run_load(
        application="collab_survey.wsgi:application",
        locustfile=LOCUSTFILE,
        env=env,
        users=users,
        seconds=seconds,
        workers=workers,
        health="/healthz",
    )
    total = stats["Aggregated"]
    submits = stats.get("POST submit", {})
    confirmed = int(submits.get("Request Count", 0)) - int(
        submits.get("Failure Count", 0)
    )
    in_database = survey.responses.filter(submitted_at__isnull=False).count()
    # Every submitted response must hold every self item: nothing lost on the way.
    self_items = Item.objects.filter(
        dimension__instrument=survey.instrument, block=Block.SELF
    ).count()
    incomplete = (
        survey.responses.filter(submitted_at__isnull=False)
        .annotate(n=Count("answers", filter=Q(answers__item__block=Block.SELF)))
        .exclude(n=self_items)
        .count()
    )
    ours = [
        Figure("submission.users", users, "users"),
        Figure("submission.seconds", seconds, "s"),
        Figure("submission.workers", workers, "workers"),
        Figure("submission.rate_limits", float(rate_limits), "on"),
        Figure("submission.page_wait", float(page_wait), "on"),
        Figure("submission.requests", float(total["Request Count"]), "requests"),
        Figure("submission.rate", float(total["Requests/s"]), "requests/s"),
        Figure("submission.p50", float(total["50%"]), "ms"),
        Figure("submission.p95", float(total["95%"]), "ms"),
        Figure("submission.p99", float(total["99%"]), "ms"),
        Figure("submission.page_post_p95", float(stats["POST page"]["95%"]), "ms"),
        Figure("submission.errors", float(total["Failure Count"]), "errors"),
        Figure("submission.confirmed", confirmed, "responses"),
        Figure("submission.in_database", in_database, "responses"),
        Figure("submission.lost", max(confirmed - in_database, 0), "responses"),
        Figure("submission.incomplete", incomplete, "responses"),
        *cpu_figures("submission", stats),
    ]
    if not floor:
        return ours
    below = measure_floor(users=users, seconds=seconds, workers=workers)
    return [*ours, *below, *ratios(ours, below)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument(
        "--rate-limits",
        action="store_true",
        help="count requests as production does (limits set out of reach)",
    )
    parser.add_argument(
        "--no-floor", action="store_true", help="skip the floor app's run"
    )
    parser.add_argument(
        "--no-page-wait",
        action="store_true",
        help="wait only between whole questionnaires (the shape before 1 December 2026),"
        " not after every page save as the floor's respondents do",
    )
    args = parser.parse_args(argv)
    setup_django()
    emit(
        measure(
            users=args.users,
            seconds=args.seconds,
            workers=args.workers,
            rate_limits=args.rate_limits,
            floor=not args.no_floor,
            page_wait=not args.no_page_wait,
        )
    )


if __name__ == "__main__":
    main()
