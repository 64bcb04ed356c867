"""Stream responses.csv from the database with flat memory, however large the round.

On PostgreSQL the rows come from `COPY (SELECT ...) TO STDOUT WITH CSV HEADER`, which
formats and neutralises them in SQL; elsewhere (SQLite for `make run`) from a chunked
cursor through csv.writer, formatted byte for byte the same way. Rows are in the order
responses were submitted, each response's answers in questionnaire order.
"""

import queue
import threading
from collections.abc import Generator, Iterator
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    QuerySet,
    Value,
    When,
    Window,
)

from reports.exports.formats import (
    ALIGNMENT_CENTRE,
    CHUNK_BYTES,
    ISO_UTC,
    RESPONSES_COLUMNS,
    REVERSED_TOTAL,
    UTF8_BOM,
    csv_line,
    neutralise,
    neutralise_sql,
)
from surveys.counting import counted_responses
from surveys.models import (
    Answer,
    Dimension,
    Item,
    Organisation,
    ProfileAnswer,
    Response,
    Survey,
)

QUEUE_CHUNKS = 16  # at most ~1 MiB waits between the database and the client
ITERATOR_ROWS = 2000
CURSOR_FLUSH_ROWS = 500

ROW_ALIASES = [
    "x_response_id",
    "x_organisation",
    "x_sector",
    "x_role",
    "x_submitted_at",
    "x_dimension",
    "x_item_code",
    "x_subject",
    "x_value",
    "x_scored_value",
    "x_dimension_order",
    "x_item_order",
    "x_counted",
]
_ORDER = [
    "x_submitted_at",
    "x_response_id",
    "x_dimension_order",
    "x_item_order",
    "x_subject",
]


def shared_roles(survey: Survey) -> QuerySet[Response]:
    """Return the submitted responses whose role K or more in their organisation share.

    Only these show their role in an export: a role held by fewer people in an
    organisation (its one chief executive) would point at them.
    """
    by_group = {"partition_by": [F("organisation_id"), F("role")]}
    return (
        Response.objects.filter(survey=survey, submitted_at__isnull=False)
        .exclude(role="")
        .annotate(sharing=Window(Count("pk"), **by_group))
        .filter(sharing__gte=survey.anonymity_threshold)
    )


