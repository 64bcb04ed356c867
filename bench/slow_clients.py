"""A respondent's page while slow clients and board-pack downloads hold connections to gunicorn.

    python -m bench.slow_clients [--slow 8] [--pdfs 6] [--views 10] [--worker-class gthread]

Serves the app under gunicorn with gunicorn.conf.py against PostgreSQL (the deployed
settings; --worker-class sync shows the old set-up for comparison). Draws the partnership's
board pack into the shared cache first, as the task worker does, then times the respondent
start page alone (the reference, same run). Then it opens --slow connections that send a
request's headers one byte every 2 seconds and --pdfs downloads of the board pack read
slowly (16 KB every half second), and while they are in flight times --views further views
of the respondent page, one after another. Prints the reference and the loaded p50 and max
(ms), their ratio, and how the downloads fared. The slow clients stop after --seconds, the
downloads are waited for at most PDF_SECONDS.
"""

import argparse
import socket
import statistics
import threading
import time

import requests

from bench import server
from bench.support import Figure, bench_lead, emit, generated_survey, setup_django

SLOW_HEADERS = b"X-Slow: " + b"a" * 200 + b"\r\n\r\n"
BYTE_EVERY = 2.0
READ_BYTES, READ_EVERY = 16 * 1024, 0.5
PDF_SECONDS = 300


def _slow_client(host: str, port: int, until: float, opened: threading.Event) -> None:
    """Send a GET's headers one byte at a time until `until`, as a slow client would."""
    try:
        with socket.create_connection((host, port), timeout=10) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            opened.set()
            for byte in SLOW_HEADERS:
                if time.monotonic() >= until:
                    return
                sock.sendall(bytes([byte]))
                time.sleep(BYTE_EVERY)
    except OSError:
        opened.set()  # the server closed it: that is the server's right


def _timed_get(
    session: requests.Session, url: str, timeout: float
) -> tuple[float, int]:
    started = time.perf_counter()
    try:
        status = session.get(url, timeout=timeout).status_code
    except requests.RequestException:
        status = 0
    return (time.perf_counter() - started) * 1000, status


def _slow_download(
    session: requests.Session, url: str, timeout: float
) -> tuple[float, int]:
    """Download `url` reading 16 KB every half second; return the time and status."""
    started = time.perf_counter()
    try:
        with session.get(url, timeout=timeout, stream=True) as answer:
            for _chunk in answer.iter_content(READ_BYTES):
                time.sleep(READ_EVERY)
            status = answer.status_code
    except requests.RequestException:
        status = 0
    return (time.perf_counter() - started) * 1000, status


def _respondent_link() -> str:
    from bench.submission import make_round

    _survey, tokens = make_round()
    return f"/s/{tokens[0]}/"


def measure(
    *, slow: int, pdfs: int, views: int, seconds: float, worker_class: str
) -> list[Figure]:
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from reports.analysis import analyse_survey
    from reports.pack_cache import PackRequest, build_and_store

    survey = generated_survey()
    analyse_survey(survey)  # the PDFs draw figures, not "Preparing the results"
    pack = build_and_store(survey, PackRequest(survey.pk))  # as the task worker does
    pdf_url = reverse("reports:partnership_pdf", args=[survey.public_id])
    client = Client()
    client.force_login(bench_lead(survey))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    link = _respondent_link()
    # gunicorn turns sync workers into gthread ones when threads > 1: one thread each.
    extra = (
        []
        if worker_class == "gthread"
        else ["--worker-class", "sync", "--threads", "1"]
    )
    with server.gunicorn(extra_args=extra) as base:
        port = int(base.rsplit(":", 1)[1])
        respondent = requests.Session()
        _timed_get(respondent, base + link, 30)  # warm the worker
        alone = [_timed_get(respondent, base + link, 30)[0] for _ in range(views)]

        until = time.monotonic() + seconds
        opened = [threading.Event() for _ in range(slow)]
        threads = [
            threading.Thread(
                target=_slow_client, args=("127.0.0.1", port, until, event)
            )
            for event in opened
        ]
        pdf_results: list[tuple[float, int]] = []

        def download() -> None:
            with requests.Session() as session:
                session.cookies.set(settings.SESSION_COOKIE_NAME, cookie)
                pdf_results.append(_slow_download(session, base + pdf_url, PDF_SECONDS))

        threads += [threading.Thread(target=download) for _ in range(pdfs)]
        for thread in threads:
            thread.start()
        for event in opened:
            event.wait(timeout=10)
        time.sleep(1.0)  # the downloads are under way now
        loaded = []
        for _ in range(views):
            if time.monotonic() >= until:
                break
            loaded.append(_timed_get(respondent, base + link, seconds))
            time.sleep(0.3)
        for thread in threads:
            thread.join(timeout=PDF_SECONDS + 30)
    times = [ms for ms, _status in loaded]
    pdf_ok = [ms for ms, status in pdf_results if status == 200]
    reference = statistics.median(alone)
    return [
        Figure(
            "slow_clients.worker_class_gthread", float(worker_class == "gthread"), "yes"
        ),
        Figure("slow_clients.slow_connections", slow, "connections"),
        Figure("slow_clients.pdfs_in_flight", pdfs, "requests"),
        Figure("slow_clients.respondent_alone_p50", reference, "ms"),
        Figure("slow_clients.respondent_p50", statistics.median(times), "ms"),
        Figure("slow_clients.respondent_max", max(times), "ms"),
        Figure(
            "slow_clients.respondent_errors",
            sum(1 for _ms, status in loaded if status != 200),
            "errors",
        ),
        Figure(
            "slow_clients.respondent_vs_alone",
            statistics.median(times) / reference,
            "ratio",
        ),
        Figure("slow_clients.pdf_bytes", len(pack), "bytes"),
        Figure("slow_clients.pdfs_ok", len(pdf_ok), "pdfs"),
        Figure(
            "slow_clients.pdf_p50", statistics.median(pdf_ok) if pdf_ok else 0, "ms"
        ),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slow", type=int, default=8)
    parser.add_argument("--pdfs", type=int, default=6)
    parser.add_argument("--views", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--worker-class", default="gthread", choices=["gthread", "sync"]
    )
    args = parser.parse_args(argv)
    setup_django()
    emit(
        measure(
            slow=args.slow,
            pdfs=args.pdfs,
            views=args.views,
            seconds=args.seconds,
            worker_class=args.worker_class,
        )
    )


if __name__ == "__main__":
    main()
