"""Board reports as A4 PDFs: the dashboards' own figures, charts and tables, laid out for print.

Charts are the dashboards' own charts redrawn by their builders for print
(`Chart.for_medium("print")`: the same data, so suppressed groups are already left out, with
value labels, patterns, dashes and marker shapes as well as colour) and drawn to PNG by kaleido
with Debian's Chromium. One browser serves every chart of a report. HTML templates under
templates/reports/pdf/ become the PDF through weasyprint, which may fetch nothing but the
data: URIs of those charts.
"""

import asyncio
import base64
import concurrent.futures
import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import kaleido
from choreographer.browsers.chromium import Chromium
from django.template.loader import render_to_string
from django.utils import timezone

from reports import board_pack
from reports.charts import Chart
from reports.exports.formats import download_stem
from reports.staticfiles import PLOTLY_JS
from surveys.models import Survey

logger = logging.getLogger(__name__)
# weasyprint, kaleido and its browser driver log every step at INFO, which the root
# logger would print.
for _name in ("weasyprint.progress", "kaleido", "choreographer", "chrome_wrapper"):
    logging.getLogger(_name).setLevel(logging.WARNING)

# Charts are drawn this wide in CSS pixels, then fitted to the A4 text width (about 174 mm, or
# 660 px), so 14 px chart text prints at about 8.5 pt; scale 2 gives 240 dpi on paper.
IMAGE_WIDTH = 820
IMAGE_SCALE = 2

# Every wait on the browser has a deadline. kaleido's own sync server waits for ever when its
# Chromium fails to start or dies (its worker thread ends and the task queue is never drained),
# which once hung a whole CI run; a report without pictures is better than a request that never
# returns, and the report keeps each chart's summary and table.
START_SECONDS = 60.0
DRAW_SECONDS = 60.0
CLOSE_SECONDS = 15.0

_server_lock = threading.RLock()
_server_users = 0
_browser: "ChartBrowser | None" = None


class ChartBrowserError(Exception):
    """The headless browser could not start, draw or close within its deadline."""


