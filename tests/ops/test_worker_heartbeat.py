"""The worker's heartbeat, and how a living worker queues again what a dead sibling left running."""

import datetime
import time
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from reports import generation, periods, worker
from reports.models import Report, WorkerHeartbeat

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
DEAD = WorkerHeartbeat.DEAD_AFTER + datetime.timedelta(seconds=5)


def ago(delta: datetime.timedelta) -> datetime.datetime:
    return timezone.now() - delta


def heartbeat(worker_id: str, seen: datetime.datetime) -> WorkerHeartbeat:
    return WorkerHeartbeat.objects.create(worker_id=worker_id, host="srv", pid=1, started_at=seen, last_seen=seen)


def running_report(unit, worker_id: str, started: datetime.datetime, attempts: int = 1) -> Report:
    """A generated report set back to "running", as if `worker_id` had died while rendering it."""
    report = generation.generate_now(None, [unit], periods.year(2025))
    report.files.all().delete()
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.RUNNING, worker_id=worker_id, started_at=started, attempts=attempts
    )
    return report


# A real transaction: the worker claims tasks in its own transactions (as in tests/reports/test_worker.py).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_requeues_a_dead_siblings_report_without_any_request(unit_mo):
    heartbeat("dead-sibling", ago(DEAD))
    report = running_report(unit_mo, "dead-sibling", started=ago(datetime.timedelta(seconds=90)))

    with override_settings(TASKS=DATABASE_QUEUE):
        call_command("worker", "--batch", "--no-startup-delay", "--no-reload", "--worker-id", "w-new", verbosity=0)

    report.refresh_from_db()
    assert report.status == Report.Status.DONE and report.attempts == 2
    assert report.worker_id == "w-new"  # the claiming worker is recorded
    assert report.files.count() == 3
    assert WorkerHeartbeat.objects.get(worker_id="w-new").last_seen > ago(datetime.timedelta(seconds=60))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_heartbeat_thread_beats_and_rescues_on_its_own(unit_mo):
    heartbeat("dead-sibling", ago(DEAD))
    with override_settings(TASKS=DATABASE_QUEUE):
        report = Report.objects.create(
            scope="mo", period_kind="year", first_day=datetime.date(2025, 1, 1), last_day=datetime.date(2025, 12, 31)
        )
        Report.objects.filter(pk=report.pk).update(
            status=Report.Status.RUNNING, worker_id="dead-sibling", started_at=timezone.now(), attempts=1
        )
        thread = worker.Heartbeat("w-thread", interval=0.05)
        thread.start()
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not DBTaskResult.objects.exists():
                time.sleep(0.05)
        finally:
            thread.stop()
            thread.join(timeout=5)
    assert not thread.is_alive()
    report.refresh_from_db()
    assert report.status == Report.Status.QUEUED  # queued for the main loop, not generated in the thread
    assert DBTaskResult.objects.get().args_kwargs["args"] == [report.pk]
    assert WorkerHeartbeat.objects.filter(worker_id="w-thread").exists()


@pytest.mark.django_db
def test_a_beat_renews_the_row_and_keeps_start_and_process(unit_mo):
    worker.beat("w1")
    first = WorkerHeartbeat.objects.get(worker_id="w1")
    WorkerHeartbeat.objects.filter(pk=first.pk).update(last_seen=ago(DEAD))
    worker.beat("w1")
    again = WorkerHeartbeat.objects.get(worker_id="w1")
    assert again.last_seen > ago(datetime.timedelta(seconds=5)) and again.started_at == first.started_at
    assert WorkerHeartbeat.objects.count() == 1


@pytest.mark.django_db
def test_a_living_siblings_report_is_left_alone_however_long_it_takes(unit_mo):
    heartbeat("busy-sibling", timezone.now())
    report = running_report(unit_mo, "busy-sibling", started=ago(generation.STALE_AFTER * 3))
    assert worker.beat_and_rescue("w-me") == 0
    report.refresh_from_db()
    assert report.status == Report.Status.RUNNING and report.attempts == 1


@pytest.mark.django_db
def test_a_dead_siblings_report_is_requeued_at_once_not_after_stale_after(unit_mo):
    heartbeat("dead-sibling", ago(DEAD))
    report = running_report(unit_mo, "dead-sibling", started=ago(datetime.timedelta(seconds=70)))
    assert worker.beat_and_rescue("w-me") == 1  # the immediate backend of the tests generates it at once
    report.refresh_from_db()
    assert report.status == Report.Status.DONE and report.attempts == 2


@pytest.mark.django_db
def test_without_a_heartbeat_the_report_age_decides(unit_mo):
    young = running_report(unit_mo, "db-worker", started=ago(generation.STALE_AFTER / 2))
    assert worker.beat_and_rescue("w-me") == 0
    Report.objects.filter(pk=young.pk).update(started_at=ago(generation.STALE_AFTER * 2))
    assert worker.beat_and_rescue("w-me") == 1


@pytest.mark.django_db
def test_a_dead_siblings_report_gives_up_after_max_attempts(unit_mo):
    heartbeat("dead-sibling", ago(DEAD))
    report = running_report(
        unit_mo, "dead-sibling", started=ago(datetime.timedelta(seconds=70)), attempts=generation.MAX_ATTEMPTS
    )
    assert worker.beat_and_rescue("w-me") == 0
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED and "mehrfach abgebrochen" in report.error


@pytest.mark.django_db
def test_long_gone_workers_are_forgotten():
    heartbeat("gone", ago(WorkerHeartbeat.FORGET_AFTER + datetime.timedelta(hours=1)))
    heartbeat("recent", ago(DEAD))
    worker.forget_old_workers()
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["recent"]


@pytest.mark.django_db
def test_a_failed_beat_is_logged_and_the_thread_goes_on(caplog):
    thread = worker.Heartbeat("w-flaky", interval=0)
    with (
        mock.patch("reports.worker.close_old_connections"),
        mock.patch("reports.worker.beat_and_rescue", side_effect=[worker.DatabaseError("gone"), 0]) as beats,
    ):
        thread.beat_once()
        thread.beat_once()
    assert beats.call_count == 2
    assert "Heartbeat failed" in caplog.text


def test_the_autoreloaders_parent_does_not_beat():
    """Under --reload only the child process runs tasks; a beating parent would hide a dead child."""
    from reports.management.commands.worker import Command

    with (
        mock.patch("reports.worker.beat_and_rescue") as beats,
        mock.patch("django_tasks_db.management.commands.db_worker.Command.handle") as parent_handle,
        mock.patch.dict("os.environ", {}, clear=False) as environ,
    ):
        environ.pop("RUN_MAIN", None)
        Command().handle(reload=True, batch=False, worker_id="w-parent", verbosity=0)
    assert parent_handle.called and not beats.called
