"""The import screens: upload, column mapping, catalogue values, dry run, import, progress, history, undo.

For coordinators of a unit (and administrators). An upload is seen only by the person who uploaded it;
the history shows the imports of the person's units.
"""

import datetime
import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casework import access
from casework.access import Action, parse_pk
from casework.imports import tasks
from casework.imports.engine import ImportRefused, UndoRefused, undo_import
from casework.imports.forms import ColumnMappingForm, SavedMappingForm, UploadForm, ValueMappingForm
from casework.imports.kinds import KINDS
from casework.imports.mapping import catalogue_options, guess_mapping, unmatched_values
from casework.imports.models import ImportMapping, ImportRun, ImportUpload
from casework.imports.reading import ImportFileError, read_table
from casework.imports.template import template_xlsx
from casework.ui.pagination import paginate

# Undoing an import deletes records: importing takes the right to delete in the unit (coordinators, admins).
IMPORT_ACTION = Action.DELETE
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_VALUES_SHOWN = 100
STATUS_ORDER = {"error": 0, "new": 1, "update": 2, "unchanged": 3}


def _import_units(user):
    units = list(access.units_for(user, IMPORT_ACTION).order_by("pk"))
    if not units:
        raise PermissionDenied
    return units


def _get_upload(request, pk) -> ImportUpload:
    """The person's own upload in a unit they still import for; 404 for anyone else's."""
    unit_ids = [unit.pk for unit in _import_units(request.user)]
    upload = (
        ImportUpload.objects.select_related("unit")
        .filter(pk=parse_pk(pk), owner=request.user, unit_id__in=unit_ids)
        .first()
    )
    if upload is None:
        raise Http404
    return upload


def _get_run(request, pk) -> ImportRun:
    unit_ids = [unit.pk for unit in _import_units(request.user)]
    run = ImportRun.objects.select_related("unit").filter(pk=parse_pk(pk), unit_id__in=unit_ids).first()
    if run is None:
        raise Http404
    return run


def _draft_or_status(upload):
    """A started upload is not changed any more: its steps lead to the status page."""
    if upload.status != ImportUpload.Status.DRAFT:
        return redirect("casework:import_status", pk=upload.pk)
    return None


