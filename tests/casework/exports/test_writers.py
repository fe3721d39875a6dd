"""The cell rules of the CSV and XLSX writers, without the database."""

import datetime
import io
from decimal import Decimal

from openpyxl import load_workbook

from casework.exports.writers import Column, csv_cell, csv_chunks, xlsx_file

COLUMNS = [Column("Name", lambda r: r[0]), Column("Wert", lambda r: r[1])]


def test_csv_cells_as_german_excel_reads_them():
    assert csv_cell(None) == ""
    assert csv_cell(True) == "ja"
    assert csv_cell(False) == "nein"
    assert csv_cell(90) == "90"
    assert csv_cell(1.5) == "1,50"
    assert csv_cell(Decimal("0.25")) == "0,25"
    assert csv_cell(datetime.date(2026, 3, 2)) == "02.03.2026"
    # Stored in UTC, shown in Berlin time (CET in winter: +1 h).
    assert csv_cell(datetime.datetime(2026, 1, 5, 9, 30, tzinfo=datetime.UTC)) == "05.01.2026 10:30"
    assert csv_cell("=SUMME(A1)") == "'=SUMME(A1)"
    assert csv_cell("-5 Mitglieder") == "'-5 Mitglieder"
    assert csv_cell("Verein") == "Verein"


def test_csv_has_bom_semicolons_crlf_and_comes_in_chunks():
    rows = [(f"Verein {n}; e.V.", n) for n in range(1200)]
    chunks = list(csv_chunks(rows, COLUMNS))
    assert len(chunks) == 4  # header, then 500 + 500 + 200 rows
    body = b"".join(chunks)
    assert body.startswith(b"\xef\xbb\xbfName;Wert\r\n")
    assert body.decode("utf-8-sig").splitlines()[1] == '"Verein 0; e.V.";0'


def test_xlsx_keeps_types_and_never_writes_a_formula():
    rows = [
        ('=HYPERLINK("http://example.org","klick")', datetime.date(2026, 3, 2)),
        ("Gießen ş جمعية\x07", 1.25),
        ("+49 69 123", None),
    ]
    workbook = load_workbook(xlsx_file(rows, COLUMNS, title="Test"))
    sheet = workbook.active
    cells = list(sheet.iter_rows(min_row=2))
    assert cells[0][0].value == '=HYPERLINK("http://example.org","klick")'
    assert cells[0][0].data_type == "s"
    assert cells[0][0].quotePrefix
    assert cells[0][1].value == datetime.datetime(2026, 3, 2)
    assert cells[0][1].number_format == "DD.MM.YYYY"
    assert cells[1][0].value == "Gießen ş جمعية"  # the control character Excel refuses is dropped
    assert cells[1][1].value == 1.25
    assert cells[2][0].data_type == "s" and cells[2][0].quotePrefix
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:B4"
    assert [c.value for c in next(sheet.iter_rows(max_row=1))] == ["Name", "Wert"]
    assert next(sheet.iter_rows(max_row=1))[0].font.bold


def test_xlsx_file_is_rewound_and_closable():
    target = xlsx_file([], COLUMNS, title="Leer")
    assert target.read(2) == b"PK"
    target.close()
    assert load_workbook(io.BytesIO(xlsx_file([], COLUMNS, title="Leer").read())).active.max_row == 1
