"""The dashboards' plotly.js is our own partial build, matching the figures Python writes."""

import ast
import json
import posixpath
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


# The figure attribute (a keyword argument, a dict key or a fig.add_… method in charts.py)
# that plotly.js draws with each component module; plotly skips a component nobody registered.
COMPONENT_OF = {
    "annotations": "annotations",
    "add_annotation": "annotations",
    "shapes": "shapes",
    "add_shape": "shapes",
    "add_vline": "shapes",
    "add_hline": "shapes",
    "add_vrect": "shapes",
    "add_hrect": "shapes",
    "error_x": "errorbars",
    "error_y": "errorbars",
    "colorscale": "colorscale",
    "colorbar": "colorbar",
    "legend": "legend",
    "showlegend": "legend",
    "hovertemplate": "fx",
    "hoverinfo": "fx",
    "images": "images",
    "add_layout_image": "images",
    "updatemenus": "updatemenus",
    "sliders": "sliders",
    "rangeslider": "rangeslider",
    "rangeselector": "rangeselector",
    "grid": "grid",
    "selections": "selections",
    "add_selection": "selections",
}
# What plotly.js/lib/core registers (src/core.js), should the entry go back to it.
CORE_COMPONENTS = set(COMPONENT_OF.values()) | {"annotations3d", "modebar"}


def attributes_used_by(source: Path) -> set[str]:
    """Return the keyword arguments, string dict keys and add_… methods a module uses."""
    found = set()
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.keyword) and node.arg:
            found.add(node.arg)
        elif isinstance(node, ast.Dict):
            found |= {
                key.value
                for key in node.keys
                if isinstance(key, ast.Constant) and isinstance(key.value, str)
            }
        elif isinstance(node, ast.Attribute) and node.attr.startswith("add_"):
            found.add(node.attr)
    return found


def components_in_bundle() -> set[str]:
    entry = ENTRY.read_text()
    found = set(re.findall(r'require\("plotly\.js/src/components/(\w+)"\)', entry))
    if 'require("plotly.js/lib/core")' in entry:
        found |= CORE_COMPONENTS
    return found


def test_the_bundle_holds_every_trace_type_the_charts_draw():
    drawn = traces_drawn_by(PROJECT / "reports" / "charts.py")
    assert {"bar", "heatmap", "scatterpolar"} <= drawn  # the parser finds them at all
    assert drawn - {"trace", "vline", "hline", "vrect", "hrect"} <= traces_in_bundle()


def test_the_bundle_registers_every_component_the_charts_use():
    used = attributes_used_by(PROJECT / "reports" / "charts.py")
    needed = {COMPONENT_OF[name] for name in used & COMPONENT_OF.keys()}
    # the parser finds them at all: the heatmaps' key, the pair page's labels, zero line
    assert {"colorbar", "annotations", "shapes", "errorbars", "fx"} <= needed
    # the modebar carries charts.js's PNG download button
    assert needed | {"modebar"} <= components_in_bundle()


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


def test_every_module_enhance_js_imports_is_fetched_with_it_not_after_it(client, db):
    # Before, the browser learnt of GOV.UK Frontend only once enhance.js had arrived, and
    # every later module script (charts.js, which draws the charts) waited for both trips.
    page = client.get("/accounts/login/").content.decode()
    enhance = re.search(r'<script type="module" src="([^"]*enhance[^"]*\.js)"', page)
    source = (PROJECT / "static" / "js" / "enhance.js").read_text()
    imports = re.findall(r'^import .* from "([^"]+)";', source, re.M)
    assert enhance
    assert imports
    base = enhance.group(1).rsplit("/", 1)[0] + "/"
    preloaded = set(re.findall(r'<link rel="modulepreload" href="([^"]+)">', page))
    for path in imports:
        assert posixpath.normpath(base + path) in preloaded, path


def test_a_missing_build_is_reported_by_the_system_checks(monkeypatch, capsys):
    monkeypatch.setattr(staticfiles, "PLOTLY_JS", PROJECT / "no-such-file.js")
    call_command("check")
    assert "reports.W001" in capsys.readouterr().err


def plotcss_rules() -> list[str]:
    """Return the rules plotly.js's build/plotcss inserts at run time, as CSS text."""
    source = (
        PROJECT / "node_modules" / "plotly.js" / "build" / "plotcss.js"
    ).read_text()
    body = source[
        source.index("var rules = ") + len("var rules = ") : source.index("};") + 1
    ]
    rules = json.loads(re.sub(r"^(\s*)Y:", r'\1"Y":', body, flags=re.M))
    return [
        re.sub(r"^,", " ,", selector)
        .replace("X", ".js-plotly-plot .plotly")
        .replace("Y", ".plotly-notifier")
        + " { "
        + declarations
        + " }"
        for selector, declarations in rules.items()
    ]


def test_plotlys_own_rules_are_in_our_stylesheet_not_built_at_run_time():
    partial = PROJECT / "static" / "scss" / "_plotly.scss"
    ours = [
        line for line in partial.read_text().splitlines() if not line.startswith("//")
    ]
    assert ours == plotcss_rules()
    assert '@use "plotly";' in (PROJECT / "static" / "scss" / "app.scss").read_text()
    assert "build/plotcss" not in re.sub(r"//.*", "", ENTRY.read_text())
