"""Funder reports: choose, preview, generate in the background, download from the archive; targets."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casework import access
from casework.audit.log import record
from casework.audit.models import AccessEvent
from casework.concurrency import TOKEN_FIELD, create_once, new_token, save_or_refuse
from casework.ui.labels import person_label
from casework.ui.pagination import paginate
from reports import generation
from reports.figures import report_figures, year_actuals
from reports.forms import ReportForm, TargetsForm
from reports.models import FIRST_YEAR, LAST_YEAR, Report, ReportFile
from reports.targets import TargetSet

FORM_FIELDS = ("scope", "period_kind", "year", "half", "quarter", "first_day", "last_day", "variant")


def _invalid(request, form, units):
    """The report form again with its German error messages (nothing computed, nothing archived)."""
    return render(request, "reports/report_list.html", {"form": form, "page": None, "units": units}, status=400)


LIST_FIELDS = (
    "pk",
    "scope",
    "period_kind",
    "first_day",
    "last_day",
    "requested_by_name",
    "requested_at",
    "status",
    "error",
)


@login_required
@require_GET
def report_list(request):
    units = access.reporting_units(request.user)
    visible = access.reports_visible_to(request.user)
    generation.requeue_stale(visible)
    page = paginate(request, visible.prefetch_related("units").only(*LIST_FIELDS))
    form = ReportForm(units=units, initial={"scope": units[0].code})
    return render(request, "reports/report_list.html", {"form": form, "page": page, "units": units})


@login_required
@require_GET
def report_preview(request):
    """The figures as they are now, before anything is archived."""
    units = access.reporting_units(request.user)
    form = ReportForm(request.GET, units=units)
    if not form.is_valid():
        return _invalid(request, form, units)
    figures = report_figures(
        form.cleaned_data["units"],
        form.cleaned_data["period"],
        generated_by=person_label(request.user),
        variant=form.cleaned_data["variant"],
    )
    params = {name: request.GET.get(name, "") for name in FORM_FIELDS}
    params[TOKEN_FIELD] = new_token()  # the button below requests the report once, however often it is sent
    return render(request, "reports/report_preview.html", {"figures": figures, "form": form, "params": params})


@login_required
@require_POST
def report_create(request):
    units = access.reporting_units(request.user)
    form = ReportForm(request.POST, units=units)
    report = create_once(
        request,
        form,
        create=lambda: generation.request_report(
            request.user,
            form.cleaned_data["units"],
            form.cleaned_data["period"],
            variant=form.cleaned_data["variant"],
        ),
        success=_("Der Bericht wird erzeugt. Diese Seite zeigt ihn, sobald er fertig ist."),
    )
    if report is None:
        return _invalid(request, form, units)
    return redirect("reports:report_detail", pk=report.pk)


@login_required
@require_GET
def report_detail(request, pk):
    report = access.get_report_for(request.user, pk)
    if report.is_pending and generation.requeue_stale(Report.objects.filter(pk=report.pk)):
        report.refresh_from_db()
    files = list(report.files.only("pk", "report_id", "format", "sha256", "size"))
    context = {"report": report, "files": files, "again": {**_form_data_of(report), TOKEN_FIELD: new_token()}}
    return render(request, "reports/report_detail.html", context)


def _form_data_of(report):
    """The report form's fields that request this report again (with the data as they are then)."""
    data = {"scope": report.scope, "period_kind": report.period_kind, "variant": report.variant}
    if report.period_kind == Report.PeriodKind.CUSTOM:
        return {**data, "first_day": report.first_day.isoformat(), "last_day": report.last_day.isoformat()}
    data["year"] = report.first_day.year
    if report.period_kind == Report.PeriodKind.HALF:
        data["half"] = (report.first_day.month - 1) // 6 + 1
    elif report.period_kind == Report.PeriodKind.QUARTER:
        data["quarter"] = (report.first_day.month - 1) // 3 + 1
    return data


def download_stem(report) -> str:
    """The file name without extension; the publication variant says so ("…_Veroeffentlichung")."""
    stem = generation.file_stem(report)
    if report.variant == Report.Variant.PUBLICATION and not stem.endswith(PUBLICATION_SUFFIX):
        stem += PUBLICATION_SUFFIX
    return stem


PUBLICATION_SUFFIX = "_Veroeffentlichung"


@login_required
@require_GET
def report_download(request, pk, fmt):
    report = access.get_report_for(request.user, pk)
    file = ReportFile.objects.filter(report=report, format=fmt).first()
    if file is None:
        raise Http404
    response = HttpResponse(bytes(file.content), content_type=file.content_type)
    name = f"{download_stem(report)}.{file.format}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Content-Length"] = str(file.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    record(AccessEvent.Kind.DOWNLOAD, request=request, target=report, detail=file.format)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def targets(request):
    """The targets agreed with the funder, per unit and calendar year (coordinators of that unit)."""
    units = access.reporting_units(request.user)
    unit = access.unit_among(units, request.GET.get("unit"))
    year = access.parse_pk(request.GET.get("year")) or timezone.localdate().year
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404
    target_set = TargetSet(unit, year)
    last_year = year_actuals([unit], year - 1)
    form = TargetsForm(request.POST or None, targets=target_set.values(), last_year=last_year, record=target_set)
    if (
        request.method == "POST"
        and form.is_valid()
        and save_or_refuse(form, save=lambda: target_set.save(form.metric_values()))
    ):
        messages.success(request, _("Die Ziele für %(year)s sind gespeichert.") % {"year": year})
        return redirect(f"{request.path}?unit={unit.pk}&year={year}")
    context = {
        "form": form,
        "unit": unit,
        "units": units,
        "year": year,
        "years": range(year - 2, year + 2),
        "warned": bool(form.warnings),
    }
    return render(request, "reports/targets.html", context, status=400 if form.errors else 200)
