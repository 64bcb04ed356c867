"""An email backend for tests: Django's file backend, taking a while over each message."""

import os
import time

from django.core.mail.backends.filebased import EmailBackend


class SlowFileBackend(EmailBackend):
    """Write each message to a file after a pause (WORKER_TEST_MAIL_SECONDS)."""

    def write_message(self, message) -> None:
        time.sleep(float(os.environ.get("WORKER_TEST_MAIL_SECONDS", "0.3")))
        super().write_message(message)
