"""Logging: survey links and password-reset links are credentials, so logs never hold them."""

import logging
import re

# /s/<token>/... (survey and resume links) and /accounts/reset/<uid>/<token>/ (password reset).
LINK_TOKEN = re.compile(r"(/s/|/reset/[^/\s]+/)(?!set-password/)[^/\s?#\"']+")
REDACTED = r"\1[redacted]"


def redact(text: str) -> str:
    """Replace the token in every survey or password-reset link in `text`."""
    return LINK_TOKEN.sub(REDACTED, text)


class RedactLinks(logging.Filter):
    """Rewrite each record's message with link tokens replaced (Django logs request paths)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the message and any traceback; never drop the record."""
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(
                logging.Formatter().formatException(record.exc_info)
            )
        return True
