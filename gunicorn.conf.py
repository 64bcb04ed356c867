"""gunicorn settings, read from the working directory by every `gunicorn` command here.

Threaded workers (gthread): a connection waits in the worker's poller until it has sent
something, and then holds one thread, not the whole process, while its request is read and
answered. So clients that send their headers slowly, and board-pack PDFs that take seconds
to draw, occupy a few of the WORKERS x THREADS threads while respondents' pages go on being
served (bench/slow_clients.py measures it). Each thread keeps its own database connection:
allow WORKERS x THREADS (+ the task worker) connections in PostgreSQL's max_connections.
"""

import os

from gunicorn.glogging import Logger

from surveys.logs import redact

worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "16"))
# A worker that has not reported in this long (a stuck request holding the GIL) is restarted.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Idle kept-alive connections are closed after this many seconds, freeing their slot.
keepalive = 5


class RedactingLogger(Logger):
    """gunicorn's logger, with survey and password-reset link tokens removed from access lines."""

    def atoms(self, resp, req, environ, request_time) -> dict:
        """Return the access-log fields with every link token replaced."""
        atoms = super().atoms(resp, req, environ, request_time)
        return {k: redact(v) if isinstance(v, str) else v for k, v in atoms.items()}


logger_class = RedactingLogger
