"""Locust respondents: open an organisation link, answer every page, submit.

Driven by bench/submission.py, which passes the links in BENCH_TOKENS (comma-separated).
Each simulated respondent completes one whole questionnaire per iteration, reading each
page's form as a browser would (hidden fields, radio groups, points boxes).
"""

import os
import random
import re

from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

from bench.respondent_forms import form_answers

TOKENS = [t for t in os.environ.get("BENCH_TOKENS", "").split(",") if t]
# With --page-wait, a respondent waits after every page save, as the floor's respondent
# does (bench/floor/locustfile.py): the same load shape, one wait per page save.
PAGE_WAIT = os.environ.get("BENCH_PAGE_WAIT") == "1"


class Respondent(FastHttpUser):
    """One board member working through the questionnaire, with a moment between pages."""

    wait_time = between(0.05, 0.2)

    def _post(self, url: str, data: dict[str, str], name: str) -> str | None:
        """POST a form and return where it redirects; anything but a redirect is a failure."""
        with self.client.post(
            url, data=data, name=name, allow_redirects=False, catch_response=True
        ) as answer:
            if answer.status_code != 302:
                answer.failure(f"{name} answered {answer.status_code}")
                return None
            return answer.headers["Location"]

    @task
    def complete_survey(self) -> None:
        token = random.choice(TOKENS)
        start = self.client.get(f"/s/{token}/", name="GET start")
        key = re.search(r'name="start_key" value="([^"]+)"', start.text)
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', start.text)
        if not key or not csrf:
            return
        location = self._post(
            f"/s/{token}/",
            {"start_key": key.group(1), "csrfmiddlewaretoken": csrf.group(1)},
            "POST start",
        )
        for _page in range(100):
            if location is None:
                return
            page = self.client.get(location, name="GET page")
            if location.rstrip("/").endswith("/check-answers"):
                break
            location = self._post(location, form_answers(page.text), "POST page")
            if PAGE_WAIT:
                self.wait()
        if location is None:
            return
        done = self._post(location, form_answers(page.text), "POST submit")
        if done is not None:
            self.client.get(done, name="GET confirmation")
