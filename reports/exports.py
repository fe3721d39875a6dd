"""Flat renderings of a report's figures: CSV for German Excel users and an XLSX workbook.

Both read only the plain figures described in `reports.document`, so they agree with the HTML
preview and the PDF. Charts are not rendered here; the numbers behind them are in the tables.

Text in the figures partly comes from users (catalogue entries, organisation names). A spreadsheet
would evaluate a cell such as `=HYPERLINK(…)` as a formula, so the CSV prefixes such text with an
apostrophe (OWASP "CSV injection") and the XLSX stores every text cell explicitly as a string.
"""

import csv
import io
import re
import zipfile
from datetime import UTC, date, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from reports.document import LEGEND, SMALL, SUPPRESSED, tables_of
from reports.document import is_number as is_number_cell

REPORT_TITLE = "Förderbericht"
CREATOR = "Vielfalt-Beratung"
ORGANISATIONS_HEADING = "Genannte Organisationen (mit Einverständnis)"
LEGEND_HEADING = "Zeichenerklärung"
NOTES_HEADING = "Hinweise"
KEY_FIGURES_HEADER = ["Kennzahl", "Wert", "Vorzeitraum", "Veränderung in %"]

# Characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

INT_FORMAT = "#,##0"
FLOAT_FORMAT = "#,##0.0"
PERCENT_FORMAT = "+0%;-0%;0%"
DATETIME_FORMAT = "DD.MM.YYYY HH:MM"

SHEET_NAME_MAX = 31
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
OVERVIEW_SHEET = "Übersicht"
NOTES_SHEET = "Hinweise"
MAX_COLUMN_WIDTH = 60


# --------------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------------


