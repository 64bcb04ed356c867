"""The export files' names, columns and cell rules (DESIGN.md §4 "Exports")."""

import math
import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

from reports import columns as c
from surveys.models import LIKERT_MAX, LIKERT_MIN, Membership

# Raw responses are for leads and analysts only (DESIGN.md §5); consultants read dashboards.
DOWNLOAD_ROLES = frozenset({Membership.Role.LEAD, Membership.Role.ANALYST})

RESPONSES_CSV = "responses.csv"
SCORES_CSV = "scores.csv"
FIT_CSV = "fit.csv"
DICTIONARY_CSV = "dictionary.csv"
WORKBOOK = "survey.xlsx"
ARCHIVE = "survey.zip"
FILENAMES = (RESPONSES_CSV, SCORES_CSV, FIT_CSV, DICTIONARY_CSV, WORKBOOK, ARCHIVE)
CSV_TYPE = "text/csv; charset=utf-8"
CONTENT_TYPES = {
    RESPONSES_CSV: CSV_TYPE,
    SCORES_CSV: CSV_TYPE,
    FIT_CSV: CSV_TYPE,
    DICTIONARY_CSV: CSV_TYPE,
    WORKBOOK: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ARCHIVE: "application/zip",
}

RESPONSES_COLUMNS = [
    "survey_id",
    "response_id",
    "organisation",
    "sector",
    "role",
    "submitted_at",
    "dimension",
    "item_code",
    "subject_organisation",
    "value",
    "scored_value",
    "counted",
]
SCORES_COLUMNS = [
    "organisation",
    "sector",
    c.DIMENSION,
    c.N,
    c.MEAN,
    c.SD,
    c.CI_LOW,
    c.CI_HIGH,
    c.READINESS,
    c.BAND,
    "agreement",
    c.DONT_KNOW_RATE,
    c.SUPPRESSED,
    # MEASUREMENT §6.5, added at the end so that existing readers keep their columns.
    "eligible",
    "response_rate",
]
FIT_COLUMNS = list(c.FIT_CSV_COLUMNS)
DICTIONARY_COLUMNS = [
    "kind",
    "file",
    "column",
    "type",
    "description",
    "item_code",
    "item_text",
    "dimension",
    "dimension_title",
    "block",
    "reverse_scored",
    "response_format",
    "sources",
]

REVERSED_TOTAL = LIKERT_MIN + LIKERT_MAX  # x′ = 6 − x
ALIGNMENT_CENTRE = (LIKERT_MIN + LIKERT_MAX) // 2  # stored 1–5, scored −2 … +2
ISO_UTC = "%Y-%m-%dT%H:%M:%SZ"
CHUNK_BYTES = 64 * 1024

# OWASP's list: a cell starting with one of these runs as a formula in Excel or LibreOffice.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Prefix a text cell that a spreadsheet would run as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


_PREFIXES_SQL = ", ".join(f"chr({ord(prefix)})" for prefix in FORMULA_PREFIXES)


def neutralise_sql(expression: str) -> str:
    """Return PostgreSQL that applies neutralise() to a text expression."""
    return (
        f"CASE WHEN left({expression}, 1) IN ({_PREFIXES_SQL}) "
        f"THEN '''' || {expression} ELSE {expression} END"
    )


_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


def csv_field(value: Any) -> str:
    """Format one CSV cell exactly as PostgreSQL's COPY ... CSV does.

    Missing is blank; booleans are true/false; floats are repr (shortest round trip, no
    separators); text is quoted when it holds a comma, quote, CR or LF, or is empty.
    (Python 3.12's csv module leaves a lone CR unquoted, which splits the row.)
    """
    if hasattr(value, "item"):  # numpy scalars become Python ones
        value = value.item()
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)
    text = str(value)
    if not text or _NEEDS_QUOTES.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_line(values: Iterable[Any]) -> str:
    """Return one CSV row, its cells formatted by csv_field, ending in LF as COPY's do."""
    return ",".join(map(csv_field, values)) + "\n"
