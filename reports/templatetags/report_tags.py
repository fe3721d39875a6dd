"""Template filters and tags for rendering a report's figures (see reports/document.py).

Used by the PDF template and by the web preview, so both show numbers, dates and charts the
same way. Every filter returns plain strings, which Django's auto-escaping then escapes; only
`report_chart` returns markup, built by `casework.ui.svg.bar_chart`, which escapes every text.
"""

import datetime
import zoneinfo

from django import template
from django.utils.safestring import SafeString

from casework.ui.svg import Series, bar_chart
from reports.document import LEGEND, SMALL, SUPPRESSED
from reports.document import is_number as is_number_cell

register = template.Library()

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")

# The units' colours by the names the figures use; anything else gets a neutral grey, so a
# colour name never reaches the SVG markup unchecked.
COLOURS = {"orange": "#e8730c", "green": "#2e7d32", "blue": "#1565c0"}
NEUTRAL_COLOUR = "#6c757d"
SCOPE_COLOURS = {"mo": "orange", "lots": "green", "all": "blue"}

NO_VALUE = "–"  # what a cell without a value (None) shows
_GERMAN_SEPARATORS = str.maketrans({",": ".", ".": ","})


@register.filter
def de_number(value):
    """A cell as German readers expect it: 1.234 and 30,5; labels, "< 3" and "x" unchanged."""
    if value is None:
        return NO_VALUE
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    if isinstance(value, float):
        return f"{value:,.1f}".translate(_GERMAN_SEPARATORS)
    return value


@register.filter
def is_number(value) -> bool:
    return is_number_cell(value)


@register.filter
def de_change(value):
    """A change in percent: "+22 %", "-5 %", "±0 %"; "–" when there is none (no previous value)."""
    if not is_number_cell(value):
        return NO_VALUE
    if value == 0:
        return "±0 %"
    sign = "+" if value > 0 else "-"
    return f"{sign}{de_number(abs(value))} %"


@register.filter
def de_date(value):
    """An ISO date ("2025-01-31") as "31.01.2025"; anything unparsable is shown as it is."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    return "" if value is None else value


@register.filter
def de_datetime(value):
    """An ISO date-time as "24.11.2026, 23:10 Uhr" in Berlin time; unparsable input unchanged."""
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, datetime.datetime):
        return "" if value is None else value
    if value.tzinfo is None:
        value = value.replace(tzinfo=BERLIN)
    return value.astimezone(BERLIN).strftime("%d.%m.%Y, %H:%M Uhr")


@register.filter
def colour_name(value) -> str:
    """A colour name safe for a CSS class: one of orange/green/blue, else "neutral"."""
    return value if value in COLOURS else "neutral"


@register.filter
def scope_colour(scope) -> str:
    """The accent colour name of a report's scope (MO orange, Lots*innen green, both blue)."""
    return SCOPE_COLOURS.get(scope, "neutral")


def _value_cells(table: dict):
    for row in [*table.get("rows", []), table.get("total") or []]:
        yield from row[1:]


@register.filter
def legend_of(table: dict) -> list[tuple[str, str]]:
    """The confidentiality markers ("< 3", "x") occurring in a table, with their explanation."""
    present = {cell for cell in _value_cells(table) if cell in (SMALL, SUPPRESSED)}
    return [(symbol, LEGEND[symbol]) for symbol in (SMALL, SUPPRESSED) if symbol in present]


@register.filter
def has_markers(figures: dict) -> bool:
    """Whether any table of the report holds a "< 3" or an "x"."""
    return any(legend_of(table) for section in figures["sections"] for table in section["tables"])


def _chart_value(value):
    # Confidentiality markers and missing values are not drawn (the table shows them).
    return value if is_number_cell(value) else None


# A printed list of more names than fit on about three pages is no longer read; the PDF then gives
# their number and points to the attached CSV, which lists them all (as do the CSV and XLSX files).
PDF_NAME_LIMIT = 300


@register.simple_tag
def pdf_name_limit() -> int:
    return PDF_NAME_LIMIT


@register.simple_tag
def report_legend() -> list[tuple[str, str]]:
    """Every sign a report's cells may show, with its explanation."""
    return [*LEGEND.items(), (NO_VALUE, "kein Wert vorhanden")]


@register.simple_tag
def report_chart(table: dict, section_number: int, table_number: int) -> SafeString:
    """A table's chart (table["chart"]) as server-rendered SVG; empty when it has none.

    The numbers (the loop counters) make the SVG's id unique within the page.
    """
    chart = table.get("chart")
    if not chart or chart.get("kind") != "bars":
        return SafeString("")
    series = [
        Series(
            label=str(s.get("label", "")),
            values=[_chart_value(v) for v in s.get("values", [])],
            colour=COLOURS.get(s.get("colour"), NEUTRAL_COLOUR),
        )
        for s in chart.get("series", [])
    ]
    title = str(table.get("title", ""))
    return bar_chart(
        chart_id=f"report-chart-{int(section_number)}-{int(table_number)}",
        title=title,
        description=f"Balkendiagramm zu „{title}“; die Werte stehen in der folgenden Tabelle.",
        categories=[str(c) for c in chart.get("categories", [])],
        series=series,
    )
