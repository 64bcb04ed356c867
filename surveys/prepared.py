"""The resume-link lookup as a PostgreSQL prepared statement: planned once per connection.

Every question page starts by finding its response from the resume token, with the round,
questionnaire, organisation and link joined (issue 17). Through the ORM that query costs
about half a millisecond to compile in Python, and PostgreSQL spends 0.3-0.4 ms planning
it against 0.01 ms running it. Here its text is built once per process from the models'
own fields, PostgreSQL plans it once per database connection (PREPARE), and each page runs
it by name (EXECUTE). Rows become model instances through Django's own converters and
`Model.from_db`, as the ORM would build them.

The token's first characters are matched as a range of the `varchar_pattern_ops` index
(`~>=~ prefix AND ~<~ prefix || chr(127)`), not with LIKE: a prepared LIKE with a
parameter cannot use that index in PostgreSQL's generic plan and scans the whole table.
Tokens are URL-safe base64 (below chr(127)), so the range holds exactly the tokens that
start with the prefix; the caller still compares the whole token in constant time.

A connection is known to hold the statements by its driver object, weakly: a connection
that is closed and reopened (CONN_MAX_AGE, a failed health check) is a new object and
prepares them again; statements prepared inside a transaction that is rolled back stay
prepared (PostgreSQL's PREPARE is not transactional).
"""

import threading
import time
import weakref
from collections.abc import Sequence
from typing import Any

from django.db import DatabaseError, connection
from django.db.models import Model

from surveys.journey import partners_fingerprint
from surveys.models import (
    Answer,
    Comment,
    Instrument,
    Invitation,
    Organisation,
    ProfileAnswer,
    Response,
    Survey,
)

# What each row of a page's saved answers holds (StepForm.initial_for).
SAVED_RATING, SAVED_POINTS, SAVED_COMMENT = "rating", "points", "comment"

# In the order their columns come in a row; each after the response is attached to it.
_JOINED: tuple[tuple[type[Model], str], ...] = (
    (Response, ""),
    (Survey, "survey"),
    (Instrument, "instrument"),  # of the survey
    (Organisation, "organisation"),
    (Invitation, "invitation"),
)
# Left out of the lookup's rows, and deferred on the instances as the ORM's defer() would
# leave them: the questionnaire's translations (11 KB of JSON in the default one) are read
# once per process into its texts table (instrument_text), and the sources' titles only by
# reports. Sent and decoded on every question page, they were a tenth of a page's lookup.
_DEFERRED: dict[type[Model], frozenset[str]] = {
    Instrument: frozenset({"translations", "source_titles"})
}
_NAMES = {False: "surveys_resume_lookup", True: "surveys_resume_lookup_locked"}
_prepared: dict[str, weakref.WeakSet] = {}
_prepared_lock = threading.Lock()
_built: dict[str, Any] = {}


def _quoted(model: type[Model], column: str) -> str:
    quote = connection.ops.quote_name
    return f"{quote(model._meta.db_table)}.{quote(column)}"


def _selected(model: type[Model]) -> list[Any]:
    """Return the model's fields the lookup reads, in the order of its columns."""
    deferred = _DEFERRED.get(model, frozenset())
    return [f for f in model._meta.concrete_fields if f.attname not in deferred]


def _statement(lock: bool) -> str:
    """Return the lookup's SQL, with the token prefix as $1 (table and column names only)."""
    response, survey, instrument, organisation, invitation = (m for m, _ in _JOINED)
    columns = ", ".join(
        _quoted(model, field.column)
        for model, _ in _JOINED
        for field in _selected(model)
    )
    fingerprint, _params = partners_fingerprint().as_sql(None, connection)
    token = _quoted(response, "resume_token")
    return (
        f"SELECT {columns}, {fingerprint} "  # nosec B608 (names from the models, no values)
        f"FROM {connection.ops.quote_name(response._meta.db_table)} "
        f"JOIN {connection.ops.quote_name(survey._meta.db_table)} "
        f"ON {_quoted(survey, 'id')} = {_quoted(response, 'survey_id')} "
        f"JOIN {connection.ops.quote_name(instrument._meta.db_table)} "
        f"ON {_quoted(instrument, 'id')} = {_quoted(survey, 'instrument_id')} "
        f"JOIN {connection.ops.quote_name(organisation._meta.db_table)} "
        f"ON {_quoted(organisation, 'id')} = {_quoted(response, 'organisation_id')} "
        f"JOIN {connection.ops.quote_name(invitation._meta.db_table)} "
        f"ON {_quoted(invitation, 'id')} = {_quoted(response, 'invitation_id')} "
        f"WHERE {token} ~>=~ $1 AND {token} ~<~ ($1 || chr(127))"
        + (
            f" FOR UPDATE OF {connection.ops.quote_name(response._meta.db_table)}"
            if lock
            else ""
        )
    )


