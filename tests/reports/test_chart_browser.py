"""Drawing a report's charts never waits for ever, whatever the browser does."""

import threading
import time
from pathlib import Path

import pytest

from reports import pdf
from reports.charts import Chart

BAR = Chart(
    key="readiness",
    title="Readiness",
    summary="One bar.",
    figure={"data": [{"type": "bar", "x": ["A"], "y": [1]}], "layout": {"height": 200}},
)


def draw_in_a_thread(figures: dict[str, Chart], *, within: float) -> dict[str, str]:
    """Run render_images; fail (rather than hang the suite) if it has not returned in time."""
    result: dict[str, dict[str, str]] = {}
    thread = threading.Thread(
        target=lambda: result.update(images=pdf.render_images(figures)), daemon=True
    )
    thread.start()
    thread.join(within)
    assert not thread.is_alive(), f"drawing charts was still waiting after {within} s"
    return result["images"]


def fake_browser(tmp_path: Path, behaviour: str) -> Path:
    path = tmp_path / "chromium"
    path.write_text(f"#!/bin/sh\n{behaviour}\n")
    path.chmod(0o755)
    return path


@pytest.mark.parametrize(
    "behaviour",
    ["exit 1", "exec sleep 40"],
    ids=["fails to launch", "never answers"],
)
def test_a_browser_that_cannot_start_leaves_the_charts_out_after_one_bounded_wait(
    tmp_path, monkeypatch, behaviour
):
    monkeypatch.setenv("BROWSER_PATH", str(fake_browser(tmp_path, behaviour)))
    monkeypatch.setattr(pdf, "START_SECONDS", 3.0)
    started = time.monotonic()
    images = draw_in_a_thread({"a": BAR, "b": BAR, "c": BAR}, within=30)
    assert images == {}
    # One wait for the browser, not one per chart.
    assert time.monotonic() - started < 15


def test_a_chart_that_never_finishes_drawing_is_left_out_and_the_rest_are_drawn(
    monkeypatch,
):
    real_draw = pdf.ChartBrowser.draw
    calls = []

    def draw(self, figure, opts):
        calls.append(figure)
        if len(calls) == 1:
            # The first chart hangs inside the browser's loop: only its deadline ends it.
            return self._run(__import__("asyncio").sleep(3600), pdf.DRAW_SECONDS)
        return real_draw(self, figure, opts)

    monkeypatch.setattr(pdf, "DRAW_SECONDS", 2.0)
    monkeypatch.setattr(pdf.ChartBrowser, "draw", draw)
    images = draw_in_a_thread({"stuck": BAR, "fine": BAR}, within=90)
    assert set(images) == {"fine"}
    assert images["fine"].startswith("data:image/png;base64,")
