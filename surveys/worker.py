"""Leases for the database task queue: a task whose worker died goes to another worker.

django-tasks-db marks a task RUNNING when a worker claims it and never looks at it again, so
a worker killed mid-task (`kill -9`, the OOM killer, a lost container) leaves it RUNNING
for ever. Each `manage.py worker` says it is alive every third of TASK_LEASE_SECONDS; any
worker puts back in the queue a running task whose worker has been silent for longer. The
tasks themselves are safe to run twice (surveys.tasks marks each email in the transaction
that sends it), so a task taken over finishes the work without repeating it.
"""

import logging
import threading
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from surveys.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# A task that has killed this many workers is failed, not handed to another one.
MAX_TASK_ATTEMPTS = 3


class AbandonedTaskError(Exception):
    """The task's workers died running it too many times."""


def lease_duration() -> timedelta:
    return timedelta(seconds=settings.TASK_LEASE_SECONDS)


def beat(*, worker_id: str, now: datetime | None = None) -> None:
    """Record that this worker is alive."""
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id, defaults={"beat_at": now or timezone.now()}
    )


@transaction.atomic
def requeue_abandoned_tasks(*, now: datetime | None = None) -> int:
    """Put back in the queue the running tasks whose worker is silent; return how many."""
    stale_before = (now or timezone.now()) - lease_duration()
    alive = set(
        WorkerHeartbeat.objects.filter(beat_at__gte=stale_before).values_list(
            "worker_id", flat=True
        )
    )
    # Claimed before the lease began: a worker that has just claimed a task is alive.
    running = (
        DBTaskResult.objects.running()
        .filter(started_at__lt=stale_before)
        .select_for_update(skip_locked=True)
    )
    requeued = 0
    for result in running:
        if result.worker_ids and result.worker_ids[-1] in alive:
            continue
        if len(result.worker_ids) >= MAX_TASK_ATTEMPTS:
            logger.error(
                "Task %s failed: its worker died %d times",
                result.id,
                len(result.worker_ids),
            )
            result.set_failed(
                AbandonedTaskError(
                    f"The worker running it stopped {len(result.worker_ids)} times."
                )
            )
            continue
        logger.warning(
            "Task %s (%s) lost its worker %s; queued again",
            result.id,
            result.task_path,
            result.worker_ids[-1] if result.worker_ids else "?",
        )
        result.status = TaskResultStatus.READY
        result.save(update_fields=["status"])
        requeued += 1
    WorkerHeartbeat.objects.filter(beat_at__lt=stale_before - lease_duration()).delete()
    return requeued


class Lease:
    """Keep a worker's lease: beat and recover abandoned tasks, now and then every so often."""

    def __init__(self, *, worker_id: str) -> None:
        self.worker_id = worker_id
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name="task-lease", daemon=True
        )

    def _tick(self) -> None:
        try:
            beat(worker_id=self.worker_id)
            requeue_abandoned_tasks()
        except DatabaseError:  # a busy or briefly absent database: try again next time
            logger.warning("Could not renew the task lease", exc_info=True)

    def _run(self) -> None:
        interval = settings.TASK_LEASE_SECONDS / 3
        try:
            while not self._stop.wait(interval):
                close_old_connections()
                self._tick()
        finally:
            connection.close()

    def start(self) -> None:
        """Beat and recover once before any task is claimed, then keep doing so."""
        self._tick()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        try:
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
        except DatabaseError:
            logger.warning("Could not remove the worker's heartbeat", exc_info=True)
