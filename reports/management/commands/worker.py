"""`manage.py worker`: django_tasks_db's `db_worker` plus a heartbeat (reports/worker.py).

Takes the same options as `db_worker`. Use this one in `make run` and the systemd unit: with plain
`db_worker` nothing beats, /healthz reports the worker as missing, and a dead worker's reports are only
queued again STALE_AFTER after they started, when someone opens the report pages.
"""

import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from reports import worker


class Command(db_worker.Command):
    help = "Führt Hintergrundaufgaben (Berichte) aus und meldet regelmäßig, dass der Worker läuft."

    def handle(self, *args, reload, batch, worker_id, **options):
        if reload and not batch and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            # The autoreloader's parent process only restarts the child that runs the tasks: only the child beats.
            return super().handle(*args, reload=reload, batch=batch, worker_id=worker_id, **options)
        # The first beat comes before any task is claimed, so a sibling never mistakes this worker for a dead one.
        worker.forget_old_workers()
        worker.beat_and_rescue(worker_id)
        heartbeat = worker.Heartbeat(worker_id)
        heartbeat.start()
        try:
            return super().handle(*args, reload=reload, batch=batch, worker_id=worker_id, **options)
        finally:
            heartbeat.stop()
            heartbeat.join(timeout=5)
