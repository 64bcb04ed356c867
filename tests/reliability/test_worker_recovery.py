"""A task worker killed mid-batch: another worker finishes the batch, nobody is emailed twice.

The real `manage.py worker` runs as a subprocess on the test database, writing emails to
files in a temporary directory; the test kills it with SIGKILL part-way through a batch of
invitations, starts a second worker, and counts the emails each address received.
"""

import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.tasks import TaskBackendHandler
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from surveys.models import Invitation, PartnershipMember, WorkerHeartbeat
from surveys.services.invitations import send_invitations
from surveys.worker import MAX_TASK_ATTEMPTS, requeue_abandoned_tasks
from tests.factories import (
    InstrumentFactory,
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    SurveyFactory,
)

LEASE_SECONDS = 1.5
PEOPLE = 12
DATABASE_TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
}


@pytest.fixture
def database_queue(monkeypatch) -> None:
    """Queue tasks in the database, as production does, instead of running them at once."""
    monkeypatch.setattr(
        "django.tasks.task_backends", TaskBackendHandler(DATABASE_TASKS)
    )


def worker_env(mail_dir: Path) -> dict[str, str]:
    db = connection.settings_dict
    url = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}"
        f"/{db['NAME']}"
    )
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "tests.reliability.worker_settings",
        "DJANGO_ENV_FILE": os.devnull,
        "DJANGO_SECRET_KEY": "worker-test-secret-key",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "TASK_LEASE_SECONDS": str(LEASE_SECONDS),
        "WORKER_TEST_MAIL_DIR": str(mail_dir),
        "WORKER_TEST_MAIL_SECONDS": "0.3",
    }


def start_worker(mail_dir: Path, worker_id: str, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "worker",
            "--worker-id",
            worker_id,
            "--interval",
            "0.1",
            "--no-startup-delay",
            "--no-reload",
            *extra,
        ],
        cwd=settings.BASE_DIR,
        env=worker_env(mail_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def wait_for(condition, *, worker: subprocess.Popen, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if worker.poll() is not None:
            pytest.fail(f"The worker stopped: {worker.stdout.read().decode()}")
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out waiting for {what}")
        time.sleep(0.05)


def emails_by_address(mail_dir: Path) -> Counter:
    """Count the messages in the file backend's files, by recipient."""
    text = "".join(p.read_text() for p in sorted(mail_dir.iterdir()))
    return Counter(re.findall(r"^To: (\S+)$", text, flags=re.MULTILINE))


def sent_count() -> int:
    return Invitation.objects.filter(sent_at__isnull=False).count()


@pytest.mark.django_db(transaction=True)
def test_a_batch_whose_worker_is_killed_is_finished_by_another_exactly_once(
    tmp_path, database_queue
):
    survey = SurveyFactory(
        partnership=PartnershipFactory(), instrument=InstrumentFactory()
    )
    organisation = OrganisationFactory()
    PartnershipMember.objects.add(
        partnership=survey.partnership, organisations=[organisation]
    )
    people = [
        InvitationFactory(survey=survey, organisation=organisation).email
        for _ in range(PEOPLE)
    ]
    lead = MembershipFactory(partnership=survey.partnership).user
    assert send_invitations(survey=survey, actor=lead) == PEOPLE
    [task] = DBTaskResult.objects.all()

    first = start_worker(tmp_path, "first")
    try:
        wait_for(
            lambda: sent_count() >= 4,
            worker=first,
            timeout=60,
            what="the first emails",
        )
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        first.kill()
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING  # what a dead worker leaves
    assert 4 <= sent_count() < PEOPLE

    time.sleep(LEASE_SECONDS + 0.5)  # the dead worker's lease runs out
    second = start_worker(tmp_path, "second", "--batch")
    output, _ = second.communicate(timeout=120)
    assert second.returncode == 0, output.decode()

    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert task.worker_ids == ["first", "second"]
    assert not DBTaskResult.objects.running().exists()
    assert sent_count() == PEOPLE
    assert emails_by_address(tmp_path) == Counter(dict.fromkeys(people, 1))


def running_task(worker_id: str, *, started_ago: float, attempts: int = 1):
    started = timezone.now() - timedelta(seconds=started_ago)
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="surveys.tasks.send_survey_emails",
        backend_name="default",
        run_after=started,
        started_at=started,
        worker_ids=[f"earlier-{n}" for n in range(attempts - 1)] + [worker_id],
    )


@pytest.mark.django_db
def test_only_tasks_of_silent_workers_are_queued_again(settings):
    settings.TASK_LEASE_SECONDS = 60
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="alive", beat_at=now)
    WorkerHeartbeat.objects.create(worker_id="dead", beat_at=now - timedelta(minutes=5))
    long_but_alive = running_task("alive", started_ago=600)
    abandoned = running_task("dead", started_ago=600)
    never_beat = running_task("vanished", started_ago=600)
    just_claimed = running_task("starting", started_ago=1)
    poison = running_task("dead", started_ago=600, attempts=MAX_TASK_ATTEMPTS)

    assert requeue_abandoned_tasks() == 2

    def status(task: DBTaskResult) -> str:
        task.refresh_from_db()
        return task.status

    assert status(long_but_alive) == TaskResultStatus.RUNNING
    assert status(abandoned) == TaskResultStatus.READY
    assert status(never_beat) == TaskResultStatus.READY
    assert status(just_claimed) == TaskResultStatus.RUNNING
    assert status(poison) == TaskResultStatus.FAILED  # it has killed workers enough
