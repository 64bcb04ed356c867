"""A survey round's exports for analysts (DESIGN.md §4 "Exports").

- `responses.csv` streams straight from the database, one row per answer (responses.py);
- `scores.csv` and `fit.csv` are the dashboards' own figures, suppressed rows kept with
  their figures blank (tables.py);
- `dictionary.csv` explains every column and every item (dictionary.py);
- `survey.xlsx` holds the same tables as sheets, `survey.zip` all five files (writers.py).

No export holds an email address or a token, and every text cell that a spreadsheet
would run as a formula gets a leading apostrophe (formats.neutralise).
"""

from reports.exports.dictionary import dictionary_frame
from reports.exports.formats import (
    ARCHIVE,
    CONTENT_TYPES,
    DICTIONARY_COLUMNS,
    DICTIONARY_CSV,
    DOWNLOAD_ROLES,
    FILENAMES,
    FIT_COLUMNS,
    FIT_CSV,
    RESPONSES_COLUMNS,
    RESPONSES_CSV,
    SCORES_COLUMNS,
    SCORES_CSV,
    WORKBOOK,
    neutralise,
)
from reports.exports.responses import (
    copy_statement,
    response_records,
    response_rows,
    stream_responses_csv,
)
from reports.exports.tables import fit_frame, scores_frame
from reports.exports.writers import (
    archive_members,
    file_source,
    frame_to_csv,
    iter_zip,
    table_csv,
    write_xlsx,
)

__all__ = [
    "ARCHIVE",
    "CONTENT_TYPES",
    "DICTIONARY_COLUMNS",
    "DICTIONARY_CSV",
    "DOWNLOAD_ROLES",
    "FILENAMES",
    "FIT_COLUMNS",
    "FIT_CSV",
    "RESPONSES_COLUMNS",
    "RESPONSES_CSV",
    "SCORES_COLUMNS",
    "SCORES_CSV",
    "WORKBOOK",
    "archive_members",
    "copy_statement",
    "dictionary_frame",
    "file_source",
    "fit_frame",
    "frame_to_csv",
    "iter_zip",
    "neutralise",
    "response_records",
    "response_rows",
    "scores_frame",
    "stream_responses_csv",
    "table_csv",
    "write_xlsx",
]