def _converters() -> list[tuple[type[Model], list[str], list[tuple[Any, list]]]]:
    """Return, per joined model, its field names and each field's converters (as the ORM's)."""
    if "converters" not in _built:
        found = []
        for model, _ in _JOINED:
            fields = _selected(model)
            per_field = []
            for field in fields:
                column = field.get_col(model._meta.db_table)
                converters = [
                    *connection.ops.get_db_converters(column),
                    *column.get_db_converters(connection),
                ]
                per_field.append((column, converters))
            found.append((model, [f.attname for f in fields], per_field))
        _built["converters"] = found
    return _built["converters"]


def _instances(row: Sequence[Any]) -> Response:
    """Build the response from one row, its round, questionnaire, organisation and link."""
    built: dict[type[Model], Model] = {}
    start = 0
    for model, names, per_field in _converters():
        values = list(row[start : start + len(names)])
        for index, (column, converters) in enumerate(per_field):
            for converter in converters:
                values[index] = converter(values[index], column, connection)
        built[model] = model.from_db(connection.alias, names, values)
        start += len(names)
    response = built[Response]
    response.partners_key = row[start]
    Survey.instrument.field.set_cached_value(built[Survey], built[Instrument])
    Response.survey.field.set_cached_value(response, built[Survey])
    Response.organisation.field.set_cached_value(response, built[Organisation])
    Response.invitation.field.set_cached_value(response, built[Invitation])
    return response


def _forget(raw: Any) -> None:
    """Forget every statement this driver connection was known to hold."""
    with _prepared_lock:
        for held in _prepared.values():
            held.discard(raw)


def _execute(name: str, statement: Any, types: str, params: Sequence[Any]) -> Any:
    """Run the statement `name` (PREPAREd first on a connection that has not got it) and
    return the cursor's rows, or None for a statement that returns none.

    A statement can stop working under a running process: a migration that changes a
    selected column's type ("cached plan must not change result type"), or a session reset
    by a pooler. Outside a transaction it is then prepared afresh and run once more; inside
    one (a page save) the transaction is already aborted, so the error stands, and the
    connection is closed at the end of the request so that the next one starts clean.
    """
    with connection.cursor() as cursor:
        raw = connection.connection
        with _prepared_lock:
            known = raw in _prepared.setdefault(name, weakref.WeakSet())
        placeholders = ", ".join(["%s"] * len(params))
        for attempt in range(2):
            if not known:
                if attempt:
                    cursor.execute("DEALLOCATE ALL")  # the session's stale statements
                # Names and text are fixed in this module: no value reaches them.
                cursor.execute(f"PREPARE {name}({types}) AS {statement()}")  # nosec B608
                with _prepared_lock:
                    _prepared[name].add(raw)
            try:
                cursor.execute(f"EXECUTE {name}({placeholders})", params)  # nosec B608
            except DatabaseError:
                _forget(raw)
                known = False
                if attempt or connection.in_atomic_block:
                    connection.close_at = time.monotonic()
                    raise
                continue
            return cursor.fetchall() if cursor.description else None
    raise AssertionError("unreachable")  # pragma: no cover


def resume_candidates(prefix: str, *, lock: bool) -> list[Response]:
    """Return the responses whose resume token starts with `prefix` (one, unless 96 bits repeat).

    `lock` reads them FOR UPDATE OF the response's row, inside the caller's transaction.
    PostgreSQL only: the callers keep the ORM's query for other databases.
    """
    rows = _execute(_NAMES[lock], lambda: _statement(lock), "text", [prefix])
    return [_instances(row) for row in rows]


def _answer_statement(kind: str) -> str:
    table = connection.ops.quote_name(Answer._meta.db_table)
    column = {
        f.name: connection.ops.quote_name(f.column)
        for f in Answer._meta.concrete_fields
    }
    if kind == "insert":
        return (
            f"INSERT INTO {table} ({column['response']}, {column['item']}, "  # nosec B608
            f"{column['subject_organisation']}, {column['value']}) "
            "SELECT $1, item, $3, value FROM UNNEST($2::bigint[], $4::smallint[]) "
            "AS page(item, value)"
        )
    subject = "IS NULL" if kind == "delete_own" else "= $3"
    return (
        f"DELETE FROM {table} WHERE {column['response']} = $1 "  # nosec B608
        f"AND {column['item']} = ANY($2::bigint[]) "
        f"AND {column['subject_organisation']} {subject}"
    )


def replace_answers(
    *,
    response_id: int,
    item_ids: list[int],
    subject_id: int | None,
    values: dict[int, int | None],
) -> None:
    """Replace the response's ratings of these items (about this partner, or its own
    organisation when `subject_id` is None) with `values` (item id -> value or None).

    Two prepared statements, run in the caller's transaction: what Answer.objects' delete
    and bulk_create would do, for a model with no signals and no rows depending on it.
    """
    if subject_id is None:
        _execute(
            "surveys_answers_delete_own",
            lambda: _answer_statement("delete_own"),
            "bigint, bigint[]",
            [response_id, item_ids],
        )
    else:
        _execute(
            "surveys_answers_delete_partner",
            lambda: _answer_statement("delete_partner"),
            "bigint, bigint[], bigint",
            [response_id, item_ids, subject_id],
        )
    if values:
        _execute(
            "surveys_answers_insert",
            lambda: _answer_statement("insert"),
            "bigint, bigint[], bigint, smallint[]",
            [response_id, list(values), subject_id, list(values.values())],
        )


