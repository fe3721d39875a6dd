"""Reading a spreadsheet (XLSX or CSV) into a table of header and rows, refusing bad files in German.

Nothing here trusts the file: its size, the unpacked size of an XLSX (a ZIP bomb stops before
openpyxl opens it), the number of rows and columns are checked before or while reading; formulas and
merged cells are refused (their values are not what the person sees in every program).
"""

import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 200
MAX_CELL_CHARACTERS = 10_000
# A ZIP bomb: the XLSX parts together may unpack to at most this much, and no part to more than MAX_RATIO
# times its packed size (real sheets pack about 5–20 : 1).
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200
MAX_ZIP_MEMBERS = 2_000

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old .xls (and .doc) files


class ImportFileError(Exception):
    """A file that cannot be imported; `.message` says why, in German, for the person."""

    def __init__(self, message):
        super().__init__(message)
        self.message = str(message)


@dataclass
class Row:
    number: int  # the row number as the person sees it in Excel (header row = 1)
    values: list  # one per header; str | int | float | datetime.date | None


@dataclass
class Table:
    headers: list[str]
    rows: list[Row] = field(default_factory=list)
    sheet: str = ""


def read_table(data: bytes, filename: str) -> Table:
    """The first sheet of an XLSX file, or a CSV file (UTF-8 with or without BOM, else Windows-1252; `;` or
    `,`), as a Table. Raises ImportFileError (German message) for anything that is not a clean list."""
    if len(data) > MAX_BYTES:
        raise ImportFileError(
            _("Die Datei ist zu groß (%(size)s MB). Erlaubt sind höchstens %(max)s MB.")
            % {"size": _megabytes(len(data)), "max": MAX_BYTES // (1024 * 1024)}
        )
    if not data.strip():
        raise ImportFileError(_("Die Datei ist leer."))
    name = (filename or "").lower()
    if data.startswith(OLE_MAGIC) or name.endswith(".xls"):
        raise ImportFileError(
            _("Alte Excel-Dateien (.xls) können nicht gelesen werden. Bitte in Excel als „.xlsx“ speichern.")
        )
    if data.startswith(XLSX_MAGIC):
        return _read_xlsx(data)
    if name.endswith((".xlsx", ".xlsm")):
        raise ImportFileError(_("Die Datei ist keine gültige Excel-Datei (.xlsx)."))
    return _read_csv(data)


def _megabytes(size):
    return f"{size / (1024 * 1024):.1f}".replace(".", ",")


def not_a_spreadsheet():
    return ImportFileError(
        _("Die Datei ist keine Excel- oder CSV-Datei. Bitte eine Tabelle als .xlsx oder .csv hochladen.")
    )


# --- XLSX ----------------------------------------------------------------------------------------------------


def _check_zip(archive: zipfile.ZipFile):
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise not_a_spreadsheet()
    total = 0
    for info in members:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if total > MAX_UNPACKED_BYTES or (info.file_size > 1024 * 1024 and ratio > MAX_RATIO):
            raise ImportFileError(
                _(
                    "Die Datei entpackt sich auf ein Vielfaches ihrer Größe und wird aus Sicherheitsgründen nicht "
                    "geöffnet. Bitte die Tabelle in Excel neu speichern oder als CSV hochladen."
                )
            )
    names = {info.filename for info in members}
    if "xl/workbook.xml" not in names:
        raise not_a_spreadsheet()


_FORMULA = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3}[0-9]+)"[^>]*>\s*<(?:\w+:)?f[\s>/]')


def _scan_sheet(archive: zipfile.ZipFile, path: str) -> tuple[bool, str | None]:
    """(merged cells?, the first cell with a formula) from the sheet's XML, streamed (read-only openpyxl
    reports neither cheaply)."""
    path = path.lstrip("/")
    try:
        stream = archive.open(path)
    except KeyError:
        return False, None
    merged, formula, tail = False, None, b""
    with stream:
        while chunk := stream.read(1024 * 1024):
            window = tail + chunk
            merged = merged or b"<mergeCell " in window or b":mergeCell " in window
            if formula is None and (match := _FORMULA.search(window)):
                formula = match.group(1).decode()
            if merged and formula:
                break
            tail = chunk[-512:]
    return merged, formula


def _read_xlsx(data: bytes) -> Table:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as error:
        raise not_a_spreadsheet() from error
    with archive:
        _check_zip(archive)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as error:
        raise ImportFileError(_("Die Datei ist keine gültige Excel-Datei (.xlsx).")) from error
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds on broken XML
        raise ImportFileError(_("Die Excel-Datei ist beschädigt und kann nicht gelesen werden.")) from error
    try:
        if not workbook.worksheets:
            raise ImportFileError(_("Die Excel-Datei enthält kein Tabellenblatt."))
        sheet = workbook.worksheets[0]
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            merged, formula = _scan_sheet(archive, getattr(sheet, "_worksheet_path", ""))
            if formula:
                raise ImportFileError(
                    _(
                        "Die Datei enthält Formeln (z. B. in Zelle %(cell)s). Bitte die Formeln durch ihre "
                        "Werte ersetzen (Kopieren → Inhalte einfügen → Werte) und die Datei erneut hochladen."
                    )
                    % {"cell": formula}
                )
            if merged:
                raise ImportFileError(
                    _(
                        "Das Tabellenblatt „%(sheet)s“ enthält verbundene Zellen. Bitte die Verbindung aufheben "
                        "(Start → Verbinden und zentrieren) und jede Zeile vollständig ausfüllen."
                    )
                    % {"sheet": sheet.title}
                )
        try:
            raw_rows = _xlsx_rows(sheet)
        except ImportFileError:
            raise
        except Exception as error:  # noqa: BLE001
            raise ImportFileError(_("Die Excel-Datei ist beschädigt und kann nicht gelesen werden.")) from error
        return _table(raw_rows, sheet.title)
    finally:
        workbook.close()


