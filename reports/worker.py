"""The task worker's heartbeat, and how it notices a dead sibling's reports by itself.

django_tasks_db's worker records which worker claimed a task (`worker_ids`), but not whether that
worker still lives: a report whose worker was killed (OOM, reboot, `kill -9`) stays "running". So each
worker (`manage.py worker`) renews a WorkerHeartbeat row every INTERVAL from a side thread – the
main thread may be busy rendering a PDF for two minutes – and, with the same beat, queues again the
reports of workers whose heartbeat stopped (`generation.requeue_stale`, with its MAX_ATTEMPTS).
No web request is needed; the report pages still call `requeue_stale` too, which is harmless.
"""

import logging
import os
import socket
import threading

from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone

from reports import generation
from reports.models import WorkerHeartbeat

logger = logging.getLogger(__name__)


def beat(worker_id: str) -> None:
    """Say that this worker is alive (creates its row on the first beat)."""
    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(last_seen=now)
    if not updated:
        WorkerHeartbeat.objects.create(
            worker_id=worker_id, host=socket.gethostname()[:255], pid=os.getpid(), started_at=now, last_seen=now
        )


def forget_old_workers() -> None:
    WorkerHeartbeat.objects.filter(last_seen__lt=timezone.now() - WorkerHeartbeat.FORGET_AFTER).delete()


def beat_and_rescue(worker_id: str) -> int:
    """One beat: renew our heartbeat, then queue again what dead siblings left running."""
    beat(worker_id)
    requeued = generation.requeue_stale()
    if requeued:
        logger.warning("Requeued %d report(s) of a worker that stopped.", requeued, extra={"worker_id": worker_id})
    return requeued


class Heartbeat(threading.Thread):
    """Beats every INTERVAL until stopped; a failed beat (database away) is logged and retried."""

    def __init__(self, worker_id: str, interval: float | None = None):
        super().__init__(name=f"heartbeat-{worker_id[:8]}", daemon=True)  # dies with the worker process
        self.worker_id = worker_id
        self.interval = WorkerHeartbeat.INTERVAL.total_seconds() if interval is None else interval
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(self.interval):
                self.beat_once()
        finally:
            connection.close()  # this thread's own connection

    def beat_once(self) -> None:
        close_old_connections()  # a connection the database dropped is replaced, not reused
        try:
            beat_and_rescue(self.worker_id)
        except DatabaseError:
            logger.exception(
                "Heartbeat failed; trying again in %s s.", self.interval, extra={"worker_id": self.worker_id}
            )

    def stop(self) -> None:
        self.stopped.set()
