"""Browser tests drive Debian's Chromium through Playwright; never a downloaded browser."""

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"


WIDTHS = (1280, 390)


def screenshots(page, check_page, name: str) -> None:
    """Check the page with axe, and keep it at desktop and phone widths."""
    check_page(page, name)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1200, "height": 900})


WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1200, "height": 900}}


@pytest.fixture
def check_page():
    """Screenshot the page under a name and assert axe finds no WCAG 2.2 AA violations."""
    SCREENSHOTS.mkdir(exist_ok=True)
    axe = Axe()

    def check(page, name: str) -> None:
        page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
        results = axe.run(
            page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}}
        )
        assert results.violations_count == 0, f"{name}: {results.generate_report()}"

    return check