def _date(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%d.%m.%Y")


def _period_text(period: dict | None) -> str:
    """ "Jahr 2025 (01.01.2025–31.12.2025)"; empty when there is no period."""
    if not period:
        return ""
    span = f"{_date(period['first'])}–{_date(period['last'])}"
    label = period.get("label") or ""
    return f"{label} ({span})" if label else span


def _generated_at(meta: dict) -> datetime:
    return datetime.fromisoformat(meta["generated_at"])


def report_title(meta: dict) -> str:
    """ "Förderbericht", or "Förderbericht (zur Veröffentlichung)" for the publication variant."""
    if meta.get("variant") == "publication":
        return f"{REPORT_TITLE} ({meta.get('variant_label') or 'zur Veröffentlichung'})"
    return REPORT_TITLE


def _meta_rows(meta: dict) -> list[tuple[str, object]]:
    """The meta lines as (label, value); the creation time stays a datetime (local wall time)."""
    rows = [
        ("Bericht", report_title(meta)),
        ("Bereich", meta.get("scope_label") or ""),
        ("Zeitraum", _period_text(meta.get("period"))),
    ]
    if meta.get("as_of"):
        rows.append(("Stand", _date(meta["as_of"])))
    rows += [
        ("Vergleichszeitraum", _period_text(meta.get("previous"))),
        ("erzeugt am", _generated_at(meta)),
        ("erzeugt von", meta.get("generated_by") or ""),
    ]
    if meta.get("variant_label"):
        rows.append(("Fassung", meta["variant_label"]))
    return rows


def _used_markers(figures: dict) -> list[str]:
    """SMALL and/or SUPPRESSED, in legend order, if any value cell of any table holds them."""
    found = set()
    for _section, table in tables_of(figures):
        lines = list(table.get("rows") or [])
        if table.get("total"):
            lines.append(table["total"])
        for line in lines:
            found.update(cell for cell in line[1:] if cell in LEGEND)
    return [marker for marker in LEGEND if marker in found]


def neutralise(text: str) -> str:
    """Prefix text that a spreadsheet would take for a formula with an apostrophe."""
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


# --------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------


def _csv_float(value: float) -> str:
    """Decimal comma; one decimal as the figures promise, more only if the value really has more."""
    text = f"{value:.1f}" if abs(value - round(value, 1)) < 1e-9 else repr(value)
    return text.replace(".", ",")


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _csv_float(value)
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    return neutralise(str(value))


def to_csv(figures: dict) -> bytes:
    """The whole report as one CSV: UTF-8 with BOM, `;`, CRLF, decimal comma (German Excel)."""
    meta = figures["meta"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")

    def line(*cells):
        writer.writerow([_csv_cell(cell) for cell in cells])

    for label, value in _meta_rows(meta):
        line(label, value)

    line()
    line(*KEY_FIGURES_HEADER)
    for total in figures.get("totals") or []:
        line(total["label"], total.get("value"), total.get("previous"), total.get("change"))

    for section, table in tables_of(figures):
        line()
        line(section["title"], table["title"])
        line(*table["columns"])
        for row in table.get("rows") or []:
            line(*row)
        if table.get("total"):
            line(*table["total"])
        if table.get("note"):
            line(table["note"])

    markers = _used_markers(figures)
    if markers:
        line()
        line(LEGEND_HEADING)
        for marker in markers:
            line(marker, LEGEND[marker])

    notes = figures.get("notes") or []
    if notes:
        line()
        line(NOTES_HEADING)
        for note in notes:
            line(note)

    organisations = figures.get("named_organisations") or []
    if organisations:
        line()
        line(ORGANISATIONS_HEADING)
        for name in organisations:
            line(name)

    return buffer.getvalue().encode("utf-8-sig")


# --------------------------------------------------------------------------------------------
# XLSX
# --------------------------------------------------------------------------------------------

BOLD = Font(bold=True)
ITALIC = Font(italic=True)
RIGHT = Alignment(horizontal="right")


def sheet_title(title: str, taken: set[str]) -> str:
    """A valid, unique sheet name: no `[]:*?/\\`, no apostrophe at either end, at most 31 chars.

    `taken` holds the casefolded names already used (Excel compares them case-insensitively);
    the new name is added to it.
    """
    name = SHEET_NAME_FORBIDDEN.sub("-", title or "").strip().strip("'").strip()
    name = name[:SHEET_NAME_MAX].rstrip() or "Tabelle"
    candidate, number = name, 1
    while candidate.casefold() in taken:
        number += 1
        suffix = f" ({number})"
        candidate = name[: SHEET_NAME_MAX - len(suffix)].rstrip() + suffix
    taken.add(candidate.casefold())
    return candidate


def _put(ws, row: int, column: int, value, *, number_format: str | None = None):
    """Write one value: numbers as numbers, every text explicitly as a string (never a formula)."""
    cell = ws.cell(row=row, column=column)
    if value is None:
        return cell
    if is_number_cell(value):
        cell.value = value
        cell.number_format = number_format or (INT_FORMAT if isinstance(value, int) else FLOAT_FORMAT)
    elif isinstance(value, datetime):
        cell.value = value.replace(tzinfo=None)
        cell.number_format = number_format or DATETIME_FORMAT
    else:
        text = str(value)
        cell.value = text
        # openpyxl turns any string starting with "=" into a formula; force a plain string, and
        # set the quote prefix so Excel keeps it text even when someone edits the cell.
        cell.data_type = "s"
        if text.startswith(FORMULA_TRIGGERS):
            cell.quotePrefix = True
        if value in (SMALL, SUPPRESSED) and column > 1:
            cell.alignment = RIGHT
    return cell


def _display_width(value) -> int:
    if value is None:
        return 0
    if isinstance(value, float):
        return len(f"{value:,.1f}")
    if isinstance(value, int) and not isinstance(value, bool):
        return len(f"{value:,}")
    if isinstance(value, datetime):
        return 16
    return max((len(part) for part in str(value).splitlines()), default=0)


class _Widths:
    """Tracks the widest content per column, then sets the column widths."""

    def __init__(self):
        self.widths: dict[int, int] = {}

    def see(self, column: int, value):
        self.widths[column] = max(self.widths.get(column, 0), _display_width(value))

    def apply(self, ws):
        for column, width in self.widths.items():
            ws.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 8), MAX_COLUMN_WIDTH)


def _write_line(ws, row: int, values, widths: _Widths, *, font: Font | None = None):
    for column, value in enumerate(values, start=1):
        cell = _put(ws, row, column, value)
        if font is not None:
            cell.font = font
        widths.see(column, value)


