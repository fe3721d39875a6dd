"""Downloads of a list's filtered rows: `<list>/export/csv/` (streamed) and `<list>/export/xlsx/`."""

import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.utils import timezone, translation
from django.views.decorators.http import require_GET

from casework import access
from casework.audit.log import record
from casework.audit.models import AccessEvent

from .lists import CHUNK_SIZE, LISTS
from .writers import csv_chunks, xlsx_file

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
DETAIL_VALUE_MAX = 40


def _detail_value(value) -> str:
    if isinstance(value, datetime.date):
        return f"{value:%d.%m.%Y}"
    if isinstance(value, Model):
        return str(value.pk)
    if isinstance(value, list | tuple | QuerySet):
        return ",".join(_detail_value(item) for item in value)
    return str(value)[:DETAIL_VALUE_MAX]


def log_detail(export_list, fmt: str, form) -> str:
    """ "Beratungen (CSV); Filter: unit=1, date_from=01.01.2026, q=…": free text and people only as set."""
    cleaned = getattr(form, "cleaned_data", None) or {}
    active = [
        f"{name}={'…' if name in export_list.private_fields else _detail_value(value)}"
        for name, value in cleaned.items()
        if value not in (None, "", [], ())
    ]
    return f"{export_list.title} ({fmt.upper()}); Filter: {', '.join(active) or '–'}"


def _german(function, *args):
    """The access log reads in German whatever language the person uses."""
    with translation.override("de"):
        return function(*args)


@login_required
@require_GET
def list_export(request, fmt, list_name):
    if fmt not in CONTENT_TYPES:
        raise Http404
    export_list = LISTS[list_name]
    if list_name == "events" and not access.is_member(request.user):
        raise PermissionDenied  # as the event list
    form, queryset = export_list.rows(request)
    columns = export_list.columns(request)
    record(
        AccessEvent.Kind.EXPORT,
        request=request,
        target_kind="list",
        target_id=list_name,
        detail=_german(log_detail, export_list, fmt, form),
    )
    # One query per chunk (and one per prefetched relation): the count of queries does not grow with rows.
    records = queryset.iterator(chunk_size=CHUNK_SIZE)
    name = f"{export_list.slug}-{timezone.localdate():%Y-%m-%d}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(csv_chunks(records, columns), content_type=CONTENT_TYPES["csv"])
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    file = xlsx_file(records, columns, title=str(export_list.title))
    return FileResponse(file, as_attachment=True, filename=name, content_type=CONTENT_TYPES["xlsx"])
