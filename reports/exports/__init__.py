"""A survey round's exports for analysts (DESIGN.md §4 "Exports").

- `responses.csv` streams straight from the database, one row per answer (responses.py);
- `scores.csv` and `fit.csv` are the dashboards' own figures, suppressed rows kept with
  their figures blank (tables.py);
- `dictionary.csv` explains every column and every item (dictionary.py);
- `survey.xlsx` holds a cover sheet and the same tables as sheets, `survey.zip` all five
  files (writers.py).

Those are the files' kinds (and URL names); a download is named for its partnership, round
and date, e.g. `northshire-autumn-2026-2026-12-01-responses.csv` (formats.download_name).
CSV files are UTF-8 with a byte-order mark, so Excel reads accents and dashes right, and
figures have at most six decimals. No export holds an email address or a token, and every
text cell that a spreadsheet would run as a formula gets a leading apostrophe
(formats.neutralise).
"""

from reports.exports.dictionary import cover_rows, dictionary_frame
from reports.exports.formats import (
    ARCHIVE,
    CONTENT_TYPES,
    DICTIONARY_COLUMNS,
    DICTIONARY_CSV,
    DOWNLOAD_ROLES,
    FILENAMES,
    FIT_COLUMNS,
    FIT_CSV,
    RESPONSE_LEVEL_FILES,
    RESPONSE_LEVEL_ROLES,
    RESPONSES_COLUMNS,
    RESPONSES_CSV,
    SCORES_COLUMNS,
    SCORES_CSV,
    UTF8_BOM,
    WORKBOOK,
    download_name,
    download_stem,
    may_download,
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
    "RESPONSE_LEVEL_FILES",
    "RESPONSE_LEVEL_ROLES",
    "SCORES_COLUMNS",
    "SCORES_CSV",
    "UTF8_BOM",
    "WORKBOOK",
    "archive_members",
    "copy_statement",
    "cover_rows",
    "dictionary_frame",
    "download_name",
    "download_stem",
    "file_source",
    "fit_frame",
    "frame_to_csv",
    "iter_zip",
    "may_download",
    "neutralise",
    "response_records",
    "response_rows",
    "scores_frame",
    "stream_responses_csv",
    "table_csv",
    "write_xlsx",
]
