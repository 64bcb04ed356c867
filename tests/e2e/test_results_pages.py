"""Every results page, looked at: at 1280 and 390 px, for the demo and for long names.

One test per scenario, so each seeds its round once; it visits every page at both widths,
saves screenshots (and the board reports' pages as PNGs) under tests/e2e/screenshots/ for a
person to look at, and asserts what a machine can: no sideways page scroll on a phone (a
matrix may scroll inside its own box), matrix figures at least 12 px, legends clear of the
axis labels and inside the figure, axe clean, no script errors, and a PNG download that is
the titled image rather than the bare plot.
"""

import io
import shutil
import struct
import subprocess

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Page

from reports.analysis import forget_analyses
from reports.charts import FIT_MEASURES
from surveys.models import Survey
from tests.e2e.conftest import SCREENSHOTS, WCAG_22_AA
from tests.e2e.test_dashboards import charts_drawn, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = (1280, 390)
LONG_NAMES = [
    "Northshire and West Riverton Community Health Services NHS Foundation Trust",
    "Easterby, Marsh End and Lower Riverton Metropolitan Borough Council",
    "Northshire and Easterby Integrated Care Board (Place Partnership Office)",
    "Riverton, Marsh End and Northshire Mental Health and Learning Disability Trust",
    "West Riverton and Northshire Voluntary, Community and Social Enterprise Alliance",
    "Northshire Primary Care Collaborative and GP Federation (North and West)",
    "Easterby and Riverton University Hospitals NHS Foundation Trust",
    "Marsh End, Easterby and Riverton Housing Association and Supported Living",
    "Northshire County Council Adult Social Care and Public Health Directorate",
    "Lower Riverton and Easterby Community Pharmacy and Dental Services Network",
    "Northshire Ambulance and Urgent Care Services NHS Trust (Southern Division)",
    "Riverton and West Northshire Hospice, Carers and Bereavement Support Charity",
]

# Boxes of a drawn plotly chart, as the browser lays them out.
CHART_BOXES = """
(plot) => {
  const box = (el) => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const svg = plot.querySelector('.main-svg');
  const legend = plot.querySelector('.legend');
  const labels = plot.querySelectorAll(
    '.xtick text, .ytick text, .g-xtitle, .g-ytitle, .angularaxistick text'
  );
  return {
    key: plot.id,
    svg: box(svg),
    legend: legend ? box(legend) : null,
    labels: [...labels].filter((el) => el.textContent.trim()).map(box),
  };
}
"""


def overlaps(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] - 1 and b[0] < a[2] - 1 and a[1] < b[3] - 1 and b[1] < a[3] - 1


def seed(organisations: int, respondents: int) -> Survey:
    forget_analyses()
    call_command(
        "seed_demo",
        organisations=organisations,
        respondents=respondents,
        seed=11,
        stdout=io.StringIO(),
    )
    return Survey.objects.select_related("partnership").get(status=Survey.Status.OPEN)


@pytest.fixture
def scenario_survey(request, db) -> Survey:
    if request.param == "demo":
        return seed(organisations=8, respondents=10)
    survey = seed(organisations=12, respondents=8)
    # Long full names; the short names the seed gave them stay for the charts.
    for organisation, name in zip(
        survey.partnership.members.order_by("pk"),
        LONG_NAMES,
        strict=False,
    ):
        organisation.name = name
        organisation.save(update_fields=["name"])
    forget_analyses()
    return survey


def results_pages(page: Page, base: str, survey: Survey) -> list[tuple[str, str]]:
    """The name and address of every results page of the round."""
    sid = survey.public_id
    page.goto(f"{base}{reverse('reports:fit_matrix', args=[sid])}")
    pair = page.locator("table a[href*='/pairs/']").first.get_attribute("href")
    page.goto(f"{base}{reverse('reports:survey_overview', args=[sid])}")
    organisation = page.locator("table a[href*='/organisations/']")
    longest = max(organisation.all(), key=lambda link: len(link.inner_text()))
    return [
        ("overview", reverse("reports:survey_overview", args=[sid])),
        ("organisation", longest.get_attribute("href")),
        *[
            (
                f"fit-{measure}",
                f"{reverse('reports:fit_matrix', args=[sid])}?measure={measure}",
            )
            for measure in FIT_MEASURES
        ],
        ("pair", pair),
        (
            "planning",
            reverse(
                "surveys:focus_area_create", args=[survey.partnership.public_id, sid]
            ),
        ),
    ]


