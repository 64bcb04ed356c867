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
import weakref
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Model

from surveys.journey import partners_fingerprint
from surveys.models import Instrument, Invitation, Organisation, Response, Survey

# In the order their columns come in a row; each after the response is attached to it.
_JOINED: tuple[tuple[type[Model], str], ...] = (
    (Response, ""),
    (Survey, "survey"),
    (Instrument, "instrument"),  # of the survey
    (Organisation, "organisation"),
    (Invitation, "invitation"),
)
_NAMES = {False: "surveys_resume_lookup", True: "surveys_resume_lookup_locked"}
_prepared: dict[bool, weakref.WeakSet] = {
    False: weakref.WeakSet(),
    True: weakref.WeakSet(),
}
_prepared_lock = threading.Lock()
_built: dict[str, Any] = {}


def _quoted(model: type[Model], column: str) -> str:
    quote = connection.ops.quote_name
    return f"{quote(model._meta.db_table)}.{quote(column)}"


def _statement(lock: bool) -> str:
    """Return the lookup's SQL, with the token prefix as $1 (table and column names only)."""
    response, survey, instrument, organisation, invitation = (m for m, _ in _JOINED)
    columns = ", ".join(
        _quoted(model, field.column)
        for model, _ in _JOINED
        for field in model._meta.concrete_fields
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
            fields = model._meta.concrete_fields
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


def resume_candidates(prefix: str, *, lock: bool) -> list[Response]:
    """Return the responses whose resume token starts with `prefix` (one, unless 96 bits repeat).

    `lock` reads them FOR UPDATE OF the response's row, inside the caller's transaction.
    PostgreSQL only: the callers keep the ORM's query for other databases.
    """
    name = _NAMES[lock]
    with connection.cursor() as cursor:
        raw = connection.connection
        with _prepared_lock:
            known = raw in _prepared[lock]
        if not known:
            # The statement name and text are fixed in this module: no value reaches them.
            cursor.execute(f"PREPARE {name}(text) AS {_statement(lock)}")  # nosec B608
            with _prepared_lock:
                _prepared[lock].add(raw)
        cursor.execute(f"EXECUTE {name}(%s)", [prefix])  # nosec B608 (fixed name)
        rows = cursor.fetchall()
    return [_instances(row) for row in rows]