class ChartBrowser:
    """One headless Chromium driven by kaleido on an event loop of its own thread."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="chart-browser", daemon=True
        )
        self._thread.start()
        self._kaleido: Any = None

    def _run(self, coroutine: Any, seconds: float) -> Any:
        future = asyncio.run_coroutine_threadsafe(
            asyncio.wait_for(coroutine, seconds), self._loop
        )
        try:
            # The loop's own deadline cancels the work; this one only guards a stuck loop.
            return future.result(seconds + 5)
        except (TimeoutError, concurrent.futures.TimeoutError) as exc:
            future.cancel()
            raise ChartBrowserError(f"no answer within {seconds:.0f} s") from exc
        except Exception as exc:
            raise ChartBrowserError(str(exc) or type(exc).__name__) from exc

    def open(self) -> None:
        """Start Chromium, or raise ChartBrowserError (and leave nothing running)."""

        async def start() -> Any:
            # mathjax=False: kaleido's default MathJax is a CDN URL; we render offline. The
            # pages' own plotly.js, a quarter of the size of the plotly package's.
            browser = kaleido.Kaleido(
                plotlyjs=PLOTLY_JS.as_uri(), mathjax=False, timeout=DRAW_SECONDS
            )
            await browser.__aenter__()
            return browser

        try:
            self._kaleido = self._run(start(), START_SECONDS)
        except ChartBrowserError:
            self.close()
            raise

    def draw(self, figure: dict, opts: dict) -> bytes:
        """Return one chart as PNG bytes, or raise ChartBrowserError."""
        if self._kaleido is None:
            raise ChartBrowserError("the browser is not running")
        return self._run(self._kaleido.calc_fig(figure, opts=opts), DRAW_SECONDS)

    def close(self) -> None:
        """Close Chromium and stop the loop, waiting a bounded time for each."""
        try:
            if self._kaleido is not None:
                self._run(self._kaleido.__aexit__(None, None, None), CLOSE_SECONDS)
        except ChartBrowserError:
            logger.warning("The chart browser did not close cleanly", exc_info=True)
        finally:
            self._kaleido = None
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(CLOSE_SECONDS)
            if not self._thread.is_alive():
                self._loop.close()


def _open_browser() -> "ChartBrowser | None":
    if not browser_path():
        return None
    browser = ChartBrowser()
    try:
        browser.open()
    except ChartBrowserError:
        logger.exception("Could not start the browser that draws charts")
        return None
    return browser


@contextmanager
def chart_server() -> Iterator[None]:
    """Keep one headless browser open for every chart drawn inside the block."""
    global _server_users, _browser
    with _server_lock:
        if _server_users == 0:
            _browser = _open_browser()
        _server_users += 1
    try:
        yield
    finally:
        with _server_lock:
            _server_users -= 1
            if _server_users == 0 and _browser is not None:
                _browser.close()
                _browser = None


def browser_path() -> str | None:
    """Return the Chromium kaleido would start, if it is there to start."""
    # Checked first so that a machine without Chromium says so at once. It never downloads
    # one: skip_local ignores kaleido's own copy.
    path = Chromium.find_browser(skip_local=True)
    return path if path and os.access(path, os.X_OK) else None


def render_images(figures: dict[str, Chart]) -> dict[str, str]:
    """Draw each chart to a PNG data: URI, under the same name (one browser for them all)."""
    global _browser
    images: dict[str, str] = {}
    if not figures:
        return images
    if browser_path() is None:
        logger.error("No Chromium to draw charts with: install it or set BROWSER_PATH")
        return images
    started = time.perf_counter()
    restarted = False
    with _server_lock, chart_server():
        for name, chart in figures.items():
            if _browser is None:
                logger.error("No browser to draw the chart %s: left out", chart.key)
                continue
            figure = chart.for_medium("print").figure
            height = int(figure["layout"].get("height") or 450)
            opts = {
                "format": "png",
                "width": IMAGE_WIDTH,
                "height": height,
                "scale": IMAGE_SCALE,
            }
            try:
                png = _browser.draw(figure, opts)
            except ChartBrowserError:
                # The report still carries the chart's summary and table. A browser that
                # failed is not trusted with the next chart: a fresh one is started, once
                # per report, so that a browser that cannot work costs one wait, not one
                # per chart.
                logger.exception("Could not draw the chart %s", chart.key)
                _browser.close()
                _browser = None if restarted else _open_browser()
                restarted = True
                continue
            images[name] = "data:image/png;base64," + base64.b64encode(png).decode(
                "ascii"
            )
    logger.info("Drew %d charts in %.1f s", len(images), time.perf_counter() - started)
    return images


def html_to_pdf(html: str) -> bytes:
    """Lay out report HTML as a tagged PDF (PDF/UA-1), fetching nothing but data: URIs."""
    import weasyprint  # 0.7 s to import, so only when a PDF is drawn

    fetcher = weasyprint.URLFetcher(allowed_protocols=["data"])
    # PDF/UA-1: tagged, with a structure tree, the document's language and title, and each
    # chart's alt text, so that board papers published on a public body's website meet the
    # 2018 accessibility regulations.
    return weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf(
        pdf_variant="pdf/ua-1"
    )


def _render(template: str, context: dict[str, Any]) -> bytes:
    started = time.perf_counter()
    images = render_images(context["figures"])
    html = render_to_string(
        template,
        {
            **context,
            "images": images,
            "generated_on": timezone.localdate(),
            "threshold": context["survey"].anonymity_threshold,
        },
    )
    document = html_to_pdf(html)
    logger.info("Rendered %s in %.1f s", template, time.perf_counter() - started)
    return document


def partnership_pdf(survey: Survey, *, exact_counts: bool = False) -> bytes:
    """Return the partnership board report of a round as PDF bytes.

    `exact_counts` is False for consultants, who see no counts of people below K.
    """
    context = board_pack.partnership_report(survey, exact_counts=exact_counts)
    return _render("reports/pdf/partnership.html", context)


def pair_pdf(
    survey: Survey, a_id: str, b_id: str, *, exact_counts: bool = False
) -> bytes:
    """Return the board report of one pair of partners as PDF bytes (LookupError if unknown)."""
    context = board_pack.pair_report(survey, a_id, b_id, exact_counts=exact_counts)
    return _render("reports/pdf/pair.html", context)


def pdf_filename(survey: Survey, *parts: str) -> str:
    """Return a download name such as 'northshire-autumn-2026-2026-12-01-board-report.pdf'."""
    # Named as the data downloads are (partnership, round, parts, today), ASCII only.
    return f"{download_stem(survey, *parts)}-board-report.pdf"
