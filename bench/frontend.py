"""Cold loads of the dashboard pages in Debian's Chromium: JavaScript bytes and time to charts.

    python -m bench.frontend [--loads 3]

Serves the app under gunicorn (gunicorn.conf.py, collected static files through whitenoise,
as deployed) on a loopback port and opens each dashboard page of the largest generated round
(generating a small one if there is none) --loads times, each in a fresh browser context (an
empty cache), through Playwright. "load" is the time from navigation start until every chart
on the page has drawn its SVG; "html" until the page itself has arrived (server time). Each page is loaded twice over: with our plotly.js (the
figures that count) and, as the reference in the same run, with the full plotly.min.js of
the Python plotly package put in its place, so the ratio holds however busy the machine is.
Prints per page: decoded JavaScript (MB), the same on the wire (MB), load p50 and max and
html p50 (ms),
and the reference's JavaScript and load p50.
"""

import argparse
import statistics
from pathlib import Path

from bench import server
from bench.support import Figure, bench_lead, emit, setup_django

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MB = 1_000_000
# Resolves with the page's clock once every chart holds plotly's SVG, else false.
CHARTS_DRAWN = """() => {
  const charts = [...document.querySelectorAll('[data-plotly]')];
  return charts.every((c) => c.querySelector('.main-svg')) && performance.now();
}"""


def _survey():
    """Return the generated round with most responses, generating a small one if none."""
    from bench import generate
    from bench.support import generated_survey

    if not generate._exists():
        generate.generate(
            generate.parse_args(["--responses=2000", "--organisations=20", "--replace"])
        )
    return generated_survey()


def _session_cookie(survey) -> dict[str, str]:
    """Sign the benchmark lead in and return the session cookie for the browser."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(bench_lead(survey))
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
    }


def _load(browser, url: str, cookie: dict | None, full_plotly: bytes | None) -> dict:
    """Open `url` once in a fresh context; return its script bytes and time to charts."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    if cookie:
        context.add_cookies([{**cookie, "url": url}])
    page = context.new_page()
    if full_plotly is not None:
        page.route(
            "**/plotly-collab*.js",
            lambda route: route.fulfill(
                body=full_plotly, content_type="text/javascript"
            ),
        )
    scripts: list = []
    page.on(
        "requestfinished",
        lambda request: request.resource_type == "script" and scripts.append(request),
    )
    page.goto(url, wait_until="commit")
    drawn = page.wait_for_function(CHARTS_DRAWN, timeout=60_000).json_value()
    page.wait_for_load_state("load")
    decoded = wire = 0
    for request in scripts:
        response = request.response()
        decoded += len(response.body())
        wire += request.sizes()["responseBodySize"]
    charts = page.locator("[data-plotly].js-plotly-plot").count()
    html = page.evaluate("performance.getEntriesByType('navigation')[0].responseEnd")
    context.close()
    return {
        "ms": drawn,
        "html_ms": html,
        "decoded": decoded,
        "wire": wire,
        "charts": charts,
    }


def measure(*, loads: int) -> list[Figure]:
    """Load each dashboard page cold `loads` times with our plotly.js and the full one."""
    import plotly
    from django.core.management import call_command
    from playwright.sync_api import sync_playwright

    from bench.dashboards import _pages
    from reports.analysis import analyse_survey

    call_command("collectstatic", interactive=False, verbosity=0)
    survey = _survey()
    analyse_survey(survey)  # the pages show figures, not "Preparing the results"
    from django.urls import reverse

    pages = {"sign_in": reverse("login"), **_pages(survey)}
    cookie = _session_cookie(survey)
    full = (
        Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    ).read_bytes()
    figures: list[Figure] = []
    with server.gunicorn() as host, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        _load(browser, host + pages["overview"], cookie, None)  # warm the server
        for name, path in pages.items():
            ours, reference = [], []
            for _ in range(
                loads
            ):  # interleaved, so both see the same load on the machine
                signed_in = None if name == "sign_in" else cookie  # a visitor's page
                ours.append(_load(browser, host + path, signed_in, None))
                reference.append(_load(browser, host + path, signed_in, full))
            p50 = statistics.median(r["ms"] for r in ours)
            ref_p50 = statistics.median(r["ms"] for r in reference)
            found = [
                Figure(f"frontend.{name}.charts", ours[0]["charts"], "charts"),
                Figure(f"frontend.{name}.js_decoded", ours[0]["decoded"] / MB, "MB"),
                Figure(f"frontend.{name}.js_wire", ours[0]["wire"] / MB, "MB"),
                Figure(f"frontend.{name}.load_p50", p50, "ms"),
                Figure(f"frontend.{name}.load_max", max(r["ms"] for r in ours), "ms"),
                Figure(
                    f"frontend.{name}.html_p50",
                    statistics.median(r["html_ms"] for r in ours),
                    "ms",
                ),
                Figure(
                    f"frontend.{name}.full_plotly.js_decoded",
                    reference[0]["decoded"] / MB,
                    "MB",
                ),
                Figure(f"frontend.{name}.full_plotly.load_p50", ref_p50, "ms"),
                Figure(f"frontend.{name}.load_vs_full_plotly", p50 / ref_p50, "ratio"),
            ]
            emit(found)
            figures += found
        browser.close()
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=3)
    args = parser.parse_args(argv)
    setup_django()
    measure(loads=args.loads)


if __name__ == "__main__":
    main()
