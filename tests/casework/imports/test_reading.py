"""Reading spreadsheets: XLSX and CSV as the Fachstellen save them, and every bad file refused in German."""

import datetime
import io
import zipfile

import openpyxl
import pytest

from casework.imports import reading
from casework.imports.reading import ImportFileError, read_table
from tests.casework.imports.conftest import csv_bytes, xlsx_bytes

HEADERS = ["Organisation", "Datum", "Dauer", "Themen"]


def refused(data, filename="liste.xlsx") -> str:
    with pytest.raises(ImportFileError) as caught:
        read_table(data, filename)
    return caught.value.message


def test_xlsx_keeps_dates_numbers_and_row_numbers():
    data = xlsx_bytes(
        HEADERS,
        [
            ["Türkischer Elternverein Gießen", datetime.datetime(2025, 2, 3), 90, "Datenschutz"],
            [None, None, None, None],  # an empty row in between: skipped, numbering stays Excel's
            ["جمعية الأمل", "04.02.2025", "1,5 h", " Fördermittelakquise "],
        ],
    )
    table = read_table(data, "Beratungen.xlsx")
    assert table.headers == HEADERS
    assert table.sheet == "Liste"
    assert [row.number for row in table.rows] == [2, 4]
    assert table.rows[0].values == ["Türkischer Elternverein Gießen", datetime.date(2025, 2, 3), 90, "Datenschutz"]
    assert table.rows[1].values == ["جمعية الأمل", "04.02.2025", "1,5 h", "Fördermittelakquise"]


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8-sig", ";"), ("utf-8", ","), ("cp1252", ";"), ("cp1252", ",")],
)
def test_csv_encodings_and_delimiters(encoding, delimiter):
    data = csv_bytes(
        HEADERS,
        [["Verein für Straßenfußball e. V.", "03.02.2025", "1,5", "Vernetzung mit Kommune, Schule, Politik"]],
        delimiter=delimiter,
        encoding=encoding,
    )
    table = read_table(data, "liste.csv")
    assert table.headers == HEADERS
    assert table.rows[0].number == 2
    assert table.rows[0].values == [
        "Verein für Straßenfußball e. V.",
        "03.02.2025",
        "1,5",
        "Vernetzung mit Kommune, Schule, Politik",
    ]


def test_csv_with_bom_has_clean_first_header():
    table = read_table("\ufeffName;Kreis\r\nŞahin Kültür Derneği;Kassel (Stadt)\r\n".encode(), "x.csv")
    assert table.headers == ["Name", "Kreis"]
    assert table.rows[0].values == ["Şahin Kültür Derneği", "Kassel (Stadt)"]


def test_not_a_spreadsheet():
    assert "keine Excel- oder CSV-Datei" in refused(b"%PDF-1.7\x00\x01\x02binary" * 50, "bericht.pdf")
    assert "keine Excel- oder CSV-Datei" in refused(b"\x89PNG\r\n\x1a\n\x00\x00\x00" * 20, "bild.png")


def test_zip_that_is_not_xlsx():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hallo")
    assert "keine Excel- oder CSV-Datei" in refused(buffer.getvalue())


def test_old_xls_is_refused_with_a_hint():
    assert ".xlsx" in refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "alt.xls")


def test_empty_file_and_empty_sheet():
    assert "leer" in refused(b"", "leer.csv")
    workbook = openpyxl.Workbook()
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert "ist leer" in refused(buffer.getvalue())


def test_header_only():
    assert "keine Datenzeilen" in refused(xlsx_bytes(HEADERS, []))


def test_merged_cells_refused():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    sheet.append(["Verein", "03.02.2025", 60, "Datenschutz"])
    sheet.append(["Verein", "04.02.2025", 60, "Datenschutz"])
    sheet.merge_cells("A2:A3")
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert "verbundene Zellen" in refused(buffer.getvalue())


def test_formulas_refused_naming_the_cell():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Organisation", "Dauer"])
    sheet.append(["Verein", "=30+60"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    message = refused(buffer.getvalue())
    assert "Formeln" in message
    assert "B2" in message


def test_too_big_file_refused_before_reading():
    data = b"a;b\r\n" + b"x;y\r\n" * (reading.MAX_BYTES // 5 + 10)
    assert "zu groß" in refused(data, "riesig.csv")


def test_hundred_megabytes_refused():
    assert "zu groß" in refused(b"PK\x03\x04" + b"\x00" * (100 * 1024 * 1024), "gross.xlsx")


def test_zip_bomb_disguised_as_xlsx_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (50 * 1024 * 1024))
    data = buffer.getvalue()
    assert len(data) < reading.MAX_BYTES
    assert "Sicherheitsgründen" in refused(data, "bombe.xlsx")


def test_xml_entities_in_a_sheet_are_refused():
    """A "billion laughs" sheet: defusedxml (requirements.txt) makes openpyxl refuse any DTD entity."""
    original = zipfile.ZipFile(io.BytesIO(xlsx_bytes(HEADERS, [["Verein", "03.02.2025", 60, "Satzung"]])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in original.infolist():
            content = original.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                entities = '<!DOCTYPE x [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
                content = content.replace(b"<worksheet", entities.encode() + b"<worksheet", 1).replace(
                    b"Verein", b"&b;", 1
                )
            archive.writestr(item, content)
    assert "Excel" in refused(buffer.getvalue(), "lacher.xlsx")


def test_too_many_rows_refused():
    rows = "".join(f"Verein {n};03.02.2025\r\n" for n in range(100_000))
    message = refused(("Organisation;Datum\r\n" + rows).encode(), "viele.csv")
    assert "zu viele Zeilen" in message
    assert "20.000" in message


def test_duplicate_and_missing_headers():
    assert "zweimal" in refused(xlsx_bytes(["Name", "Kreis", "name"], [["a", "b", "c"]]))
    assert "Spalte B hat keine Überschrift" in refused(xlsx_bytes(["Name", None, "Kreis"], [["a", "b", "c"]]))


def test_trailing_empty_columns_are_dropped():
    table = read_table(xlsx_bytes(["Name", "Kreis", None], [["a", "b", None]]), "x.xlsx")
    assert table.headers == ["Name", "Kreis"]


def test_broken_quotes_in_csv():
    data = b'Name;Kreis\r\n"Verein;Kassel\r\n'
    # An unterminated quote swallows the rest: csv reads it as one value, which is still a readable table.
    table = read_table(data, "x.csv")
    assert table.headers == ["Name", "Kreis"]
