"""gunicorn settings, read from the working directory by every `gunicorn` command here."""

from gunicorn.glogging import Logger

from surveys.logs import redact


class RedactingLogger(Logger):
    """gunicorn's logger, with survey and password-reset link tokens removed from access lines."""

    def atoms(self, resp, req, environ, request_time) -> dict:
        """Return the access-log fields with every link token replaced."""
        atoms = super().atoms(resp, req, environ, request_time)
        return {k: redact(v) if isinstance(v, str) else v for k, v in atoms.items()}


logger_class = RedactingLogger