def _page_statement(kind: str) -> str:
    """Return the SQL deleting or inserting a page's points (ProfileAnswer) or comment."""
    quote = connection.ops.quote_name
    model = ProfileAnswer if kind.startswith("points") else Comment
    table = quote(model._meta.db_table)
    column = {f.name: quote(f.column) for f in model._meta.concrete_fields}
    if kind == "points_delete":
        return (
            f"DELETE FROM {table} WHERE {column['response']} = $1 "  # nosec B608
            f"AND {column['item']} = ANY($2::bigint[])"
        )
    if kind == "points_insert":
        return (
            f"INSERT INTO {table} ({column['response']}, {column['item']}, "  # nosec B608
            f"{column['points']}) "
            "SELECT $1, item, points FROM UNNEST($2::bigint[], $3::smallint[]) "
            "AS page(item, points)"
        )
    if kind == "comment_delete":
        return (
            f"DELETE FROM {table} WHERE {column['response']} = $1 "  # nosec B608
            f"AND {column['dimension']} = $2"
        )
    return (
        f"INSERT INTO {table} ({column['response']}, {column['dimension']}, "  # nosec B608
        f"{column['text']}, {column['language']}) VALUES ($1, $2, $3, $4)"
    )


def replace_points(
    *, response_id: int, item_ids: list[int], points: dict[int, int]
) -> None:
    """Replace the response's points on these items (a profile page's) with `points`
    (item id -> points).

    What ProfileAnswer.objects' delete and bulk_create did (no signals, no rows depend on
    its rows): two prepared statements, run in the caller's transaction.
    """
    _execute(
        "surveys_points_delete",
        lambda: _page_statement("points_delete"),
        "bigint, bigint[]",
        [response_id, item_ids],
    )
    if points:
        _execute(
            "surveys_points_insert",
            lambda: _page_statement("points_insert"),
            "bigint, bigint[], smallint[]",
            [response_id, list(points), list(points.values())],
        )


def replace_comment(
    *, response_id: int, dimension_id: int, text: str, language: str
) -> None:
    """Replace the response's comment on a dimension with `text` written in `language`,
    or remove it when `text` is empty (a comment is never stored empty).

    What Comment.objects' delete and create did (no signals, no rows depend on a comment,
    no field filled in by Python): prepared statements in the caller's transaction.
    """
    _execute(
        "surveys_comment_delete",
        lambda: _page_statement("comment_delete"),
        "bigint, bigint",
        [response_id, dimension_id],
    )
    if text:
        _execute(
            "surveys_comment_insert",
            lambda: _page_statement("comment_insert"),
            "bigint, bigint, text, varchar",
            [response_id, dimension_id, text, language],
        )


def _saved_statement(*, profile: bool, partner: bool) -> str:
    answer, points, comment = (
        connection.ops.quote_name(m._meta.db_table)
        for m in (Answer, ProfileAnswer, Comment)
    )
    subject = "= $3" if partner else "IS NULL"
    parts = [
        f"SELECT '{SAVED_RATING}', item_id, value, '' FROM {answer} "  # nosec B608
        f"WHERE response_id = $1 AND item_id = ANY($2::bigint[]) "
        f"AND subject_organisation_id {subject}"
    ]
    if profile:
        parts.append(
            f"SELECT '{SAVED_POINTS}', item_id, points, '' FROM {points} "  # nosec B608
            "WHERE response_id = $1 AND item_id = ANY($2::bigint[])"
        )
    if not partner:
        parts.append(
            f"SELECT '{SAVED_COMMENT}', dimension_id, NULL, text "  # nosec B608
            f"FROM {comment} WHERE response_id = $1 AND dimension_id = $3"
        )
    return " UNION ALL ".join(parts)


def saved_rows(
    *,
    response_id: int,
    item_ids: list[int],
    subject_id: int | None,
    dimension_id: int,
    profile: bool,
) -> list[tuple]:
    """Return a page's saved (kind, item or dimension id, number, text) rows: its ratings
    (about the partner `subject_id`, or its own organisation), its points on a profile page
    and, on a page not about a partner, its comment. One prepared UNION ALL per kind of page.
    """
    partner = subject_id is not None
    name = f"surveys_saved_{'profile' if profile else 'ratings'}_{'partner' if partner else 'own'}"
    return _execute(
        name,
        lambda: _saved_statement(profile=profile, partner=partner),
        "bigint, bigint[], bigint",
        [response_id, item_ids, subject_id if partner else dimension_id],
    )
