"""Production settings come from the environment and pass Django's deployment checks."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings

PROJECT = Path(settings.BASE_DIR)
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_ALLOWED_HOSTS": "collab-survey.example.org",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.org:587",
    "DATABASE_URL": "postgres://collab:collab@127.0.0.1:5432/collab",
    "PRIVACY_CONTROLLER": "Northshire Integrated Care Board",
    "SERVICE_CONTACT_EMAIL": "collaboration@northshire-icb.example.org",
    "PRIVACY_DPO_EMAIL": "dpo@northshire-icb.example.org",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # A clean environment, and no .env: only what a deployment would set.
    clean = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env={**clean, **env, "DJANGO_ENV_FILE": os.devnull},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_check_deploy_is_clean_with_production_variables():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={**PRODUCTION_ENV, "DJANGO_SECRET_KEY": secrets.token_urlsafe(50)},
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_a_missing_secret_key_fails_loudly_when_debug_is_off():
    result = manage("check", env=PRODUCTION_ENV)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_check_deploy_refuses_a_privacy_notice_that_names_nobody():
    unnamed = {k: v for k, v in PRODUCTION_ENV.items() if not k.startswith("PRIVACY_")}
    result = manage(
        "check",
        "--deploy",
        env={**unnamed, "DJANGO_SECRET_KEY": secrets.token_urlsafe(50)},
    )
    assert result.returncode != 0
    assert "PRIVACY_CONTROLLER is not set" in result.stderr
    assert "PRIVACY_DPO_EMAIL is not set" in result.stderr
