"""The plotly.js the pages and board packs draw with: our own build, checked at start-up."""

from pathlib import Path

from django.conf import settings
from django.core import checks

# Built by `make assets` (esbuild, from npm's plotly.js) with only the trace types that
# reports/charts.py draws; see frontend/plotly-collab.js.
STATIC_PATH = "vendor/plotly/plotly-collab.min.js"
PLOTLY_JS = Path(settings.BASE_DIR) / "static" / STATIC_PATH


@checks.register(checks.Tags.staticfiles)
def check_plotly_built(app_configs: object = None, **kwargs: object) -> list:
    """Warn when plotly.js has not been built, since no chart would draw without it."""
    if PLOTLY_JS.is_file():
        return []
    return [
        checks.Warning(
            f"{PLOTLY_JS} is missing, so no chart will draw.",
            hint="Run `make assets` (it bundles plotly.js with esbuild).",
            id="reports.W001",
        )
    ]
