"""Test-run environment, loaded as a pytest plugin (`-p tests.environment`) before Django is set up.

Production settings, minus the HTTPS redirect and secure cookies; background tasks run at once.
A conftest.py would be too late: pytest-django configures Django before conftest files load.
"""

import os

os.environ.setdefault(
    "DJANGO_SECRET_KEY", "test-only-secret-key-not-used-anywhere-else"
)
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("DJANGO_SECURE_COOKIES", "false")
os.environ.setdefault(
    "TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend"
)
# Submissions do not rebuild dashboards in the background unless a test asks for it
# (tests/reports/test_analysis_cache.py): the immediate backend would do it in the request.
os.environ.setdefault("REPORTS_REFRESH_ON_SUBMIT", "false")
# Nor does a refresh draw a board pack (seconds of Chromium) unless a test asks for it.
os.environ.setdefault("REPORTS_PACKS_AFTER_REFRESH", "false")
# Each test process keeps its analyses in memory, never in the checkout's file cache.
os.environ.setdefault("REPORTS_CACHE_URL", "locmemcache://reports")
# Tests never read a developer's local .env.
os.environ.setdefault("DJANGO_ENV_FILE", os.devnull)
# Playwright's sync API runs an event loop in the test thread; the ORM calls in browser tests
# are still synchronous, so allow them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
