"""Security tests share one rule: hostile-input tests check validation, not throttling."""

import pytest


@pytest.fixture(autouse=True)
def _no_rate_limits_for_hostile_input(request, settings) -> None:
    # Hundreds of examples against one sign-in form would trip the login limit (429) and
    # count attempts in the database; tests/security/test_rate_limits.py covers the limits.
    # allauth keeps its own per-address login counter in the (process-wide) default cache,
    # which sign-ins in earlier test files have already counted against: off too.
    if request.module.__name__.rsplit(".", 1)[-1].startswith("test_hostile"):
        settings.RATELIMIT_ENABLE = False
        settings.ACCOUNT_RATE_LIMITS = False
