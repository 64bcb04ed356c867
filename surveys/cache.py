"""The cache behind rate limiting: Django's database cache, with an increment that never loses a hit."""

import base64
import pickle  # nosec B403: only integers we wrote ourselves, exactly as Django's DatabaseCache stores values

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction


class AtomicDatabaseCache(DatabaseCache):
    """A DatabaseCache whose incr() is atomic, so every gunicorn worker shares exact counters.

    Django's incr() is get-then-set: two workers counting at once can both read 4 and both
    write 5, and a burst of parallel requests would slip past a limit. Here the row is
    written first, which locks it (the whole database on SQLite) until the transaction ends,
    so a concurrent incr() waits and then reads the new value.
    """

    def add(
        self,
        key: str,
        value: object,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> bool:
        """Store a value only if the key is absent or expired; False if it is live.

        Checking first spares the database a failed INSERT (and an error in its log) on every
        request after the first: django-ratelimit calls add() before each increment.
        """
        if self.has_key(key, version=version):
            return False
        return super().add(key, value, timeout, version)

    def incr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        """Add `delta` to a counter and return the new value; ValueError if it has expired."""
        cache_key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        table, key_column = quote(self._table), quote("cache_key")
        value_column, expires_column = quote("value"), quote("expires")
        with transaction.atomic(using=db), connection.cursor() as cursor:
            # Identifiers are quoted names from settings; the key is a query parameter.
            cursor.execute(
                f"UPDATE {table} SET {expires_column} = {expires_column} "  # nosec B608
                f"WHERE {key_column} = %s",
                [cache_key],
            )
            current = self.get(key, version=version) if cursor.rowcount else None
            if current is None:
                raise ValueError(f"Key '{key}' not found")
            value = current + delta
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol))
            cursor.execute(
                f"UPDATE {table} SET {value_column} = %s WHERE {key_column} = %s",  # nosec B608
                [encoded.decode("latin1"), cache_key],
            )
        return value
