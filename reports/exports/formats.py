"""The export files' names, columns and cell rules (DESIGN.md §4 "Exports")."""

import codecs
import math
import re
from collections.abc import Iterable
from datetime import date
from typing import Any

import pandas as pd
from django.utils import timezone
from django.utils.text import slugify

from reports import columns as c
from surveys.models import LIKERT_MAX, LIKERT_MIN, Membership, Survey

# Downloads are for leads and analysts only (DESIGN.md §5); consultants read dashboards.
DOWNLOAD_ROLES = frozenset({Membership.Role.LEAD, Membership.Role.ANALYST})

RESPONSES_CSV = "responses.csv"
SCORES_CSV = "scores.csv"
FIT_CSV = "fit.csv"
DICTIONARY_CSV = "dictionary.csv"
WORKBOOK = "survey.xlsx"
ARCHIVE = "survey.zip"
FILENAMES = (RESPONSES_CSV, SCORES_CSV, FIT_CSV, DICTIONARY_CSV, WORKBOOK, ARCHIVE)
# Files with a row per response are for analysts alone. A lead sees each invitee's status
# (surveys/views/invitees.py) change over time; with each response's submission time and
# order beside it, a lead could match a named person to their answers.
RESPONSE_LEVEL_FILES = frozenset({RESPONSES_CSV, WORKBOOK, ARCHIVE})
RESPONSE_LEVEL_ROLES = frozenset({Membership.Role.ANALYST})


def may_download(role: str, filename: str) -> bool:
    """Say whether a role on the partnership may download this export file."""
    if role not in DOWNLOAD_ROLES:
        return False
    return filename not in RESPONSE_LEVEL_FILES or role in RESPONSE_LEVEL_ROLES


# Excel reads a CSV as the local code page unless it starts with this; pandas
# (encoding="utf-8-sig"), R (fileEncoding="UTF-8-BOM") and LibreOffice skip it.
UTF8_BOM = codecs.BOM_UTF8
STEM_CHARS = 100  # of partnership, round and parts; the date and file kind follow
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
    "item_text_cy",
]

# Decimal places each figure of scores.csv and fit.csv is written with: what the figure
# holds, at most six (a 1–5 mean to 0.000001; 0–100 scales and 0–1 shares alike). Counts
# (n, eligible) are integers and flags booleans, so they are not listed.
MAX_DECIMALS = 6
FIGURE_DECIMALS = {
    c.MEAN: 6,
    c.SD: 6,
    c.CI_LOW: 6,
    c.CI_HIGH: 6,
    c.READINESS: 6,
    "agreement": 6,
    c.DONT_KNOW_RATE: 6,
    "response_rate": 6,
    c.FIT: 6,
    c.FIT_CI_LOW: 6,
    c.FIT_CI_HIGH: 6,
    c.PROFILE_FIT: 6,
    c.LEVEL_GAP: 6,
    c.SHAPE_SIMILARITY: 6,
    c.CULTURE_FIT: 6,
    c.COMPATIBILITY: 6,
    c.TRUST_A_TO_B: 6,
    c.TRUST_B_TO_A: 6,
    c.MUTUAL_TRUST: 6,
    c.LARGEST_GAP: 6,
    c.LARGEST_GAP_LOW: 6,
    c.LARGEST_GAP_HIGH: 6,
}

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

    Missing is blank; booleans are true/false; floats are plain decimals of at most
    MAX_DECIMALS places (never 3.6639999999999997 or 1e-06); text is quoted when it holds
    a comma, quote, CR or LF, or is empty. (Python 3.12's csv module leaves a lone CR
    unquoted, which splits the row.)
    """
    if hasattr(value, "item"):  # numpy scalars become Python ones
        value = value.item()
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "" if math.isnan(value) else decimal_text(value)
    text = str(value)
    if not text or _NEEDS_QUOTES.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_line(values: Iterable[Any]) -> str:
    """Return one CSV row, its cells formatted by csv_field, ending in LF as COPY's do."""
    return ",".join(map(csv_field, values)) + "\n"


def decimal_text(value: float) -> str:
    """Write a float as a plain decimal of at most MAX_DECIMALS places: 3.664, 2.0, -0.5."""
    text = f"{value:.{MAX_DECIMALS}f}".rstrip("0")
    text = text + "0" if text.endswith(".") else text
    return "0.0" if text == "-0.0" else text


def round_figures(frame: pd.DataFrame) -> pd.DataFrame:
    """Round each figure column of an export table to its FIGURE_DECIMALS places."""
    return frame.assign(
        **{
            column: frame[column].round(places)
            for column, places in FIGURE_DECIMALS.items()
            if column in frame.columns
        }
    )


def download_stem(survey: Survey, *parts: str, on: date | None = None) -> str:
    """Return the start of a round's download names: 'northshire-autumn-2026-2026-12-01'.

    Partnership, round and any further parts (a pair's short names), slugified to ASCII
    so that every browser and file system keeps them, then the date (today, in the
    site's time zone, unless given): two rounds' downloads, or one round's on two days,
    never share a name.
    """
    words = [
        slugify(survey.partnership.name) or "partnership",
        slugify(survey.title) or "round",
        *(slugify(part) for part in parts),
    ]
    head = "-".join(word for word in words if word)[:STEM_CHARS].strip("-")
    return f"{head}-{(on or timezone.localdate()).isoformat()}"


def download_name(survey: Survey, filename: str, *, on: date | None = None) -> str:
    """Return an export file's download name: 'northshire-autumn-2026-2026-12-01-scores.csv'."""
    return f"{download_stem(survey, on=on)}-{filename}"
