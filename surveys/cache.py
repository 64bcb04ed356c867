"""The cache behind rate limiting: Django's database cache, with an increment that never loses a hit."""

import base64

# Values are stored as Django's DatabaseCache stores them; we only ever pickle our own integers.
import pickle  # nosec B403

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.db import router, transaction
from django.db.models import F

from surveys.models import CacheEntry


class AtomicDatabaseCache(DatabaseCache):
    """A DatabaseCache (on the CacheEntry table) whose incr() is atomic across workers.

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
        db = router.db_for_write(CacheEntry)
        row = CacheEntry.objects.using(db).filter(
            cache_key=self.make_and_validate_key(key, version=version)
        )
        with transaction.atomic(using=db):
            locked = row.update(expires=F("expires"))
            current = self.get(key, version=version) if locked else None
            if current is None:
                raise ValueError(f"Key '{key}' not found")
            value = current + delta
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol))
            row.update(value=encoded.decode("latin1"))
        return value
