"""Serve plotly.js from the installed plotly package, so it is never copied into git or a CDN."""

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
STATIC_PATH = "vendor/plotly/plotly.min.js"


class PlotlyJsFinder(BaseFinder):
    """Find `vendor/plotly/plotly.min.js` in the plotly package's data folder."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=str(PLOTLY_JS.parent))
        self.storage.prefix = "vendor/plotly"

    def check(self, **kwargs: object) -> list:
        return []

    def find(
        self, path: str, find_all: bool = False, **kwargs: object
    ) -> str | list[str]:
        if path == STATIC_PATH:
            return [str(PLOTLY_JS)] if find_all else str(PLOTLY_JS)
        return [] if find_all else ""

    def list(self, ignore_patterns: list[str] | None):
        yield PLOTLY_JS.name, self.storage