def _shared_fields(survey: Survey) -> dict[str, Any]:
    shown_role = Case(
        When(response__in=shared_roles(survey).values("pk"), then=F("response__role")),
        default=Value(None),
        output_field=CharField(),
    )
    counted = Case(
        When(response__in=counted_responses(survey).values("pk"), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    return {
        "x_response_id": F("response__public_id"),
        "x_organisation": F("response__organisation__name"),
        "x_sector": F("response__organisation__sector"),
        "x_role": shown_role,
        "x_counted": counted,
        "x_submitted_at": F("response__submitted_at"),
        "x_dimension": F("item__dimension__key"),
        "x_item_code": F("item__code"),
        "x_dimension_order": F("item__dimension__order"),
        "x_item_order": F("item__order"),
    }


def response_rows(survey: Survey) -> QuerySet:
    """Return one raw row per submitted answer and culture-profile allocation, unordered.

    The columns are ROW_ALIASES: responses.csv after survey_id, unformatted, then the
    dimension and item order to sort by.
    """
    submitted = {"response__survey": survey, "response__submitted_at__isnull": False}
    scored = Case(
        When(
            item__response_format=Item.Format.ALIGNMENT,
            then=F("value") - ALIGNMENT_CENTRE,
        ),
        When(item__reverse_scored=True, then=REVERSED_TOTAL - F("value")),
        default=F("value"),
        output_field=IntegerField(),
    )
    answers = (
        Answer.objects.filter(**submitted)
        .order_by()
        .annotate(
            **_shared_fields(survey),
            x_subject=F("subject_organisation__name"),
            x_value=F("value"),
            x_scored_value=scored,
        )
        .values_list(*ROW_ALIASES)
    )
    points = (
        ProfileAnswer.objects.filter(**submitted)
        .order_by()
        .annotate(
            **_shared_fields(survey),
            x_subject=Value(None, output_field=CharField()),
            x_value=F("points"),
            x_scored_value=F("points"),
        )
        .values_list(*ROW_ALIASES)
    )
    return answers.union(points, all=True)


def _literal_ids(responses: QuerySet[Response]) -> str:
    """Return the SQL of a subquery of these responses' ids, its parameters bound in."""
    sql, params = responses.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        bound = cursor.mogrify(sql, params).decode()
    return bound.replace("%", "%%")  # the statement is formatted again with its own


def copy_statement(survey: Survey) -> tuple[str, dict[str, Any]]:
    """Return the COPY statement that writes responses.csv, and its parameters.

    The same rows as response_rows(), written for PostgreSQL's planner: responses are
    sorted first (a few thousand rows) and each one's answers fetched by index, so the
    ordered output streams from the first row, with no sort of every answer on disk.
    Per-response columns are formatted once per response rather than once per answer.
    """
    response, answer = Response._meta.db_table, Answer._meta.db_table
    profile, item = ProfileAnswer._meta.db_table, Item._meta.db_table
    dimension, organisation = Dimension._meta.db_table, Organisation._meta.db_table
    per_item = (
        f"{neutralise_sql('d.key')} AS dimension, "
        f"{neutralise_sql('i.code')} AS item_code"
    )
    # Only model table names and constant SQL are formatted in; values are parameters.
    sql = f"""COPY (
    SELECT %(survey_id)s AS survey_id, r.public_id AS response_id, r.organisation,
        r.sector, r.role, r.submitted AS submitted_at, x.dimension, x.item_code,
        x.subject_organisation, x.value, x.scored_value, r.counted
    FROM (
        SELECT r.id, r.public_id, r.submitted_at,
            {neutralise_sql("o.name")} AS organisation,
            {neutralise_sql("o.sector")} AS sector,
            CASE WHEN r.id IN ({_literal_ids(shared_roles(survey))})
                THEN {neutralise_sql("NULLIF(r.role, '')")} END AS role,
            CASE WHEN r.id IN ({_literal_ids(counted_responses(survey))})
                THEN 'true' ELSE 'false' END AS counted,
            to_char(r.submitted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                AS submitted
        FROM {response} r JOIN {organisation} o ON o.id = r.organisation_id
        WHERE r.survey_id = %(survey)s AND r.submitted_at IS NOT NULL
        ORDER BY r.submitted_at, r.public_id
    ) r
    CROSS JOIN LATERAL (
        SELECT {per_item}, {neutralise_sql("s.name")} AS subject_organisation,
            s.name AS subject_name, a.value,
            CASE WHEN i.response_format = %(alignment)s THEN a.value - %(centre)s
                WHEN i.reverse_scored THEN %(reversed)s - a.value
                ELSE a.value END AS scored_value,
            d."order" AS dimension_order, i."order" AS item_order
        FROM {answer} a
        JOIN {item} i ON i.id = a.item_id
        JOIN {dimension} d ON d.id = i.dimension_id
        LEFT JOIN {organisation} s ON s.id = a.subject_organisation_id
        WHERE a.response_id = r.id
        UNION ALL
        SELECT {per_item}, NULL, NULL, p.points, p.points, d."order", i."order"
        FROM {profile} p
        JOIN {item} i ON i.id = p.item_id
        JOIN {dimension} d ON d.id = i.dimension_id
        WHERE p.response_id = r.id
    ) x
    ORDER BY r.submitted_at, r.public_id, x.dimension_order, x.item_order,
        x.subject_name
) TO STDOUT WITH (FORMAT csv, HEADER true)"""  # nosec B608
    params = {
        "survey_id": str(survey.public_id),
        "survey": survey.pk,
        "alignment": Item.Format.ALIGNMENT.value,
        "centre": ALIGNMENT_CENTRE,
        "reversed": REVERSED_TOTAL,
    }
    return sql, params


class _CopySink:
    """File-like target for COPY: gathers rows into chunks and queues them."""

    def __init__(self, chunks: queue.Queue, cancelled: threading.Event) -> None:
        self._chunks, self._cancelled = chunks, cancelled
        self._buffer = bytearray()

    def write(self, data: bytes) -> None:
        if self._cancelled.is_set():
            return  # nobody is reading any more: let COPY end without waiting
        self._buffer += data
        if len(self._buffer) >= CHUNK_BYTES:
            self.flush()

    def flush(self) -> None:
        if self._buffer and not self._cancelled.is_set():
            self._chunks.put(bytes(self._buffer))
        self._buffer.clear()


_DONE = object()


def _copy_chunks(survey: Survey) -> Iterator[bytes]:
    # psycopg2 only pushes COPY data into a file-like object, so a thread runs the COPY on
    # this request's connection (so it sees the same transaction) and a bounded queue
    # hands the chunks over: memory stays flat and the reader's pace sets the database's.
    sql, params = copy_statement(survey)
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor:
        statement = cursor.mogrify(sql, params).decode()
    chunks: queue.Queue = queue.Queue(maxsize=QUEUE_CHUNKS)
    cancelled = threading.Event()
    sink = _CopySink(chunks, cancelled)

    def run() -> None:
        try:
            with raw.cursor() as cursor:
                cursor.copy_expert(statement, sink)
            sink.flush()
            chunks.put(_DONE)
        except BaseException as exc:
            chunks.put(exc)  # re-raised in the reading thread

    worker = threading.Thread(target=run, name="responses-copy", daemon=True)
    worker.start()
    finished = False
    try:
        while True:
            item = chunks.get()
            if item is _DONE:
                finished = True
                return
            if isinstance(item, BaseException):
                finished = True
                raise item
            yield item
    finally:
        if not finished:
            # The reader stopped early (a client went away). Outside a transaction, ask
            # the server to stop; inside one a cancel would abort it, so let COPY run out.
            # Either way wait until the connection is idle again before handing it back.
            cancelled.set()
            if not connection.in_atomic_block:
                raw.cancel()
            while (item := chunks.get()) is not _DONE and not isinstance(
                item, BaseException
            ):
                pass
        worker.join()


def _ordered_rows(survey: Survey) -> Iterator[tuple]:
    rows = response_rows(survey).order_by(*_ORDER)
    return rows.iterator(chunk_size=ITERATOR_ROWS)


def _cursor_chunks(survey: Survey) -> Iterator[bytes]:
    lines = [csv_line(RESPONSES_COLUMNS)]
    survey_id = str(survey.public_id)
    for row in _ordered_rows(survey):
        rid, org, sector, role, submitted, dim, code, subject, value, scored = row[:10]
        lines.append(
            csv_line(
                (
                    survey_id,
                    rid,
                    neutralise(org),
                    neutralise(sector),
                    neutralise(role or None),
                    submitted.astimezone(UTC).strftime(ISO_UTC),
                    neutralise(dim),
                    neutralise(code),
                    neutralise(subject),
                    value,
                    scored,
                    "true" if row[12] else "false",
                )
            )
        )
        if len(lines) >= CURSOR_FLUSH_ROWS:
            yield "".join(lines).encode("utf-8")
            lines.clear()
    yield "".join(lines).encode("utf-8")


def stream_responses_csv(survey: Survey, *, method: str = "auto") -> Iterator[bytes]:
    """Yield responses.csv (UTF-8 with a byte-order mark) in chunks from the database.

    `method` is "copy" (PostgreSQL COPY), "cursor" (chunked cursor and csv.writer, any
    database) or "auto" (COPY on PostgreSQL, the cursor elsewhere).
    """
    if method == "auto":
        method = "copy" if connection.vendor == "postgresql" else "cursor"
    if method == "copy":
        return _with_bom(_copy_chunks(survey))
    if method == "cursor":
        return _with_bom(_cursor_chunks(survey))
    raise ValueError(f"unknown export method {method!r}")


def _with_bom(chunks: Generator[bytes]) -> Iterator[bytes]:
    """Yield the chunks with a byte-order mark before the first (the header row)."""
    try:
        yield UTF8_BOM + next(chunks, b"")
        yield from chunks
    finally:
        chunks.close()  # a reader that stops early still ends the COPY


def response_records(survey: Survey) -> Iterator[tuple]:
    """Yield responses.csv rows as typed, neutralised values, for the workbook."""
    survey_id = str(survey.public_id)
    for row in _ordered_rows(survey):
        rid, org, sector, role, submitted, dim, code, subject, value, scored = row[:10]
        # Excel has no time zones: a naive UTC time, as the dictionary says.
        moment: datetime = submitted.astimezone(UTC).replace(tzinfo=None, microsecond=0)
        yield (
            survey_id,
            str(rid),
            neutralise(org),
            neutralise(sector),
            neutralise(role or None),
            moment,
            neutralise(dim),
            neutralise(code),
            neutralise(subject),
            value,
            scored,
            bool(row[12]),
        )