def _xlsx_rows(sheet):
    """(row number, [values]) of the non-empty rows (formulas were refused before)."""
    rows = []
    sheet.reset_dimensions()  # the stored dimension may lie; read what is there, from A1
    for number, cells in enumerate(sheet.iter_rows(min_row=1, min_col=1, values_only=True), start=1):
        values = [_cell_value(value) for value in cells]
        if any(value is not None for value in values):
            rows.append((number, values))
            if len(rows) > MAX_ROWS + 1:
                raise too_many_rows()
    return rows


def _cell_value(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, bool):
        return "ja" if value else "nein"
    return value


def too_many_rows():
    return ImportFileError(
        _("Die Datei hat zu viele Zeilen. Erlaubt sind höchstens %(max)s Zeilen je Import; bitte aufteilen.")
        % {"max": f"{MAX_ROWS:,}".replace(",", ".")}
    )


# --- CSV -----------------------------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise not_a_spreadsheet()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _("Die Zeichenkodierung der CSV-Datei wurde nicht erkannt. Bitte als „CSV UTF-8“ speichern.")
        ) from error


def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {delimiter: _count_outside_quotes(first, delimiter) for delimiter in (";", ",", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ";"))
    if counts[best] == 0:
        return ";"
    return best


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            count += 1
    return count


def _looks_like_text(text: str) -> bool:
    sample = text[:4096]
    control = sum(1 for char in sample if ord(char) < 32 and char not in "\r\n\t")
    return control <= len(sample) // 100


def _read_csv(data: bytes) -> Table:
    text = _decode(data)
    if not _looks_like_text(text):
        raise not_a_spreadsheet()
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        for index, record in enumerate(reader, start=1):
            values = [_text_value(value) for value in record]
            if any(value is not None for value in values):
                rows.append((index, values))
                if len(rows) > MAX_ROWS + 1:
                    raise too_many_rows()
    except csv.Error as error:
        raise ImportFileError(
            _("Die CSV-Datei kann nicht gelesen werden (Zeile %(line)s): fehlerhafte Anführungszeichen?")
            % {"line": reader.line_num}
        ) from error
    if rows and len(rows[0][1]) < 2 and not any(len(values) > 1 for _n, values in rows[:50]):
        # One column only: most likely not a list at all (or a delimiter we do not know).
        header = rows[0][1][0] or ""
        if len(header) > 200 or not header.isprintable():
            raise not_a_spreadsheet()
    return _table(rows, "CSV")


def _text_value(value: str):
    value = value.strip()
    if not value:
        return None
    if len(value) > MAX_CELL_CHARACTERS:
        return value[:MAX_CELL_CHARACTERS]
    return value


# --- Both ----------------------------------------------------------------------------------------------------


def _table(raw_rows, sheet) -> Table:
    if not raw_rows:
        raise ImportFileError(_("Das Tabellenblatt „%(sheet)s“ ist leer.") % {"sheet": sheet})
    header_number, header_values = raw_rows[0]
    body = raw_rows[1:]
    if len(body) > MAX_ROWS:
        raise too_many_rows()
    width = max(len(values) for _n, values in raw_rows)
    # Trailing columns without header and without values are dropped.
    while width and (header_values[width - 1] if width <= len(header_values) else None) is None:
        if any(width <= len(values) and values[width - 1] is not None for _n, values in body):
            break
        width -= 1
    if width > MAX_COLUMNS:
        raise ImportFileError(
            _("Die Tabelle hat zu viele Spalten (%(count)s, erlaubt sind %(max)s).")
            % {"count": width, "max": MAX_COLUMNS}
        )
    headers = []
    seen = {}
    for index in range(width):
        raw = header_values[index] if index < len(header_values) else None
        header = _header_text(raw)
        letter = get_column_letter(index + 1)
        if not header:
            raise ImportFileError(
                _("Spalte %(column)s hat keine Überschrift. Die erste Zeile muss die Spaltenüberschriften enthalten.")
                % {"column": letter}
            )
        key = " ".join(header.casefold().split())
        if key in seen:
            raise ImportFileError(
                _("Die Überschrift „%(header)s“ steht zweimal in der ersten Zeile (Spalten %(first)s und %(second)s).")
                % {"header": header, "first": seen[key], "second": letter}
            )
        seen[key] = letter
        headers.append(header)
    if not body:
        raise ImportFileError(
            _("Die Tabelle enthält nur die Überschriften (Zeile %(row)s), aber keine Datenzeilen.")
            % {"row": header_number}
        )
    rows = [Row(number, (values + [None] * width)[:width]) for number, values in body]
    return Table(headers=headers, rows=rows, sheet=sheet)


def _header_text(raw) -> str:
    if raw is None:
        return ""
    if isinstance(raw, datetime.date):
        raw = f"{raw:%d.%m.%Y}"
    return " ".join(str(raw).split())