def png_size(path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


def chart_problems(page: Page, name: str, width: int) -> list[str]:
    problems = []
    scroll = page.evaluate("document.documentElement.scrollWidth")
    if scroll > width:
        problems.append(f"{name}@{width}: the page scrolls sideways ({scroll} px)")
    sizes = page.evaluate(
        "[...document.querySelectorAll('.heatmaplayer text')]"
        ".map((t) => parseFloat(getComputedStyle(t).fontSize))"
    )
    if sizes and min(sizes) < 12:
        problems.append(f"{name}@{width}: matrix figures at {min(sizes)} px")
    for plot in page.locator("[data-plotly]").all():
        boxes = plot.evaluate(CHART_BOXES)
        legend = boxes["legend"]
        if legend is None:
            continue
        if any(overlaps(legend, label) for label in boxes["labels"]):
            problems.append(f"{name}@{width}: {boxes['key']} legend covers axis labels")
        svg = boxes["svg"]
        if legend[0] < svg[0] - 1 or legend[2] > svg[2] + 1 or legend[1] < svg[1] - 1:
            problems.append(f"{name}@{width}: {boxes['key']} legend runs off the chart")
    return problems


def save_pdf_pages(page: Page, base: str, url: str, stem: str) -> int:
    """Save a board report and its pages as PNGs (pdftoppm -r 60); return the page count."""
    # A board report draws its charts on the server: seconds, more on a busy machine.
    response = page.request.get(f"{base}{url}", timeout=180_000)
    assert response.ok, f"{url}: {response.status}"
    path = SCREENSHOTS / f"{stem}.pdf"
    path.write_bytes(response.body())
    if (
        shutil.which("pdftoppm") is None
    ):  # scripts/system-deps.sh installs poppler-utils
        pytest.fail("pdftoppm is missing: run scripts/system-deps.sh")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(path), str(SCREENSHOTS / stem)], check=True
    )
    return len(list(SCREENSHOTS.glob(f"{stem}-*.png")))


@pytest.mark.parametrize("scenario_survey", ["demo", "long-names"], indirect=True)
def test_every_results_page_reads_at_desk_and_phone_widths(
    page: Page, live_server, scenario_survey, request
):
    scenario = request.node.callspec.params["scenario_survey"]
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    base = live_server.url
    SCREENSHOTS.mkdir(exist_ok=True)
    for old in SCREENSHOTS.glob(f"results-{scenario}-*"):
        old.unlink()
    sign_in(page, base, "consultant")
    problems: list[str] = []
    pages = results_pages(page, base, scenario_survey)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for name, url in pages:
            page.goto(f"{base}{url}")
            if name != "planning":
                charts_drawn(page)
            problems += chart_problems(page, name, width)
            # Every page is screenshotted and checked before any failure is reported.
            page.screenshot(
                path=SCREENSHOTS / f"results-{scenario}-{name}-{width}.png",
                full_page=True,
            )
            axe = Axe().run(
                page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}}
            )
            if axe.violations_count:
                problems.append(f"{name}@{width}: {axe.generate_report()}")

    # The PNG a consultant downloads for board papers: the titled image, with its key.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}{pages[0][1]}")
    charts_drawn(page)
    # plotly's own camera button (the bare plot) is replaced by one that adds the title.
    assert page.locator(".modebar-btn[data-title*='Download plot' i]").count() == 0
    assert page.locator(
        "#readiness .modebar-btn[data-title='Download PNG with title and key']"
    ).count()
    page.evaluate(
        """() => {
          window.imageTitles = [];
          const toImage = Plotly.toImage;
          Plotly.toImage = (figure, options) => {
            window.imageTitles.push(figure.layout.title);
            return toImage(figure, options);
          };
        }"""
    )
    with page.expect_download() as download:
        page.get_by_role("button", name="Download PNG").first.click()
    saved = SCREENSHOTS / f"results-{scenario}-download-readiness.png"
    download.value.save_as(saved)
    assert download.value.suggested_filename == "readiness.png"
    assert png_size(saved)[0] == 2400  # 1200 px at scale 2
    (title,) = page.evaluate("window.imageTitles")
    assert "Overall readiness by organisation" in title["text"]
    subtitle = title["subtitle"]["text"]
    assert scenario_survey.title in subtitle
    assert "responses from" in subtitle
    assert "Source: collab-survey" in subtitle

    sid, (a_id, b_id) = (
        scenario_survey.public_id,
        dict(pages)["pair"].rstrip("/").split("/")[-2:],
    )
    assert save_pdf_pages(
        page,
        base,
        reverse("reports:partnership_pdf", args=[sid]),
        f"results-{scenario}-pdf",
    )
    assert save_pdf_pages(
        page,
        base,
        reverse("reports:pair_pdf", args=[sid, a_id, b_id]),
        f"results-{scenario}-pair-pdf",
    )
    assert not problems, "\n".join(problems)
    assert errors == []
