"""PostgreSQL really goes away mid-journey: "try again" for the respondent, nothing lost or half-written.

The test runs its own throwaway PostgreSQL server (Debian's initdb and pg_ctl, on a spare port)
so that it can stop and restart it, and points Django's default connection at it.
"""

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import close_old_connections, connection, connections
from django.test import Client

from surveys.journey import Step, build_steps
from surveys.models import Answer, Comment, Response
from surveys.services import responses
from tests.conftest import build_survey_setup, load_default_instrument
from tests.reliability.test_concurrency import DIGEST
from tests.surveys.test_respondent import check_url, page_url, start, valid_data


def find_server_binaries() -> Path | None:
    """Return the newest directory holding initdb and pg_ctl, or None."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).parent)
    return next(
        (d for d in candidates if (d / "initdb").exists() and (d / "pg_ctl").exists()),
        None,
    )


PG_BIN = find_server_binaries()

pytestmark = pytest.mark.skipif(
    PG_BIN is None,
    reason="PostgreSQL server binaries (initdb, pg_ctl) not found in /usr/lib/postgresql/*/bin or on PATH",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ScratchServer:
    """A throwaway PostgreSQL server in a temporary directory, that can be stopped and started."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.port = free_port()
        # PostgreSQL refuses to run as root: run it as the postgres user, who must own its
        # files (in /tmp, which that user can reach whatever TMPDIR says).
        as_root = os.geteuid() == 0
        self.as_user = ["runuser", "-u", "postgres", "--"] if as_root else []
        self.root = Path(
            tempfile.mkdtemp(prefix="collab-outage-", dir="/tmp" if as_root else None)
        )
        if as_root:
            shutil.chown(self.root, "postgres", "postgres")

    def _run(self, program: str, *args: str) -> None:
        subprocess.run(
            [*self.as_user, str(self.bindir / program), *args],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def init(self) -> None:
        self._run(
            "initdb",
            *("-D", str(self.root / "data"), "-U", "postgres", "-A", "trust"),
            *("-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"),
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            "pg_ctl",
            *("-D", str(self.root / "data"), "-l", str(self.root / "server.log")),
            *("-o", options, "-w", "-t", "30", "start"),
        )

    def stop(self, mode: str = "fast") -> None:
        self._run(
            "pg_ctl",
            *("-D", str(self.root / "data"), "-m", mode, "-w", "-t", "30", "stop"),
        )

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop(mode="immediate")
        shutil.rmtree(self.root, ignore_errors=True)


class ServerLikeClient(Client):
    """A test client that lets Django drop broken or stale connections around each request.

    Django's WSGI handler does this on request_started and request_finished (which is how an
    app under gunicorn recovers after a database restart); the test client switches it off.
    """

    def request(self, **request):
        close_old_connections()
        try:
            return super().request(**request)
        finally:
            close_old_connections()


@pytest.fixture
def scratch_server(django_db_blocker) -> Iterator[ScratchServer]:
    """Start a scratch server, migrate it, and make it Django's default database meanwhile."""
    server = ScratchServer(PG_BIN)
    original = connections["default"]
    scratch = type(original)(
        {
            **original.settings_dict,
            "NAME": "postgres",
            "USER": "postgres",
            "PASSWORD": "",
            "HOST": "127.0.0.1",
            "PORT": str(server.port),
        },
        alias="default",
    )
    try:
        server.init()
        server.start()
        with django_db_blocker.unblock():
            connections["default"] = scratch
            ContentType.objects.clear_cache()
            call_command("migrate", verbosity=0, interactive=False)
            yield server
    finally:
        scratch.close()
        connections["default"] = original
        ContentType.objects.clear_cache()
        server.remove()


def answers_on(response: Response, step: Step) -> dict[int, int | None]:
    return dict(
        Answer.objects.filter(
            response=response, item__in=step.items, subject_organisation=step.subject
        ).values_list("item_id", "value")
    )


def assert_try_again_page(page) -> None:
    html = page.content.decode()
    assert page.status_code == 503
    assert int(page["Retry-After"]) > 0
    assert "Sorry, there is a problem with the service" in html
    assert "Try again later" in html
    assert "govuk-template" in html  # the site's own layout, not a server's bare error
    for detail in ("Traceback", "OperationalError", "InterfaceError", "psycopg"):
        assert detail not in html
    assert str(connection.settings_dict["PORT"]) not in html


def test_a_database_outage_mid_journey_says_try_again_and_loses_nothing(
    scratch_server, monkeypatch
):
    setup = build_survey_setup(load_default_instrument())
    browser = ServerLikeClient(raise_request_exception=False)
    response = start(browser, setup.personal_link)
    steps = build_steps(response=response)
    first, second = steps[:2]
    first_answers = {**valid_data(first, "4"), "comment": "Start with the budget."}
    assert browser.post(page_url(response, first), first_answers).status_code == 302
    saved = answers_on(response, first)
    assert set(saved.values()) == {4}

    # A restart between two pages goes unnoticed: the idle persistent connection (settings'
    # CONN_MAX_AGE) is dead, and CONN_HEALTH_CHECKS replaces it before the next request uses it.
    used_before = connection.connection
    assert used_before is not None
    scratch_server.stop()
    scratch_server.start()
    assert browser.get(page_url(response, second)).status_code == 200
    assert connection.connection is not used_before

    # The database is down when the next page is sent.
    scratch_server.stop()
    assert_try_again_page(browser.post(page_url(response, second), valid_data(second)))
    assert_try_again_page(browser.get(f"/s/{setup.personal_link.token}/"))
    health = browser.get("/healthz")
    assert health.status_code == 503
    assert health.json()["status"] == "unavailable"

    # It goes away while the page is being written: its ratings are in, its comment is not.
    scratch_server.start()
    assert browser.get("/healthz").status_code == 200
    # (On PostgreSQL a page's ratings are written by prepared statements, replace_answers.)
    write_ratings = responses.replace_answers

    def write_ratings_then_lose_the_database(**kwargs):
        written = write_ratings(**kwargs)
        scratch_server.stop()
        return written

    with monkeypatch.context() as patch:
        patch.setattr(
            responses, "replace_answers", write_ratings_then_lose_the_database
        )
        page = browser.post(
            page_url(response, second),
            {**valid_data(second, "2"), "comment": "Half written"},
        )
    assert_try_again_page(page)
    assert browser.get("/healthz").status_code == 503

    # Back up: page 1 is as it was saved, page 2 left no trace, and the journey resumes there.
    scratch_server.start()
    assert browser.get("/healthz").status_code == 200
    resumed = browser.get(f"/s/{setup.personal_link.token}/")
    assert resumed.status_code == 302
    assert resumed["Location"] == page_url(response, second)
    assert answers_on(response, first) == saved
    assert Comment.objects.get(response=response).text == "Start with the budget."
    assert answers_on(response, second) == {}

    for step in steps[1:]:
        assert (
            browser.post(page_url(response, step), valid_data(step)).status_code == 302
        )
    digest = DIGEST.search(browser.get(check_url(response)).content.decode()).group(1)
    done = browser.post(check_url(response), {"digest": digest})
    assert done.status_code == 302
    assert "Answers submitted" in browser.get(done["Location"]).content.decode()
    response.refresh_from_db()
    assert response.is_submitted
    assert answers_on(response, first) == saved
    assert set(answers_on(response, second).values()) == {4}
