"""The test run uses the settings the suite relies on."""

from django.conf import settings


def test_background_tasks_run_at_once_in_tests():
    assert settings.TASKS["default"]["BACKEND"].endswith("ImmediateBackend")
