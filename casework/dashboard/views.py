"""The unit dashboard for coordinators: this year against last year, and what needs attention."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from casework import access
from casework.dashboard import figures
from casework.ui import svg

FIGURE_LABELS = {
    "consultations": gettext_lazy("Beratungen"),
    "hours": gettext_lazy("Beratungsstunden"),
    "organisations": gettext_lazy("erreichte Organisationen"),
    "new_organisations": gettext_lazy("davon erstmals beraten"),
    "events": gettext_lazy("Veranstaltungen"),
    "participants": gettext_lazy("Teilnehmende an Veranstaltungen"),
}
# Last year in neutral grey; this year in the unit's colour (the text-safe shades, ≥ 4.5:1 on white).
LAST_YEAR_COLOUR = "#6c757d"
UNIT_COLOURS = {"mo": "#a84f00", "lots": "#2e7d32"}
JOINT_COLOUR = "#1565c0"


def _change_display(change):
    if change is None:
        return "–"
    if change == 0:
        return "±0 %"
    return f"+{change} %" if change > 0 else f"−{-change} %"


def _url_or_none(name, pk):
    """A link only where the page exists (case pages are built separately)."""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return None


def _chart(unit, monthly, periods):
    months = [formats.date_format(periods.this_start.replace(month=m), "M") for m in range(1, 13)]
    this_year, last_year = periods.today.year, periods.today.year - 1
    chart = svg.bar_chart(
        chart_id="chart-monthly",
        title=_("Beratungen pro Monat: %(this)s im Vergleich zu %(last)s") % {"this": this_year, "last": last_year},
        description=_(
            "Balkendiagramm mit der Zahl der Beratungen der Fachstelle %(unit)s je Monat, je Monat ein Balken für "
            "%(last)s (grau) und einer für %(this)s. Die Zahlen stehen auch in der Tabelle darunter."
        )
        % {"unit": unit.short_name, "this": this_year, "last": last_year},
        categories=months,
        series=[
            svg.Series(str(last_year), monthly["last"], LAST_YEAR_COLOUR),
            svg.Series(str(this_year), monthly["this"], UNIT_COLOURS.get(unit.code, JOINT_COLOUR)),
        ],
        value_label=_("Beratungen"),
    )
    rows = [
        (formats.date_format(periods.this_start.replace(month=m), "F"), last, this)
        for m, last, this in zip(range(1, 13), monthly["last"], monthly["this"], strict=True)
    ]
    return chart, rows


@login_required
@require_GET
def dashboard(request):
    units = access.reporting_units(request.user)
    unit = access.unit_among(units, request.GET.get("unit"))
    data = figures.dashboard_data(unit, timezone.localdate())
    for row in data["comparison"]:
        row["label"] = FIGURE_LABELS[row["key"]]
        row["change_display"] = _change_display(row["change"])
    for case in data["cases"]["idle_cases"]:
        case["url"] = _url_or_none("casework:case_detail", case["pk"])
    for item in data["follow_ups"]["items"]:
        if item["consultation_id"]:
            item["url"] = _url_or_none("casework:consultation_detail", item["consultation_id"])
        else:
            item["url"] = _url_or_none("casework:case_detail", item["case_id"])
    chart, chart_rows = _chart(unit, data["monthly"], data["periods"])
    context = {"unit": unit, "units": units, "chart": chart, "chart_rows": chart_rows, **data}
    return render(request, "casework/dashboard/dashboard.html", context)
