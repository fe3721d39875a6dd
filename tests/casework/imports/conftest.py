"""Shared fixtures of the import tests: people, organisations and spreadsheet files built in the test."""

import csv
import datetime
import io

import openpyxl
import pytest

from casework.imports import mapping
from casework.imports.kinds import KINDS
from casework.imports.reading import read_table
from casework.roles import ADVISOR, COORDINATOR, role_group
from organisations.models import Organisation, Region
from tests.conftest import make_person


def xlsx_bytes(headers, rows, *, title="Liste") -> bytes:
    """An XLSX file with one sheet: the header row, then `rows` (dates stay Excel date cells)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(headers, rows, *, delimiter=";", encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return buffer.getvalue().encode(encoding)


def table_of(data: bytes, filename="liste.xlsx"):
    return read_table(data, filename)


def guessed(kind_key, table):
    kind = KINDS[kind_key]
    return kind, mapping.guess_mapping(kind, table.headers)


@pytest.fixture
def coordinator(unit_mo):
    return make_person("koordination-mo", role_group(unit_mo, COORDINATOR), first_name="Meral", last_name="Yıldız")


@pytest.fixture
def advisor(unit_mo):
    return make_person("beratung-mo", role_group(unit_mo, ADVISOR), first_name="Aylin", last_name="Demir")


@pytest.fixture
def coordinator_lots(unit_lots):
    return make_person("koordination-lots", role_group(unit_lots, COORDINATOR))


@pytest.fixture
def kassel():
    return Region.objects.get(name="Kassel (Stadt)")


@pytest.fixture
def anatolien(unit_mo, kassel):
    """An organisation of the MO unit the files refer to."""
    organisation = Organisation.objects.create(
        name="Kulturverein Anatolien e. V.",
        kind=Organisation.Kind.MIGRANT_ORGANISATION,
        legal_form=Organisation.LegalForm.REGISTERED_ASSOCIATION,
        region=kassel,
        municipality="Kassel",
    )
    organisation.units.set([unit_mo])
    return organisation


@pytest.fixture
def al_nour(unit_mo):
    organisation = Organisation.objects.create(
        name="Al-Nour Frauenverein",
        kind=Organisation.Kind.MIGRANT_ORGANISATION,
        legal_form=Organisation.LegalForm.REGISTERED_ASSOCIATION,
        region=Region.objects.get(name="Gießen"),
        municipality="Gießen",
    )
    organisation.units.set([unit_mo])
    return organisation


def days_ago(days) -> datetime.date:
    return datetime.date.today() - datetime.timedelta(days=days)
