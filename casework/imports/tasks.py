"""Running an uploaded file's import: in the request for small files, in the task worker for large ones.

An upload is claimed with one conditional UPDATE (draft → queued or running), so a second click, a second tab
or a retried task finds nothing to do: a file is imported once.
"""

import datetime
import logging

from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from casework.imports.engine import ImportRefused, dry_run, run_import
from casework.imports.kinds import KINDS
from casework.imports.models import ImportUpload
from casework.imports.reading import ImportFileError, read_table

logger = logging.getLogger(__name__)

BACKGROUND_ABOVE_ROWS = 500
UPLOADS_KEPT = datetime.timedelta(days=7)
FINISHED_KEPT = datetime.timedelta(days=1)  # long enough for the status page to lead on
PROGRESS_EVERY_ROWS = 100
Status = ImportUpload.Status


def _arguments(upload) -> dict:
    return {
        "kind": KINDS[upload.kind],
        "table": read_table(bytes(upload.data), upload.filename),
        "mapping": {int(index): key for index, key in upload.mapping.items() if key},
        "value_map": upload.value_map,
        "unit": upload.unit,
        "user": upload.owner,
    }


def plan_of(upload, progress=None) -> dict:
    """The dry run of an upload as stored on it (JSON): counts, ok, and per row status, label and errors."""
    plan = dry_run(**_arguments(upload), progress=progress)
    return {
        "counts": {status: plan.counts.get(status, 0) for status in ("new", "update", "unchanged", "error")},
        "ok": plan.ok,
        "rows": [
            {
                "number": row.number,
                "status": row.status,
                "label": row.label,
                "note": getattr(row, "note", ""),
                "errors": [[error.column, error.message] for error in row.errors],
            }
            for row in plan.rows
        ],
    }


def claim(upload, *, background: bool) -> bool:
    """Start the upload's import once; False if it has been started already."""
    return bool(
        ImportUpload.objects.filter(pk=upload.pk, status=Status.DRAFT).update(
            status=Status.QUEUED if background else Status.RUNNING,
            error="",
            progress_done=0,
            progress_total=upload.row_count,
            updated_at=timezone.now(),
        )
    )


def claim_plan(upload) -> bool:
    """Start the dry run of a large upload in the worker once; False if it is being checked already."""
    return bool(
        ImportUpload.objects.filter(pk=upload.pk, status=Status.DRAFT).update(
            status=Status.PLANNING,
            error="",
            plan=None,
            progress_done=0,
            progress_total=upload.row_count,
            updated_at=timezone.now(),
        )
    )


@task()
def plan_upload(upload_id: int) -> None:
    """The dry run of a large file, in the worker; the upload returns to draft with its plan (or why not)."""
    upload = ImportUpload.objects.select_related("unit", "owner").filter(pk=upload_id, status=Status.PLANNING).first()
    if upload is None:
        return

    def progress(done, total):  # the dry run writes nothing: this connection's updates are seen at once
        ImportUpload.objects.filter(pk=upload_id).update(progress_done=done, progress_total=total)

    plan, error = None, ""
    try:
        plan = plan_of(upload, progress=progress)
    except (ImportRefused, ImportFileError) as refusal:
        error = refusal.message
    except Exception:
        logger.exception("Dry run of upload %s failed.", upload_id)
        error = _("Die Probe ist fehlgeschlagen; bitte erneut versuchen.")
    ImportUpload.objects.filter(pk=upload_id, status=Status.PLANNING).update(
        status=Status.DRAFT, plan=plan, error=error, updated_at=timezone.now()
    )


@task()
def run_upload(upload_id: int) -> None:
    if ImportUpload.objects.filter(pk=upload_id, status=Status.QUEUED).update(
        status=Status.RUNNING, updated_at=timezone.now()
    ):
        execute(upload_id)


def execute(upload_id: int) -> None:
    """Import a claimed (running) upload, all or nothing, and record the outcome on it."""
    upload = ImportUpload.objects.select_related("unit", "owner").get(pk=upload_id)
    reporter = ProgressReporter(upload_id)
    try:
        run = run_import(**_arguments(upload), filename=upload.filename, sha256=upload.sha256, progress=reporter.report)
    except ImportRefused as refusal:
        # The records changed since the dry run: back to the dry run, which shows why.
        _finish(upload_id, status=Status.DRAFT, error=refusal.message, plan=None)
        return
    except ImportFileError as error:
        _finish(upload_id, status=Status.FAILED, error=error.message)
        return
    except Exception:
        logger.exception("Import of upload %s failed.", upload_id)
        _finish(upload_id, status=Status.FAILED, error=_("Der Import ist fehlgeschlagen; es wurde nichts geändert."))
        return
    finally:
        reporter.close()
    # The file is not needed any more once its records are in.
    _finish(upload_id, status=Status.DONE, run=run, data=b"", plan=None, progress_done=upload.row_count)


def _finish(upload_id, **values):
    ImportUpload.objects.filter(pk=upload_id).update(updated_at=timezone.now(), **values)


class ProgressReporter:
    """Writes the progress where the status page can read it while the import's transaction is open.

    The import runs in one transaction, so its own connection's writes stay invisible until the end; the
    progress goes through a second connection. SQLite allows one writer at a time (the import holds the
    lock), so there the status page shows only "läuft" until the import is done.
    """

    def __init__(self, upload_id):
        self.upload_id = upload_id
        self.connection = None
        self.last = 0
        if connections["default"].vendor != "sqlite":
            self.connection = connections.create_connection("default")

    def report(self, done: int, total: int) -> None:
        if self.connection is None or (done - self.last < PROGRESS_EVERY_ROWS and done < total):
            return
        self.last = done
        table = ImportUpload._meta.db_table
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET progress_done = %s, progress_total = %s WHERE id = %s",  # noqa: S608 - our table
                    [done, total, self.upload_id],
                )
        except Exception:  # the progress is a courtesy; the import goes on
            logger.warning("Could not record the progress of upload %s.", self.upload_id, exc_info=True)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


def remove_old_uploads() -> int:
    """Drop finished uploads after a day and any upload after UPLOADS_KEPT (the files hold personal data)."""
    now = timezone.now()
    finished = ImportUpload.objects.filter(status=Status.DONE, updated_at__lt=now - FINISHED_KEPT)
    stale = ImportUpload.objects.filter(created_at__lt=now - UPLOADS_KEPT)
    return finished.delete()[0] + stale.delete()[0]
