"""The page people see when the server fails: "try again later" when the database is away."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.views import defaults

# psycopg2 raises these (wrapped by Django) when PostgreSQL is down, restarting, or drops the
# connection; a broken query raises ProgrammingError or the like instead, which is a real 500.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 120


def is_database_unavailable(exc: BaseException | None) -> bool:
    """Return whether an exception, or one it arose from, means the database is unreachable."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, DATABASE_UNAVAILABLE):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def server_error(request: HttpRequest) -> HttpResponse:
    """Show "try again later" (503) when the database is unreachable, else the 500 page.

    Django calls this for any exception a request raises, in a view or in a middleware, while
    that exception is being handled. The 503 page is rendered without the request, because
    sessions, the signed-in user and context processors would need the database.
    """
    if not is_database_unavailable(sys.exception()):
        return defaults.server_error(request)
    response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
