"""Database sessions that create a new key in one write, not a read and a write."""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.utils.crypto import get_random_string


class SessionStore(db.SessionStore):
    """Django's database sessions without the existence check before each new key.

    Django reads the table for every new key it draws, then inserts it with `must_create`,
    which already refuses a key that exists (the primary key) and makes `create()` draw
    again. The read decides nothing the insert does not, and a survey's start page made it
    on every visit (issue 17). 32 characters of 36 give 165 bits: a repeat never happens,
    and would still be caught by the insert.
    """

    def _get_new_session_key(self) -> str:
        return get_random_string(32, VALID_KEY_CHARS)

    async def _aget_new_session_key(self) -> str:
        return get_random_string(32, VALID_KEY_CHARS)
