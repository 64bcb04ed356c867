"""A consultant reads every dashboard of the demo partnership in headless Chromium."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from reports.analysis import forget_analyses
from surveys.models import Survey
from tests.e2e.conftest import SCREENSHOTS

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_survey(db) -> Survey:
    forget_analyses()
    call_command(
        "seed_demo",
        organisations=5,
        respondents=10,
        seed=11,
        stdout=io.StringIO(),
    )
    return Survey.objects.get(status=Survey.Status.OPEN)


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("collab-demo-2026")
    page.get_by_role("button", name="Sign in").click()


def charts_drawn(page: Page) -> int:
    """Return how many charts plotly drew (an SVG inside each chart container)."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-plotly]')]"
        ".every(el => el.querySelector('.main-svg'))"
    )
    return page.locator("[data-plotly]:has(.main-svg)").count()


def test_a_consultant_reads_every_dashboard(
    page: Page, live_server, demo_survey, check_page
):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    base = live_server.url
    sign_in(page, base, "consultant")

    page.goto(f"{base}/reports/{demo_survey.public_id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Partnership overview")
    assert charts_drawn(page) >= 3
    expect(page.get_by_text("Fewer than 5 responses").first).to_be_visible()
    check_page(page, "report-01-overview")

    # Every chart has a data-table alternative, and a PNG download for board papers.
    page.get_by_text("Show data table").first.click()
    expect(page.locator(".app-chart__table table").first).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download PNG").first.click()
    assert download.value.suggested_filename.endswith(".png")
    download.value.save_as(SCREENSHOTS / "report-01-overview-download.png")
    # The chart says "NCC"; the downloaded image names every organisation in full.
    subtitle = page.evaluate(
        """async () => {
          const charts = await import(document.querySelector('script[src*="charts"]').src);
          const figure = charts.imageFigure(document.getElementById('readiness'));
          return figure.layout.title.subtitle.text;
        }"""
    )
    assert "NCC = Northshire County Council" in subtitle

    page.locator("#organisations").scroll_into_view_if_needed()
    page.get_by_role("link", name="Northshire County Council").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Northshire County Council"
    )
    assert charts_drawn(page) >= 2
    check_page(page, "report-02-organisation")

    page.get_by_role("link", name="Fit between partners").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fit between partners")
    assert charts_drawn(page) == 1
    check_page(page, "report-03-fit-matrix")
    page.get_by_label("Mutual trust").check()
    page.get_by_role("button", name="Update").click()
    expect(
        page.get_by_role("heading", name="Mutual trust for every pair of partners")
    ).to_be_visible()

    page.locator("table a[href*='/pairs/']").first.click()
    expect(page.get_by_role("heading", name="Summary")).to_be_visible()
    assert charts_drawn(page) >= 2
    check_page(page, "report-04-pair")
    assert errors == []


def test_a_big_round_shows_a_preparing_page_that_turns_into_the_results(
    page: Page, live_server, demo_survey, check_page, settings, monkeypatch
):
    settings.REPORTS_SYNC_BUILD_LIMIT = 10  # the demo round counts as big
    # No worker runs in this test: the request is queued and the page waits for it.
    monkeypatch.setattr("reports.tasks.refresh", lambda survey: None)
    base = live_server.url
    sign_in(page, base, "consultant")
    page.goto(f"{base}/reports/{demo_survey.public_id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Preparing the results")
    check_page(page, "report-00-preparing")

    settings.REPORTS_SYNC_BUILD_LIMIT = 100_000  # as if the worker had finished
    ready = page.get_by_role("alert")
    expect(ready).to_contain_text("The results are ready", timeout=15_000)
    check_page(page, "report-00-preparing-ready")
    ready.get_by_role("link", name="View the results").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Partnership overview")


# Each chart as drawn, beside the same figure drawn by plotly alone (its own margins).
MARGINS_AGAINST_PLOTLY_ALONE = """async () => {
  const out = [];
  for (const el of document.querySelectorAll('[data-plotly]')) {
    const figure = JSON.parse(document.getElementById(el.dataset.plotly).textContent);
    const alone = document.createElement('div');
    document.body.append(alone);
    await Plotly.newPlot(alone, figure.data, {...figure.layout, width: el._fullLayout.width});
    const own = alone._fullLayout._size;
    const drawn = el._fullLayout._size;
    out.push({
      chart: el.id,
      redrawn: '_redrawFromAutoMarginCount' in el._fullLayout,
      wider: Object.fromEntries(['l', 'r', 't', 'b'].map((s) => [s, drawn[s] - own[s]])),
    });
    Plotly.purge(alone);
    alone.remove();
  }
  return out;
}"""


def test_every_chart_is_drawn_once_with_room_for_its_labels(
    page: Page, live_server, demo_survey
):
    """charts.js gives plotly the margins its labels need, so plotly draws each chart once.

    Without them plotly draws a chart, finds its axis labels need wider margins, and draws
    it all again. The margins given must hold everything plotly alone makes room for (no
    narrower, or labels would be cut) and be at most a few pixels wider.
    """
    base = live_server.url
    sign_in(page, base, "consultant")
    survey = f"{base}/reports/{demo_survey.public_id}"
    page.goto(f"{survey}/")
    organisation = page.get_by_role("link", name="Northshire County Council")
    pages = [f"{survey}/", organisation.get_attribute("href"), f"{survey}/fit/"]
    page.goto(pages[-1])
    pages.append(page.locator("table a[href*='/pairs/']").first.get_attribute("href"))
    seen = []
    for url in pages:
        page.goto(url if url.startswith("http") else base + url)
        charts_drawn(page)
        for chart in page.evaluate(MARGINS_AGAINST_PLOTLY_ALONE):
            seen.append(chart["chart"])
            assert not chart["redrawn"], chart
            # -1: a legend above the plot stands 5% of the plot's height above it, so a plot
            # a few pixels shorter brings it (and the top margin it pushes) a pixel lower.
            assert all(-1 <= wider <= 5 for wider in chart["wider"].values()), chart
    assert {"readiness", "heatmap", "profile", "gaps"} <= set(seen)
