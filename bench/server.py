"""Start gunicorn with the project's gunicorn.conf.py on a free loopback port, for a benchmark."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """Return a loopback port nobody is listening on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 120) -> None:
    """Return once `url` answers 200, or stop the benchmark after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:  # nosec B310 (loopback)
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer {url}")


@contextmanager
def gunicorn(
    *, extra_env: dict[str, str] | None = None, extra_args: list[str] | None = None
) -> Iterator[str]:
    """Serve the app under gunicorn as deployed (gunicorn.conf.py) and yield its base URL."""
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": host,
        **(extra_env or {}),
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "collab_survey.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--access-logfile",
            os.devnull,
            *(extra_args or []),
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_for(f"{host}/healthz")
        yield host
    finally:
        server.terminate()
        server.wait(timeout=60)
