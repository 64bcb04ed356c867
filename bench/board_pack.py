"""Board pack download of the largest generated round: cold (drawn), then warm (cached).

    python -m bench.board_pack [--repeat 10]

"cold" is what the task worker spends drawing the partnership pack after an analysis
refresh (Chromium for the charts, WeasyPrint for the pages); "warm" is the download a
board member then gets, through the view, with nothing changed since: p50 and p95 over
--repeat downloads. "pending" is the answer to a pack not drawn yet ("Preparing").
"""

import argparse
import statistics
import time

from bench.support import Figure, bench_lead, emit, generated_survey, setup_django


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(*, repeat: int) -> list[Figure]:
    from django.core.cache import caches
    from django.test import Client
    from django.urls import reverse

    from reports.analysis import CACHE_ALIAS, analyse_survey
    from reports.pack_cache import PackRequest, build_and_store, pack_key

    survey = generated_survey()
    if not survey.results_released:
        raise SystemExit("The generated round's results are not released yet.")
    analyse_survey(survey, fresh=True)
    # A lead sees exact counts, so gets the pack drawn with them (pack_cache.PackRequest).
    request = PackRequest(survey.pk, exact_counts=True)
    caches[CACHE_ALIAS].delete(pack_key(survey, request))
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(bench_lead(survey))
    url = reverse("reports:partnership_pdf", args=[survey.public_id])

    started = time.perf_counter()
    document = build_and_store(survey, request)
    cold = time.perf_counter() - started
    warm = []
    for _ in range(repeat):
        started = time.perf_counter()
        answer = client.get(url)
        warm.append(time.perf_counter() - started)
        if answer.status_code != 200 or answer.content != document:
            raise SystemExit(f"The cached pack was not served ({answer.status_code}).")
    return [
        Figure("board_pack.bytes", len(document), "bytes"),
        Figure("board_pack.cold", cold * 1000, "ms"),
        Figure("board_pack.warm.p50", statistics.median(warm) * 1000, "ms"),
        Figure("board_pack.warm.p95", _percentile(warm, 0.95) * 1000, "ms"),
        Figure("board_pack.cold_vs_warm", cold / statistics.median(warm), "ratio"),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args(argv)
    setup_django()
    emit(measure(repeat=args.repeat))


if __name__ == "__main__":
    main()
