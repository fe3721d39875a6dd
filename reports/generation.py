"""Requesting, generating and archiving reports; the background task only calls `generate()`.

A report is claimed with one conditional UPDATE, so a second worker (or a retried task) finds
nothing to do: generating the same report twice is harmless. A report whose worker died stays
"running"; `requeue_stale()` queues it again, up to MAX_ATTEMPTS: at once when the worker's heartbeat
has stopped (a living worker checks this every few seconds, reports/worker.py), after STALE_AFTER when
the worker kept no heartbeat (plain `db_worker`, the command line). The figures are frozen on the first
attempt, so a retry renders exactly the same report.
"""

import datetime
import logging

from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from casework.accounts import notify
from casework.ui.labels import person_label
from reports import exports, narrative, pdf
from reports.figures import report_figures, scope_code
from reports.models import Report, ReportFile, WorkerHeartbeat
from reports.periods import Period

logger = logging.getLogger(__name__)

RENDER_TIMEOUT_S = 120
RENDER_MEMORY_MB = 1024
STALE_AFTER = datetime.timedelta(seconds=RENDER_TIMEOUT_S + 180)
MAX_ATTEMPTS = 3
COMMAND_LINE = "Kommandozeile"


def period_of(report: Report) -> Period:
    return Period(report.period_kind, report.first_day, report.last_day)


def request_report(user, units, period: Period, **fields) -> Report:
    """Archive a new report request and queue its generation (the queue row commits with it).

    The Sachbericht's texts and title page are frozen now (reports/narrative.py): editing the draft
    afterwards changes neither this report nor a retry of its generation. `fields`: further Report fields.
    """
    with transaction.atomic():
        report = _new_report(user, units, period, **fields)
        narrative.freeze(report, units)
        enqueue(report)
    report.refresh_from_db()  # an immediate backend (tests, scripts) has generated it already
    return report


def _new_report(user, units, period: Period, **fields) -> Report:
    report = Report.objects.create(
        **fields,
        scope=scope_code(sorted(units, key=lambda u: u.pk)),
        period_kind=period.kind,
        first_day=period.first,
        last_day=period.last,
        requested_by=user,
        requested_by_name=person_label(user) if user else COMMAND_LINE,
    )
    report.units.set(units)
    return report


def enqueue(report: Report) -> None:
    from reports.tasks import generate_report  # the task module imports this one

    generate_report.enqueue(report.pk)


def claim(report_id: int, worker_id: str = "") -> bool:
    """Mark a queued report as running; False if it is not queued (done, failed or taken)."""
    return bool(
        Report.objects.filter(pk=report_id, status=Report.Status.QUEUED).update(
            status=Report.Status.RUNNING,
            started_at=timezone.now(),
            attempts=F("attempts") + 1,
            worker_id=worker_id,
        )
    )


def generate(report_id: int, worker_id: str = "") -> None:
    """Compute (or reuse the frozen) figures, render PDF, CSV and XLSX, archive them."""
    if not claim(report_id, worker_id):
        logger.info("Report %s is not queued; nothing to do.", report_id)
        return
    report = Report.objects.get(pk=report_id)
    try:
        if report.figures is None:
            units = list(report.units.order_by("pk"))
            figures = report_figures(
                units, period_of(report), generated_by=report.requested_by_name, variant=report.variant
            )
            figures["narrative"], figures["title_page"] = narrative.frozen_parts(report, units)
            report.figures = figures
            Report.objects.filter(pk=report.pk).update(figures=report.figures)
        files = render_files(report.figures, file_stem(report))
    except pdf.RenderError as error:
        _fail(report, str(error))
        return
    except Exception:
        logger.exception("Report %s failed", report_id)
        _fail(report, "Der Bericht konnte nicht erzeugt werden. Bitte später erneut versuchen.")
        raise
    with transaction.atomic():
        for fmt, content in files.items():
            ReportFile.objects.create(report=report, format=fmt, content=content)
        Report.objects.filter(pk=report.pk).update(status=Report.Status.DONE, finished_at=timezone.now(), error="")
    notify.report_ready(report)


def render_files(figures: dict, name: str) -> dict[str, bytes]:
    """The three renderings of the same figures; the PDF carries the CSV inside (PDF/A-3).

    The PDF renders in a child process while this one writes the XLSX.
    """
    csv = exports.to_csv(figures)
    logos = narrative.logo_images(figures.get("title_page"))
    html = render_to_string("reports/report_pdf.html", {"figures": figures, "logos": logos})
    job = pdf.PdfJob(
        html,
        title=f"Bericht {figures['meta']['scope_label']} – {figures['meta']['period']['label']}",
        attachments=[(f"{name}.csv", csv, "text/csv")],
        timeout_s=RENDER_TIMEOUT_S,
        memory_mb=RENDER_MEMORY_MB,
    )
    xlsx = exports.to_xlsx(figures)
    return {"pdf": job.result(), "csv": csv, "xlsx": xlsx}


def file_stem(report: Report) -> str:
    return f"Bericht_{report.scope}_{report.first_day.isoformat()}_{report.last_day.isoformat()}"


def _fail(report: Report, message: str) -> None:
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.FAILED, finished_at=timezone.now(), error=message[:300]
    )


def stale_reports(reports):
    """The running reports whose worker is gone.

    A worker that beats is alive: its reports are left alone however long they take, since a render
    ends by itself after RENDER_TIMEOUT_S. A worker whose heartbeat stopped is dead: its reports are stale
    at once. A worker that never kept a heartbeat (plain `db_worker`, the command line, a row forgotten
    after FORGET_AFTER) is judged by the report's age, as before heartbeats existed.
    """
    now = timezone.now()
    alive = WorkerHeartbeat.objects.alive(now).values("worker_id")
    known = WorkerHeartbeat.objects.values("worker_id")
    return (
        reports.filter(status=Report.Status.RUNNING)
        .exclude(worker_id__in=alive)
        .filter(Q(worker_id__in=known) | Q(started_at__lt=now - STALE_AFTER))
    )


def requeue_stale(reports=None) -> int:
    """Queue again the reports whose worker died (see `stale_reports`); give up after MAX_ATTEMPTS."""
    reports = Report.objects.all() if reports is None else reports
    stale = stale_reports(reports)
    count = 0
    for report in stale:
        if report.attempts >= MAX_ATTEMPTS:
            _fail(report, "Die Erzeugung ist mehrfach abgebrochen. Bitte den Bericht neu anfordern.")
            continue
        with transaction.atomic():
            # Conditional, so two pages noticing the same report queue it once.
            if Report.objects.filter(pk=report.pk, status=Report.Status.RUNNING).update(status=Report.Status.QUEUED):
                enqueue(report)
                count += 1
    return count


def generate_now(user, units, period: Period, **fields) -> Report:
    """For the command line: archive and generate in this process (no worker needed)."""
    with transaction.atomic():
        report = _new_report(user, units, period, **fields)
        narrative.freeze(report, units)
    generate(report.pk)
    report.refresh_from_db()
    return report
