"""The XLSX template: headers of the kind, drop-downs for the catalogues, and it reads back in."""

import io

import openpyxl
import pytest

from casework.imports import mapping
from casework.imports.kinds import KINDS
from casework.imports.reading import read_table
from casework.imports.template import template_xlsx
from casework.models import Topic

pytestmark = pytest.mark.django_db


def validations_by_column(sheet):
    found = {}
    for validation in sheet.data_validations.dataValidation:
        for cell_range in validation.sqref.ranges:
            found[cell_range.coord.split(":")[0].rstrip("0123456789")] = validation
    return found


@pytest.mark.parametrize("kind_key", ["organisations", "consultations", "events"])
def test_template_has_the_headers_and_reads_back(kind_key, unit_mo):
    kind = KINDS[kind_key]
    data = template_xlsx(kind, unit_mo)
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    assert headers == [str(f.label) for f in kind.fields]
    assert workbook["Listen"].sheet_state == "hidden"
    # Every header is recognised when the filled template comes back.
    assert all(mapping.guess_mapping(kind, headers).values())
    sheet.append(["x"] * len(headers))
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert read_table(buffer.getvalue(), "vorlage.xlsx").headers == headers


def test_consultation_template_drop_downs(unit_mo):
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx(KINDS["consultations"], unit_mo)))
    sheet, lists = workbook.worksheets[0], workbook["Listen"]
    validations = validations_by_column(sheet)
    # Format (column E) and Themen (column H) offer their lists.
    assert set(validations) >= {"E", "F", "H"}
    topic_list = validations["H"].formula1
    column = topic_list.split("!")[1].split(":")[0].strip("$").rstrip("0123456789").strip("$")
    offered = [cell.value for cell in lists[column][1:] if cell.value]
    expected = list(Topic.objects.filter(unit=unit_mo).values_list("name", flat=True))
    assert set(expected) <= set(offered)
    assert "Vernetzung mit Kommune, Schule, Politik" in offered
    # Several topics per cell are allowed: no error box for that column; one format per cell is checked.
    assert validations["H"].showErrorMessage is False
    assert validations["E"].showErrorMessage is True
    format_column = validations["E"].formula1.split("!")[1].split(":")[0].strip("$").rstrip("0123456789").strip("$")
    assert [c.value for c in lists[format_column][1:] if c.value] == [
        "vor Ort bei der Organisation",
        "in der Fachstelle",
        "telefonisch",
        "Video",
        "schriftlich / E-Mail",
    ]


def test_organisation_template_offers_kreise_and_types(unit_mo):
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx(KINDS["organisations"], unit_mo)))
    lists = workbook["Listen"]
    columns = {column[0].value: [c.value for c in column[1:] if c.value] for column in lists.iter_cols()}
    assert "Gießen" in columns["Kreis"]
    assert "Kassel (Stadt)" in columns["Kreis"]
    assert columns["Art der Organisation"] == [
        "Migrantische Organisation",
        "Lots*innen-Projekt",
        "Sonstige Organisation",
    ]
    assert "eingetragener Verein (e. V.)" in columns["Rechtsform"]
