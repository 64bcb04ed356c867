"""Time the dashboard pages of the largest generated round: cold, then warm.

    python -m bench.dashboards [--repeat 20]

Server time is the time Django takes to answer the request in this process (test client,
no network). build_analysis is what the task worker spends analysing the round after a
submission (pages never wait for it: a round too big to build in a request shows
"Preparing the results"); "first" is a page's first view on that analysis; p50/p95 are
over --repeat further views of each page; "other_worker" is a view in a process that has not
seen the analysis yet (read from the shared cache, page built again).
"""

import argparse
import statistics
import time

from bench.support import Figure, bench_lead, emit, generated_survey, setup_django


def _pages(survey) -> dict[str, str]:
    """Return the four dashboard pages: overview, biggest organisation, fit matrix, a pair."""
    from django.urls import reverse

    from reports.analysis import analyse_survey

    analysis = analyse_survey(survey)
    shown = analysis.visible_organisations().sort_values("submitted", ascending=False)
    public = analysis.organisations.set_index("organisation")["public_id"]
    pairs = analysis.pairs[~analysis.pairs["suppressed"]]
    a, b = (
        (pairs.iloc[0]["organisation_a"], pairs.iloc[0]["organisation_b"])
        if len(pairs)
        else tuple(shown["organisation"].iloc[:2])
    )
    args = [survey.public_id]
    return {
        "overview": reverse("reports:survey_overview", args=args),
        "organisation": reverse(
            "reports:organisation_detail",
            args=[*args, shown["public_id"].iloc[0]],
        ),
        "fit_matrix": reverse("reports:fit_matrix", args=args),
        "pair": reverse("reports:pair_detail", args=[*args, public[a], public[b]]),
    }


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(*, repeat: int) -> list[Figure]:
    from django.test import Client

    from reports.analysis import forget_analyses, local_analyses, refresh

    survey = generated_survey()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(bench_lead(survey))
    figures = [
        Figure("dashboard.responses", survey.submitted, "responses"),
        Figure("dashboard.organisations", survey.partnership.members.count(), "orgs"),
    ]
    forget_analyses()
    # What the task worker does after a submission (a big round is never built in a request).
    started = time.perf_counter()
    refresh(survey)
    figures.append(
        Figure("dashboard.build_analysis", time.perf_counter() - started, "s")
    )
    emit(figures[-1:])
    pages = _pages(survey)
    for name in ("overview", "organisation", "fit_matrix", "pair"):
        # The first view builds the page from the analysis; later views reuse it.
        started = time.perf_counter()
        response = client.get(pages[name])
        figures.append(
            Figure(
                f"dashboard.{name}.first", (time.perf_counter() - started) * 1000, "ms"
            )
        )
        timings = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(pages[name])
            timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{pages[name]} answered {response.status_code}")
        figures += [
            Figure(f"dashboard.{name}.p50", statistics.median(timings), "ms"),
            Figure(f"dashboard.{name}.p95", _percentile(timings, 0.95), "ms"),
        ]
        # As the first view in another gunicorn worker: the analysis comes from the shared
        # cache (unpickled) and the page is built again.
        local_analyses.clear()
        started = time.perf_counter()
        client.get(pages[name])
        figures.append(
            Figure(
                f"dashboard.{name}.other_worker",
                (time.perf_counter() - started) * 1000,
                "ms",
            )
        )
        emit(figures[-4:])
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    setup_django()
    figures = measure(repeat=args.repeat)
    emit(
        [
            f
            for f in figures
            if f.name in {"dashboard.responses", "dashboard.organisations"}
        ]
    )


if __name__ == "__main__":
    main()
