"""Run every benchmark at one size and print the figures and a summary against the targets.

    python -m bench [--responses 10000] [--organisations 200] [--users 50] [--seconds 30]
                    [--validity-replications 400] [--frontend-loads 3] [--no-slow-clients]

Builds the data set with bench.generate (replacing an earlier one unless --reuse), then
times the dashboards, the responses.csv export against raw COPY, the board pack cold and
warm, and submission under locust beside the floor app (bench/floor/), the dashboards' cold
loads in Chromium (bench.frontend), a respondent's page beside slow clients and PDFs
(bench.slow_clients), and checks the statistics against simulated rounds (bench.validity).
Figures print one per line as they come (`name value unit`); the table at the end compares
them with the targets of issues 6, 13 and 17 (bench/RESULTS.md records real runs).
"""

import argparse
import sys

from bench import (
    board_pack,
    dashboards,
    export,
    frontend,
    generate,
    slow_clients,
    submission,
    validity,
)
from bench.support import Figure, emit, generated_survey, setup_django

# (figure, target, "max", "min" or "abs" (|figure| ≤ target)): issue 6's on a 2-core
# machine at 500,000 responses, issue 17's submission targets as ratios to the floor app
# measured in the same run, then issue 13's for the statistics (MEASUREMENT.md §6).
TARGETS = (
    ("dashboard.overview.p95", 1000, "max"),
    ("dashboard.organisation.p95", 1000, "max"),
    ("dashboard.fit_matrix.p95", 300, "max"),
    ("dashboard.pair.p95", 1000, "max"),
    ("submission.rate_vs_floor", 0.7, "min"),
    ("submission.p95_vs_floor", 1.5, "max"),
    ("board_pack.warm.p95", 1000, "max"),
    ("submission.errors", 0, "max"),
    ("submission.lost", 0, "max"),
    ("view_vs_raw_copy", 0.5, "min"),
    ("view_rss_growth", 300, "max"),
    # Issue 17: JavaScript and cold load (charts drawn) per page, a respondent beside slow
    # clients and PDFs.
    *[
        target
        for page in ("sign_in", "overview", "organisation", "fit_matrix", "pair")
        for target in (
            (f"frontend.{page}.js_decoded", 1.5, "max"),
            (f"frontend.{page}.load_p50", 500, "max"),
        )
    ],
    ("slow_clients.respondent_max", 1000, "max"),
    ("slow_clients.respondent_errors", 0, "max"),
    *[(f"validity.clear_gap.identical.n{n}", 0.05, "max") for n in validity.SIZES],
    *[
        target
        for n in validity.SIZES
        for target in (
            (f"validity.fit.coverage.typical.n{n}", 0.93, "min"),
            (f"validity.fit.coverage.typical.n{n}", 0.97, "max"),
            (f"validity.fit.coverage.identical.n{n}", 0.90, "min"),
        )
    ],
    *[
        (f"validity.{figure}.bias.{kind}.n8", 2, "abs")
        for figure in ("fit", *validity.COMPONENTS)
        for kind in ("typical", "identical")
    ],
)


def summary(figures: list[Figure]) -> str:
    """Return a plain-text table of each target, the figure measured and whether it is met."""
    found = {f.name: f for f in figures}
    size = found.get("dashboard.responses")
    lines = [
        "Targets are set for 500,000 responses on 2 cores"
        + (f"; this run's largest round has {size.value:.0f}." if size else "."),
        f"{'figure':42} {'measured':>12} {'target':>12}  result",
    ]
    for name, target, kind in TARGETS:
        figure = found.get(name)
        if figure is None:
            lines.append(f"{name:42} {'–':>12} {target:>12}  not run")
            continue
        value = abs(figure.value) if kind == "abs" else figure.value
        met = value >= target if kind == "min" else value <= target
        sign = {"max": "≤", "min": "≥", "abs": "|x| ≤"}[kind]
        bound = f"{sign} {target} {figure.unit}"
        lines.append(
            f"{name:42} {figure.value:>12.4g} {bound:>16}  {'met' if met else 'MISSED'}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=10_000)
    parser.add_argument("--organisations", type=int, default=200)
    parser.add_argument("--partnership-size", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument(
        "--validity-replications",
        type=int,
        default=400,
        help="simulated rounds per kind and size for bench.validity (0 skips it)",
    )
    parser.add_argument(
        "--frontend-loads",
        type=int,
        default=3,
        help="cold loads per page for bench.frontend (0 skips it)",
    )
    parser.add_argument(
        "--no-slow-clients",
        action="store_true",
        help="skip bench.slow_clients (it draws six board packs at once)",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the generated data set if there is one",
    )
    args = parser.parse_args(argv)
    setup_django()
    figures: list[Figure] = []
    if not (args.reuse and generate._exists()):
        result = generate.generate(
            generate.parse_args(
                [
                    f"--responses={args.responses}",
                    f"--organisations={args.organisations}",
                    f"--partnership-size={args.partnership_size}",
                    "--replace",
                ]
            )
        )
        figures += [
            Figure("generate.responses", result["responses"], "responses"),
            Figure("generate.answers", result["answers"], "rows"),
            Figure("generate.seconds", result["seconds"], "s"),
        ]
        emit(figures)
    figures += dashboards.measure(repeat=args.repeat)
    figures += export.measure(generated_survey(), paths=("view", "raw_copy"))
    emit(figures[-1:])
    packs = board_pack.measure(repeat=10)
    emit(packs)
    figures += packs
    submitted = submission.measure(
        users=args.users, seconds=args.seconds, workers=args.workers
    )
    emit(submitted)
    figures += submitted
    if args.frontend_loads:
        figures += frontend.measure(loads=args.frontend_loads)
    if not args.no_slow_clients:
        loaded = slow_clients.measure(
            slow=8, pdfs=6, views=10, seconds=60, worker_class="gthread"
        )
        emit(loaded)
        figures += loaded
    if args.validity_replications:
        figures += validity.measure(replications=args.validity_replications)
    sys.stdout.write("\n" + summary(figures) + "\n")


if __name__ == "__main__":
    main()