# --- Start: choose the kind, download the template, upload a file ------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request):
    units = _import_units(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, units=units)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        data = file.read()
        try:
            table = read_table(data, file.name)
        except ImportFileError as error:
            form.add_error("file", error.message)
        else:
            tasks.remove_old_uploads()
            kind = KINDS[form.cleaned_data["kind"]]
            guessed = guess_mapping(kind, table.headers)
            upload = ImportUpload.objects.create(
                owner=request.user,
                unit=form.cleaned_data["unit"],
                kind=kind.key,
                filename=file.name[:255],
                sha256=hashlib.sha256(data).hexdigest(),
                data=data,
                row_count=len(table.rows),
                mapping={str(index): key for index, key in guessed.items() if key},
            )
            return redirect("casework:import_mapping", pk=upload.pk)
    context = {"form": form, "kinds": KINDS.values(), "units": units}
    return render(request, "casework/imports/start.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def import_template(request, kind):
    units = _import_units(request.user)
    unit = access.unit_among(units, request.GET.get("unit"))
    import_kind = KINDS.get(kind)
    if import_kind is None:
        raise Http404
    response = HttpResponse(template_xlsx(import_kind, unit), content_type=XLSX)
    filename = f"vorlage-{import_kind.key}-{unit.code}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Column mapping ------------------------------------------------------------------------------


def _table(upload):
    return read_table(bytes(upload.data), upload.filename)


def _mapping(upload) -> dict[int, str | None]:
    return {int(index): key for index, key in upload.mapping.items() if key}


def _saved_mappings(upload):
    return ImportMapping.objects.filter(unit=upload.unit, kind=upload.kind)


@login_required
@require_http_methods(["GET", "POST"])
def import_mapping(request, pk):
    upload = _get_upload(request, pk)
    if started := _draft_or_status(upload):
        return started
    kind = KINDS[upload.kind]
    table = _table(upload)
    form = ColumnMappingForm(
        request.POST or None,
        kind=kind,
        headers=table.headers,
        initial_mapping=_mapping(upload),
        initial={"save_as": upload.saved_mapping.name if upload.saved_mapping else ""},
    )
    if request.method == "POST" and form.is_valid():
        mapping = form.mapping()
        upload.mapping = {str(index): key for index, key in mapping.items() if key}
        upload.plan = None
        if name := form.cleaned_data["save_as"].strip():
            columns = {table.headers[index]: key for index, key in mapping.items() if key}
            upload.saved_mapping, _created = ImportMapping.objects.update_or_create(
                unit=upload.unit,
                kind=upload.kind,
                name=name,
                defaults={"columns": columns, "created_by": request.user},
            )
            messages.success(request, _("Die Zuordnung „%(name)s“ wurde gespeichert.") % {"name": name})
        upload.save(update_fields=["mapping", "plan", "saved_mapping", "updated_at"])
        return redirect("casework:import_values", pk=upload.pk)
    saved = _saved_mappings(upload)
    context = {
        "upload": upload,
        "kind": kind,
        "form": form,
        "columns": list(zip(form.column_fields(), _samples(table), strict=True)),
        "saved_form": SavedMappingForm(mappings=saved) if saved.exists() else None,
    }
    return render(request, "casework/imports/mapping.html", context, status=400 if form.errors else 200)


def _samples(table, count=3):
    """The first values of each column, as the person wrote them, to recognise it."""
    columns = [[] for _header in table.headers]
    for row in table.rows:
        for index, value in enumerate(row.values[: len(columns)]):
            if value not in (None, "") and len(columns[index]) < count:
                columns[index].append(_shown(value))
        if all(len(column) == count for column in columns):
            break
    return columns


def _shown(value) -> str:
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return formats.localize(value)


@login_required
@require_POST
def import_mapping_apply(request, pk):
    """Take over a saved mapping: its columns by header, and the catalogue values chosen with it."""
    upload = _get_upload(request, pk)
    if started := _draft_or_status(upload):
        return started
    form = SavedMappingForm(request.POST, mappings=_saved_mappings(upload))
    if not form.is_valid():
        messages.error(request, _("Bitte eine gespeicherte Zuordnung wählen."))
        return redirect("casework:import_mapping", pk=upload.pk)
    saved = form.cleaned_data["saved"]
    headers = _table(upload).headers
    upload.mapping = {
        str(index): saved.columns[header] for index, header in enumerate(headers) if header in saved.columns
    }
    upload.value_map = saved.value_map
    upload.saved_mapping = saved
    upload.plan = None
    upload.save(update_fields=["mapping", "value_map", "saved_mapping", "plan", "updated_at"])
    messages.success(request, _("Die Zuordnung „%(name)s“ wurde übernommen.") % {"name": saved.name})
    return redirect("casework:import_mapping", pk=upload.pk)


# --- Catalogue values ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def import_values(request, pk):
    upload = _get_upload(request, pk)
    if started := _draft_or_status(upload):
        return started
    kind = KINDS[upload.kind]
    unmatched = unmatched_values(
        kind=kind, table=_table(upload), mapping=_mapping(upload), unit=upload.unit, user=request.user
    )
    if not unmatched:
        return redirect("casework:import_preview", pk=upload.pk)
    # A page of selects at most: the values not chosen yet first (the rest on the next visit of this page).
    chosen = upload.value_map
    unmatched.sort(key=lambda item: item.key in chosen.get(item.field, {}))
    more = max(len(unmatched) - MAX_VALUES_SHOWN, 0)
    unmatched = unmatched[:MAX_VALUES_SHOWN]
    fields = {item.field for item in unmatched}
    form = ValueMappingForm(
        request.POST or None,
        unmatched=unmatched,
        field_labels={field.key: field.label for field in kind.fields},
        options={
            key: catalogue_options(kind=kind, field_key=key, unit=upload.unit, user=request.user) for key in fields
        },
        initial_map=upload.value_map,
    )
    if request.method == "POST" and form.is_valid():
        upload.value_map = form.merged_into(upload.value_map)
        upload.plan = None
        upload.save(update_fields=["value_map", "plan", "updated_at"])
        if saved := upload.saved_mapping:  # remembered for the next file
            saved.value_map = form.merged_into(saved.value_map)
            saved.save(update_fields=["value_map", "updated_at"])
        return redirect("casework:import_preview", pk=upload.pk)
    context = {"upload": upload, "kind": kind, "form": form, "more": more}
    return render(request, "casework/imports/values.html", context)


# --- Dry run and import --------------------------------------------------------------------------


@login_required
@require_GET
def import_preview(request, pk):
    upload = _get_upload(request, pk)
    if started := _draft_or_status(upload):
        return started
    if (upload.plan is None or request.GET.get("neu")) and upload.row_count > tasks.BACKGROUND_ABOVE_ROWS:
        # A large file is checked in the worker; the status page leads back here when the plan is there.
        if tasks.claim_plan(upload):
            tasks.plan_upload.enqueue(upload.pk)
        return redirect("casework:import_status", pk=upload.pk)
    if upload.plan is None or request.GET.get("neu"):
        try:
            upload.plan = tasks.plan_of(upload)
        except ImportRefused as refusal:  # e.g. a required column not mapped
            messages.error(request, refusal.message)
            return redirect("casework:import_mapping", pk=upload.pk)
        upload.save(update_fields=["plan", "updated_at"])
    rows = sorted(upload.plan["rows"], key=lambda row: (STATUS_ORDER.get(row["status"], 9), row["number"]))
    only_errors = request.GET.get("nur") == "fehler"
    if only_errors:
        rows = [row for row in rows if row["status"] == "error"]
    context = {
        "upload": upload,
        "kind": KINDS[upload.kind],
        "counts": upload.plan["counts"],
        "ok": upload.plan["ok"],
        "page": paginate(request, rows),
        "only_errors": only_errors,
        "background": upload.row_count > tasks.BACKGROUND_ABOVE_ROWS,
    }
    return render(request, "casework/imports/preview.html", context)


@login_required
@require_POST
def import_confirm(request, pk):
    """Start the import once: a second POST (double click, second tab) finds it started and shows its status."""
    upload = _get_upload(request, pk)
    if started := _draft_or_status(upload):
        messages.info(request, _("Dieser Import wurde bereits gestartet."))
        return started
    if not (upload.plan and upload.plan["ok"]):
        messages.error(request, _("Importiert wird erst, wenn die Probe keine Fehler mehr zeigt."))
        return redirect("casework:import_preview", pk=upload.pk)
    background = upload.row_count > tasks.BACKGROUND_ABOVE_ROWS
    if not tasks.claim(upload, background=background):  # a parallel request was first
        messages.info(request, _("Dieser Import wurde bereits gestartet."))
        return redirect("casework:import_status", pk=upload.pk)
    if background:
        # The queue row is written at once (autocommit): the worker finds the upload claimed and waiting.
        tasks.run_upload.enqueue(upload.pk)
        return redirect("casework:import_status", pk=upload.pk)
    tasks.execute(upload.pk)
    return _finished(request, upload)


def _finished(request, upload):
    upload.refresh_from_db()
    if upload.status == ImportUpload.Status.DONE:
        counts = upload.run.counts if upload.run else {}
        messages.success(
            request,
            _("„%(file)s“ wurde importiert: %(new)d neu, %(update)d aktualisiert, %(unchanged)d unverändert.")
            % {
                "file": upload.filename,
                "new": counts.get("new", 0),
                "update": counts.get("update", 0),
                "unchanged": counts.get("unchanged", 0),
            },
        )
        return redirect("casework:import_history")
    messages.error(request, upload.error or _("Der Import ist fehlgeschlagen; es wurde nichts geändert."))
    if upload.status == ImportUpload.Status.DRAFT:
        return redirect("casework:import_preview", pk=upload.pk)
    return redirect("casework:import_status", pk=upload.pk)


@login_required
@require_GET
def import_status(request, pk):
    upload = _get_upload(request, pk)
    return render(request, "casework/imports/status.html", {"upload": upload, "state": _state(upload)})


@never_cache
@login_required
@require_GET
def import_progress(request, pk):
    """The status as JSON, for static/js/imports.js."""
    return JsonResponse(_state(_get_upload(request, pk)))


def _state(upload) -> dict:
    Status = ImportUpload.Status
    total = upload.progress_total or upload.row_count
    if upload.status == Status.DONE:
        next_url = reverse("casework:import_history")
    elif upload.status == Status.DRAFT:
        next_url = reverse("casework:import_preview", kwargs={"pk": upload.pk})
    else:
        next_url = ""
    return {
        "status": upload.status,
        "label": upload.get_status_display(),
        "done": upload.progress_done,
        "total": total,
        "percent": round(100 * upload.progress_done / total) if total else 0,
        "finished": upload.status in (Status.DRAFT, Status.DONE, Status.FAILED),
        # Led on by itself unless there is something to read first.
        "redirect": bool(next_url) and not upload.error,
        "error": upload.error,
        "next": next_url,
    }


# --- History and undo ----------------------------------------------------------------------------


@login_required
@require_GET
def import_history(request):
    units = _import_units(request.user)
    runs = ImportRun.objects.filter(unit__in=units).select_related("unit").order_by("-created_at", "-id")
    context = {"page": paginate(request, runs), "kinds": KINDS, "several_units": len(units) > 1}
    return render(request, "casework/imports/history.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def import_undo(request, pk):
    run = _get_run(request, pk)
    if request.method == "POST":
        try:
            undo_import(run=run, user=request.user)
        except UndoRefused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, _("Der Import „%(file)s“ wurde rückgängig gemacht.") % {"file": run.filename})
        return redirect("casework:import_history")
    return render(request, "casework/imports/undo_confirm.html", {"run": run, "kind": KINDS.get(run.kind)})
