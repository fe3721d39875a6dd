"""Rows out as German Excel CSV (streamed) or as an XLSX workbook (write-only, through a temporary file).

Both take the rows one by one from an iterator and keep none of them: memory stays flat however many
rows a list has. A value's Python type decides its cell: numbers stay numbers, dates are dates, text is
text and never a formula (OWASP "CSV injection": `reports.exports.neutralise`).
"""

import csv
import datetime
import decimal
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from reports.exports import CREATOR, SHEET_NAME_MAX, neutralise

CSV_BATCH = 500  # rows per chunk sent to the client
XLSX_TEXT_MAX = 32767  # Excel's limit for one cell
DATE_FORMAT = "DD.MM.YYYY"
DATETIME_FORMAT = "DD.MM.YYYY HH:MM"
DECIMAL_PLACES = 2


@dataclass(frozen=True)
class Column:
    """One column: its German heading, how to get the cell's value from a row's record, its width in Excel."""

    header: str
    value: Callable[[Any], Any]
    width: int = 16


def _local(value: datetime.datetime) -> datetime.datetime:
    """Local wall time without zone (spreadsheets know no time zones)."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(tzinfo=None)


# --- CSV -------------------------------------------------------------------------------------------


def csv_cell(value) -> str:
    """A value as German Excel reads it: decimal comma, DD.MM.YYYY, ja/nein; text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | decimal.Decimal):
        return f"{value:.{DECIMAL_PLACES}f}".replace(".", ",")
    if isinstance(value, datetime.datetime):
        return _local(value).strftime("%d.%m.%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    return neutralise(str(value))


class _Echo:
    """A file for csv.writer that hands each line back instead of keeping it."""

    def write(self, line):
        return line


def csv_chunks(records: Iterable, columns: list[Column]):
    """The CSV as byte chunks: UTF-8 with BOM, `;`, CRLF; a few hundred rows per chunk."""
    writer = csv.writer(_Echo(), delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    yield ("\ufeff" + writer.writerow([neutralise(column.header) for column in columns])).encode("utf-8")
    batch = []
    for record in records:
        batch.append(writer.writerow([csv_cell(column.value(record)) for column in columns]))
        if len(batch) >= CSV_BATCH:
            yield "".join(batch).encode("utf-8")
            batch = []
    if batch:
        yield "".join(batch).encode("utf-8")


# --- XLSX ------------------------------------------------------------------------------------------


def _text_cell(sheet, value: str):
    text = ILLEGAL_CHARACTERS_RE.sub("", value)[:XLSX_TEXT_MAX]
    if neutralise(text) == text:
        return text  # a plain string: openpyxl stores it as text
    # openpyxl would store "=…" as a formula: force a string, and let Excel keep it text when edited.
    cell = WriteOnlyCell(sheet, text)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def xlsx_cell(sheet, value):
    """A value for a write-only sheet: numbers as numbers, dates formatted German, text never a formula."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, int):
        return value
    if isinstance(value, float | decimal.Decimal):
        cell = WriteOnlyCell(sheet, float(value))
        cell.number_format = "0.00"
        return cell
    if isinstance(value, datetime.datetime):
        cell = WriteOnlyCell(sheet, _local(value))
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = DATE_FORMAT
        return cell
    return _text_cell(sheet, str(value))


def xlsx_file(records: Iterable, columns: list[Column], *, title: str):
    """The workbook in an anonymous temporary file, rewound; closing it removes it.

    openpyxl's write-only mode streams the rows into its own temporary file, so memory does not grow
    with the rows; saving zips that file into ours.
    """
    workbook = Workbook(write_only=True)
    workbook.properties.creator = CREATOR
    workbook.properties.title = title
    sheet = workbook.create_sheet(title=title[:SHEET_NAME_MAX])
    for index, column in enumerate(columns, 1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = _text_cell(sheet, column.header)
        cell = cell if isinstance(cell, Cell) else WriteOnlyCell(sheet, cell)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for record in records:
        sheet.append([xlsx_cell(sheet, column.value(record)) for column in columns])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    target = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 – handed to FileResponse, which closes it
    try:
        workbook.save(target)
    except BaseException:
        target.close()
        raise
    target.seek(0)
    return target
