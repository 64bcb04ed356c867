"""Locust respondents of the floor app: view a page of six questions, save it, repeat.

The same wait between requests as bench/locustfile.py, so both apps see the same load.
"""

import os
import random

from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

TOKENS = [t for t in os.environ.get("BENCH_TOKENS", "").split(",") if t]


class FloorRespondent(FastHttpUser):
    """A respondent who answers the same page over and over."""

    wait_time = between(0.05, 0.2)

    @task
    def save_page(self) -> None:
        url = f"/f/{random.choice(TOKENS)}/"
        self.client.get(url, name="GET page")
        answers = {f"q{item}": str(random.randint(1, 5)) for item in range(1, 7)}
        with self.client.post(
            url,
            data=answers,
            name="POST page",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code != 302:
                answer.failure(f"POST page answered {answer.status_code}")
