"""The SQLite demo (`make run`) serves ten respondents at once while its worker analyses."""

import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests
from django.conf import settings

from bench.respondent_forms import form_answers
from bench.server import free_port, wait_for

PROJECT = Path(settings.BASE_DIR)
RESPONDENTS = 10
START_KEY = re.compile(r'name="start_key" value="([^"]+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def demo_env(tmp_path: Path) -> dict[str, str]:
    """The environment `make run` gives the demo, on a database file of the test's own."""
    return {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "VENV": str(Path(sys.executable).parent.parent),
        "DJANGO_ENV_FILE": os.devnull,
        "DJANGO_SECRET_KEY": "sqlite-demo-test-only",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "REPORTS_CACHE_URL": f"filecache://{tmp_path / 'reports'}",
        # Collected static files are not needed to answer questionnaires.
        "DJANGO_STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        # Every respondent here is 127.0.0.1 on one link: keep the counting, lift the limit.
        "RATELIMIT_RESPONDENT": "100000/m",
        # Board packs are drawn after each refresh in Chromium, outside any transaction: they
        # only make each refresh longer, so the test leaves them out to stay short.
        "REPORTS_PACKS_AFTER_REFRESH": "false",
    }


def manage(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return result.stdout


def wait_for_the_worker(database: Path, seconds: float = 180) -> None:
    """Return once no refresh is queued or running (the worker keeps up), or after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with sqlite3.connect(database, timeout=20) as db:
            (left,) = db.execute(
                "SELECT count(*) FROM django_tasks_database_dbtaskresult"
                " WHERE status IN ('READY', 'RUNNING')"
            ).fetchone()
        if not left:
            return
        time.sleep(1)


def answer_the_survey(base: str, link: str, statuses: list[int]) -> bool:
    """Complete one questionnaire as a browser would; record every status; say if confirmed."""
    with requests.Session() as browser:

        def get(url: str) -> requests.Response:
            answer = browser.get(base + url, allow_redirects=False, timeout=60)
            statuses.append(answer.status_code)
            return answer

        def post(url: str, data: dict[str, str]) -> str | None:
            answer = browser.post(base + url, data, allow_redirects=False, timeout=60)
            statuses.append(answer.status_code)
            return answer.headers.get("Location") if answer.status_code == 302 else None

        start = get(link).text
        key, csrf = START_KEY.search(start), CSRF.search(start)
        if not (key and csrf):
            return False
        location = post(
            link, {"start_key": key.group(1), "csrfmiddlewaretoken": csrf.group(1)}
        )
        for _page in range(100):
            if location is None:
                return False
            page = get(location).text
            done = location.rstrip("/").endswith("/check-answers")
            location = post(location, form_answers(page))
            if done:
                return location is not None and get(location).status_code == 200
    return False


def test_ten_respondents_at_once_on_the_sqlite_demo_never_see_a_503(tmp_path):
    env = demo_env(tmp_path)
    manage("migrate", "--noinput", "-v0", env=env)
    manage(
        "load_instrument",
        "surveys/instruments/collaboration_readiness_v1.yaml",
        env=env,
    )
    seeded = manage("seed_demo", "--organisations", "4", "--respondents", "8", env=env)
    link = re.search(r"Try the survey as a respondent: \S+?(/s/\S+)", seeded).group(1)
    base = f"http://127.0.0.1:{free_port()}"
    server = subprocess.Popen(
        ["sh", "scripts/serve.sh"],
        cwd=PROJECT,
        env={**env, "BIND": base.removeprefix("http://")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: gunicorn and the worker stop with it
    )
    statuses: list[int] = []
    confirmed: list[bool] = []
    try:
        wait_for(f"{base}/healthz")
        barrier = threading.Barrier(RESPONDENTS)

        def respondent() -> None:
            barrier.wait(timeout=30)
            confirmed.append(answer_the_survey(base, link, statuses))

        threads = [threading.Thread(target=respondent) for _ in range(RESPONDENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=240)
        wait_for_the_worker(tmp_path / "demo.sqlite3")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)

    assert 503 not in statuses
    assert [s for s in statuses if s >= 500] == []
    assert confirmed == [True] * RESPONDENTS
    with sqlite3.connect(tmp_path / "demo.sqlite3") as db:
        tasks = db.execute(
            "SELECT status, traceback FROM django_tasks_database_dbtaskresult"
            " WHERE task_path LIKE '%refresh_analysis'"
        ).fetchall()
    # The worker analysed the round while respondents wrote, and no analysis failed.
    assert "SUCCESSFUL" in {status for status, _traceback in tasks}
    assert [trace for status, trace in tasks if status == "FAILED"] == []
