"""`manage.py worker`: django-tasks-db's db_worker, with leases (surveys.worker)."""

from typing import Any

from django_tasks_db.management.commands import db_worker

from surveys.worker import Lease


class Command(db_worker.Command):
    help = (
        "Run the background tasks (emails, analyses) from the database queue; a task "
        "whose worker died is run again by another worker."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        lease = Lease(worker_id=options["worker_id"])
        lease.start()
        try:
            super().handle(*args, **options)
        finally:
            lease.stop()
