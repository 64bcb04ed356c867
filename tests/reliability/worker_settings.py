"""Settings for a real `manage.py worker` started by tests/reliability/test_worker_recovery.py.

The app's own settings, with emails written to files (they outlive the process, so a test
can count what a killed worker sent) one slow message at a time (so it can be killed mid-batch).
"""

import os

from collab_survey.settings import *  # noqa: F403

MAILERS = {
    "default": {
        "BACKEND": "tests.reliability.slow_mail.SlowFileBackend",
        "OPTIONS": {"file_path": os.environ["WORKER_TEST_MAIL_DIR"]},
    }
}
