"""Every way the app is served runs gunicorn's threaded workers from gunicorn.conf.py."""

import re
import runpy
from pathlib import Path

from django.conf import settings

PROJECT = Path(settings.BASE_DIR)
# What bench/slow_clients.py puts in flight at once, plus the respondent it times.
SLOW_CLIENTS, PDFS = 8, 6


def test_gunicorn_conf_runs_threaded_workers_with_room_beside_slow_clients(monkeypatch):
    for name in ("GUNICORN_WORKERS", "GUNICORN_THREADS", "GUNICORN_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    conf = runpy.run_path(str(PROJECT / "gunicorn.conf.py"))
    assert conf["worker_class"] == "gthread"
    assert conf["workers"] * conf["threads"] > SLOW_CLIENTS + PDFS
    assert conf["timeout"] >= 30  # a board pack takes seconds to draw
    assert conf["keepalive"] <= 10  # idle connections give their slot back soon


def test_no_command_overrides_the_worker_settings():
    commands = [
        (PROJECT / "Dockerfile").read_text(),
        (PROJECT / "docker-compose.yml").read_text(),
        (PROJECT / "scripts" / "serve.sh").read_text(),
    ]
    for text in commands:
        assert "gunicorn" in text
        assert not re.search(r"--workers|--worker-class|--threads|\s-w\s|\s-k\s", text)
