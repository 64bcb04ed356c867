"""The dashboards' plotly.js is our own partial build, matching the figures Python writes."""

import ast
import json
import re
from pathlib import Path

import plotly
from django.conf import settings
from django.core.management import call_command

from reports import staticfiles
from tests.reports.conftest import consultant_client, demo  # noqa: F401  (fixtures)

PROJECT = Path(settings.BASE_DIR)
ENTRY = PROJECT / "frontend" / "plotly-collab.js"
# plotly.js's core registers scatter; every other trace type is a module of its own.
CORE_TRACES = {"scatter"}


def traces_drawn_by(source: Path) -> set[str]:
    """Return the trace types a module builds with go.<Trace>(...) or fig.add_<trace>(...)."""
    found = set()
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = node.func.attr
            owner = node.func.value
            if isinstance(owner, ast.Name) and owner.id == "go" and name != "Figure":
                found.add(name.lower())
            elif name.startswith("add_") and name not in {
                "add_annotation",
                "add_shape",
            }:
                found.add(name.removeprefix("add_").replace("_", ""))
    return found


def traces_in_bundle() -> set[str]:
    return CORE_TRACES | set(
        re.findall(r'require\("plotly\.js/lib/(\w+)"\)', ENTRY.read_text())
    )


def test_the_bundle_holds_every_trace_type_the_charts_draw():
    drawn = traces_drawn_by(PROJECT / "reports" / "charts.py")
    assert {"bar", "heatmap", "scatterpolar"} <= drawn  # the parser finds them at all
    assert drawn - {"trace", "vline", "hline", "vrect", "hrect"} <= traces_in_bundle()


def test_npm_plotly_js_is_the_version_python_plotly_writes_figures_for():
    bundled = (
        Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    ).read_text(encoding="utf-8")[:200]
    python_side = re.search(r"plotly\.js v(\d+\.\d+\.\d+)", bundled).group(1)
    npm = json.loads((PROJECT / "package.json").read_text())["devDependencies"]
    assert npm["plotly.js"] == python_side


def test_dashboards_load_the_partial_bundle_deferred(consultant_client, demo):  # noqa: F811
    _partnership, survey = demo
    page = consultant_client.get(f"/reports/{survey.public_id}/").content.decode()
    assert re.search(r'<script src="[^"]*plotly-collab\.min\.js" defer>', page)
    assert "plotly.min.js" not in page


def test_pages_without_charts_load_no_plotly(client, db):
    assert "plotly" not in client.get("/accounts/login/").content.decode()


def test_a_missing_build_is_reported_by_the_system_checks(monkeypatch, capsys):
    monkeypatch.setattr(staticfiles, "PLOTLY_JS", PROJECT / "no-such-file.js")
    call_command("check")
    assert "reports.W001" in capsys.readouterr().err
