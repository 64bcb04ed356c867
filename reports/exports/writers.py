"""Write export tables as CSV bytes, an Excel workbook and a streamed ZIP archive."""

import math
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pandas as pd
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from reports.analysis import SurveyAnalysis
from reports.exports.dictionary import cover_rows, dictionary_frame
from reports.exports.formats import (
    CHUNK_BYTES,
    DICTIONARY_CSV,
    FIT_CSV,
    RESPONSES_COLUMNS,
    RESPONSES_CSV,
    SCORES_CSV,
    UTF8_BOM,
    WORKBOOK,
    csv_line,
    download_name,
    neutralise,
)
from reports.exports.responses import response_records, stream_responses_csv
from reports.exports.tables import fit_frame, scores_frame
from surveys.models import Survey

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

EXCEL_MAX_ROWS = 1_048_576
PROGRESS_EVERY = 50_000
# survey_id … scored_value: ids, names, codes, a date and two small numbers.
RESPONSE_WIDTHS = [38, 38, 40, 18, 24, 20, 26, 10, 40, 8, 13]

ChunkSource = Callable[[], Iterable[bytes]]


def frame_to_csv(frame: pd.DataFrame) -> bytes:
    """Return a frame as CSV formatted as COPY writes responses.csv, UTF-8 with a BOM.

    Not DataFrame.to_csv: Python 3.12's csv module leaves a lone CR unquoted. Text cells
    are neutralised here too, so no table can slip a formula through.
    """
    lines = [csv_line(frame.columns)]
    lines += [
        csv_line(map(neutralise, row))
        for row in frame.itertuples(index=False, name=None)
    ]
    return UTF8_BOM + "".join(lines).encode("utf-8")


def table_csv(filename: str, *, survey: Survey, analysis: SurveyAnalysis) -> bytes:
    """Return scores.csv, fit.csv or dictionary.csv as bytes."""
    builders: dict[str, Callable[[], pd.DataFrame]] = {
        SCORES_CSV: lambda: scores_frame(analysis),
        FIT_CSV: lambda: fit_frame(analysis),
        DICTIONARY_CSV: lambda: dictionary_frame(survey),
    }
    return frame_to_csv(builders[filename]())


def _xlsx_cell(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if hasattr(value, "item"):  # numpy scalars become Python numbers and booleans
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return neutralise(value)


def _add_sheet(
    workbook: Workbook, title: str, header: list[str], widths: list[int]
) -> "WriteOnlyWorksheet":
    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = "A2"
    for n, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = width
    bold = Font(bold=True)
    cells = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    return sheet


def _widths(frame: pd.DataFrame) -> list[int]:
    # Wide enough for the header and the first few hundred values, within 8–60.
    sample = frame.head(500).astype(str)
    return [
        max(8, min(60, max([len(col), *sample[col].str.len()]) + 2))
        for col in frame.columns
    ]


def _add_cover(workbook: Workbook, survey: Survey, on: date) -> None:
    """Add the cover sheet: one labelled row per fact about the round."""
    sheet = workbook.create_sheet("cover")
    sheet.column_dimensions["A"].width = 26
    sheet.column_dimensions["B"].width = 100
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    for label, text in cover_rows(survey, on=on):
        name = WriteOnlyCell(sheet, value=label)
        name.font, name.alignment = bold, wrap
        value = WriteOnlyCell(sheet, value=neutralise(text))
        value.alignment = wrap
        sheet.append([name, value])


def write_xlsx(
    target: str | Path | IO[bytes],
    *,
    survey: Survey,
    analysis: SurveyAnalysis,
    on_rows: Callable[[int], None] | None = None,
    on: date | None = None,
) -> None:
    """Write survey.xlsx: a cover, then responses, scores, fit and dictionary sheets.

    The cover names the partnership, round, date `on` (today unless given), K and what
    counts. Responses past Excel's row limit go on to sheets responses_2, responses_3 and
    so on, headers frozen. `on_rows` hears the number of response rows written every
    PROGRESS_EVERY rows.
    """
    workbook = Workbook(write_only=True)
    _add_cover(workbook, survey, on or timezone.localdate())
    per_sheet = EXCEL_MAX_ROWS - 1
    sheet = _add_sheet(workbook, "responses", RESPONSES_COLUMNS, RESPONSE_WIDTHS)
    for n, record in enumerate(response_records(survey)):
        if n and n % per_sheet == 0:
            title = f"responses_{n // per_sheet + 1}"
            sheet = _add_sheet(workbook, title, RESPONSES_COLUMNS, RESPONSE_WIDTHS)
        sheet.append(record)
        if on_rows is not None and (n + 1) % PROGRESS_EVERY == 0:
            on_rows(n + 1)
    for title, frame in (
        ("scores", scores_frame(analysis)),
        ("fit", fit_frame(analysis)),
        ("dictionary", dictionary_frame(survey)),
    ):
        sheet = _add_sheet(workbook, title, list(frame.columns), _widths(frame))
        for row in frame.itertuples(index=False, name=None):
            sheet.append([_xlsx_cell(value) for value in row])
    workbook.save(target)


def workbook_source(
    *, survey: Survey, analysis: SurveyAnalysis, on: date
) -> ChunkSource:
    """Return a chunk source that builds survey.xlsx in a temporary file, then reads it."""

    def chunks() -> Iterator[bytes]:
        with tempfile.TemporaryFile() as handle:
            write_xlsx(handle, survey=survey, analysis=analysis, on=on)
            handle.seek(0)
            while chunk := handle.read(CHUNK_BYTES):
                yield chunk

    return chunks


def file_source(path: Path) -> ChunkSource:
    """Return a chunk source that reads a file."""

    def chunks() -> Iterator[bytes]:
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK_BYTES):
                yield chunk

    return chunks


def archive_members(
    *, survey: Survey, analysis: SurveyAnalysis, on: date
) -> list[tuple[str, ChunkSource]]:
    """Return survey.zip's members, built on demand: the four CSV files, the workbook.

    Each carries its download name for the date `on`, so files taken out of two
    archives never overwrite each other.
    """

    def table(name: str) -> ChunkSource:
        return lambda: [table_csv(name, survey=survey, analysis=analysis)]

    sources: list[tuple[str, ChunkSource]] = [
        (RESPONSES_CSV, lambda: stream_responses_csv(survey)),
        (SCORES_CSV, table(SCORES_CSV)),
        (FIT_CSV, table(FIT_CSV)),
        (DICTIONARY_CSV, table(DICTIONARY_CSV)),
        (WORKBOOK, workbook_source(survey=survey, analysis=analysis, on=on)),
    ]
    return [(download_name(survey, name, on=on), source) for name, source in sources]


class _ZipSink:
    """An unseekable target for ZipFile that hands over the bytes written so far."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def iter_zip(members: Iterable[tuple[str, ChunkSource]]) -> Iterator[bytes]:
    """Yield a ZIP archive of (name, chunk source) members while it is compressed."""
    sink = _ZipSink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, source in members:
            info = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            chunks = iter(source())
            try:
                # The archive streams, so sizes are unknown up front: allow ZIP64.
                with archive.open(info, "w", force_zip64=True) as entry:
                    for chunk in chunks:
                        entry.write(chunk)
                        if data := sink.take():
                            yield data
            finally:
                # Close a streaming source (and its COPY) if the reader stops early.
                if close := getattr(chunks, "close", None):
                    close()
            if data := sink.take():
                yield data
    if data := sink.take():
        yield data