def _overview_sheet(ws, figures: dict):
    widths = _Widths()
    row = 1
    for label, value in _meta_rows(figures["meta"]):
        _put(ws, row, 1, label).font = BOLD
        _put(ws, row, 2, value)
        widths.see(1, label)
        widths.see(2, value)
        row += 1

    row += 1
    _write_line(ws, row, KEY_FIGURES_HEADER, widths, font=BOLD)
    for total in figures.get("totals") or []:
        row += 1
        _put(ws, row, 1, total["label"])
        _put(ws, row, 2, total.get("value"))
        _put(ws, row, 3, total.get("previous"))
        change = total.get("change")
        if is_number_cell(change):
            _put(ws, row, 4, change / 100, number_format=PERCENT_FORMAT)
        for column, value in enumerate((total["label"], total.get("value"), total.get("previous")), start=1):
            widths.see(column, value)
    widths.apply(ws)


def _section_sheet(ws, section: dict):
    widths = _Widths()
    row = 0
    for table in section["tables"]:
        if row:
            row += 1  # one empty line between tables
        row += 1
        _put(ws, row, 1, table["title"]).font = BOLD  # may overflow; not counted for the width
        row += 1
        _write_line(ws, row, table["columns"], widths, font=BOLD)
        for values in table.get("rows") or []:
            row += 1
            _write_line(ws, row, values, widths)
        if table.get("total"):
            row += 1
            _write_line(ws, row, table["total"], widths, font=BOLD)
        if table.get("note"):
            row += 1
            _put(ws, row, 1, table["note"]).font = ITALIC  # may overflow; not counted
    widths.apply(ws)


def _notes_sheet(ws, figures: dict):
    widths = _Widths()
    row = 0
    markers = _used_markers(figures)
    if markers:
        row += 1
        _put(ws, row, 1, LEGEND_HEADING).font = BOLD
        for marker in markers:
            row += 1
            _put(ws, row, 1, marker)
            _put(ws, row, 2, LEGEND[marker])
            widths.see(1, marker)
            widths.see(2, LEGEND[marker])
    notes = figures.get("notes") or []
    if notes:
        if row:
            row += 1
        row += 1
        _put(ws, row, 1, NOTES_HEADING).font = BOLD
        for note in notes:
            row += 1
            _put(ws, row, 1, note)  # may overflow; not counted for the width
    organisations = figures.get("named_organisations") or []
    if organisations:
        if row:
            row += 1
        row += 1
        _put(ws, row, 1, ORGANISATIONS_HEADING).font = BOLD
        for name in organisations:
            row += 1
            _put(ws, row, 1, name)
            widths.see(1, name)
    if not row:
        _put(ws, 1, 1, "Keine Hinweise.")
    widths.apply(ws)


def _reproducible_zip(data: bytes, when: datetime) -> bytes:
    """Rewrite the archive with a fixed date on every entry so equal input gives equal bytes."""
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second - when.second % 2)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            target.writestr(info, source.read(entry.filename))
    return out.getvalue()


def to_xlsx(figures: dict) -> bytes:
    """The report as an XLSX workbook: "Übersicht", one sheet per section, "Hinweise"."""
    meta = figures["meta"]
    generated_at = _generated_at(meta)
    generated_utc = generated_at.astimezone(UTC).replace(tzinfo=None) if generated_at.tzinfo else generated_at

    workbook = Workbook()
    overview = workbook.active
    overview.title = OVERVIEW_SHEET
    _overview_sheet(overview, figures)

    taken = {OVERVIEW_SHEET.casefold(), NOTES_SHEET.casefold(), "history"}  # "History" is reserved by Excel
    for section in figures["sections"]:
        _section_sheet(workbook.create_sheet(sheet_title(section["title"], taken)), section)

    _notes_sheet(workbook.create_sheet(NOTES_SHEET), figures)

    properties = workbook.properties
    properties.creator = CREATOR
    properties.lastModifiedBy = CREATOR
    properties.title = f"{report_title(meta)} {meta.get('scope_label') or ''}".strip()
    properties.created = generated_utc
    properties.modified = generated_utc

    # ExcelWriter directly: Workbook.save() would stamp "modified" with the current time.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(workbook, archive).save()
    return _reproducible_zip(buffer.getvalue(), generated_at)
