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


class Respondent(FastHttpUser):
    """One board member working through the questionnaire, with a moment between pages."""

    wait_time = between(0.05, 0.2)

    @task
    def complete_survey(self) -> None:
        token = random.choice(TOKENS)
        start = self.client.get(f"/s/{token}/", name="GET start")
        key = re.search(r'name="start_key" value="([^"]+)"', start.text)
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', start.text)
        if not key or not csrf:
            return
        with self.client.post(
            f"/s/{token}/",
            data={"start_key": key.group(1), "csrfmiddlewaretoken": csrf.group(1)},
            name="POST start",
            allow_redirects=False,
            catch_response=True,
        ) as started:
            if started.status_code != 302:
                started.failure(f"start answered {started.status_code}")
                return
            location = started.headers["Location"]
        for _page in range(100):
            page = self.client.get(location, name="GET page")
            if location.rstrip("/").endswith("/check-answers"):
                break
            with self.client.post(
                location,
                data=form_answers(page.text),
                name="POST page",
                allow_redirects=False,
                catch_response=True,
            ) as saved:
                if saved.status_code != 302:
                    saved.failure(f"page answered {saved.status_code}")
                    return
                location = saved.headers["Location"]
        with self.client.post(
            location,
            data=form_answers(page.text),
            name="POST submit",
            allow_redirects=False,
            catch_response=True,
        ) as submitted:
            if submitted.status_code != 302:
                submitted.failure(f"submit answered {submitted.status_code}")
                return
            done = submitted.headers["Location"]
        self.client.get(done, name="GET confirmation")
