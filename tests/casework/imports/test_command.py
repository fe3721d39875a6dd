"""`manage.py import_records`: the same row report in German, a non-zero exit status on errors."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from casework.imports.models import ImportRun
from casework.models import Consultation
from organisations.models import Organisation
from tests.casework.imports.conftest import csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

HEADERS = ["Organisation", "Datum", "Dauer", "Format", "Anstoß durch", "Themen"]
GOOD = [
    ["Kulturverein Anatolien", "03.02.2025", "1,5 h", "telefonisch", "Organisation", "Datenschutz"],
    ["Al-Nour Frauenverein", "04.02.2025", 60, "Video", "Fachstelle", "Fördermittelakquise"],
]


def run(*args):
    out = io.StringIO()
    call_command("import_records", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def files(tmp_path, coordinator, anatolien, al_nour):
    good = tmp_path / "beratungen.xlsx"
    good.write_bytes(xlsx_bytes(HEADERS, GOOD))
    bad = tmp_path / "fehler.csv"
    bad.write_bytes(
        csv_bytes(HEADERS, [GOOD[0], ["Al-Nour Frauenverein", "4.2.2025", 60, "Video", "Fachstelle", "Fördermittel"]])
    )
    return {"good": good, "bad": bad, "dir": tmp_path}


def test_dry_run_prints_the_report_and_writes_nothing(files):
    output = run("consultations", str(files["good"]), "--unit", "mo", "--dry-run", "--user", "koordination-mo")
    assert "Zeile     2  neu            Kulturverein Anatolien e. V. (Kassel) – 03.02.2025" in output
    assert "Ergebnis: 2 neu, 0 geändert, 0 unverändert, 0 fehlerhaft." in output
    assert "Probelauf: es wurde nichts gespeichert." in output
    assert not Consultation.objects.exists()
    assert not ImportRun.objects.exists()


def test_errors_exit_non_zero_with_the_report(files):
    out = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command(
            "import_records",
            "consultations",
            str(files["bad"]),
            "--unit",
            "mo",
            "--user",
            "koordination-mo",
            stdout=out,
        )
    assert str(failed.value) == (
        "1 Zeile(n) mit Fehlern – es wurde nichts importiert. Bitte die Datei korrigieren und erneut einlesen."
    )
    assert "Spalte „Themen“: Das Thema „Fördermittel“ gibt es im Katalog der Fachstelle nicht. Meinten Sie " in (
        out.getvalue()
    )
    assert not Consultation.objects.exists()


def test_import_and_again(files, coordinator):
    output = run("consultations", str(files["good"]), "--unit", "mo", "--user", "koordination-mo")
    assert "Importiert (Import #" in output
    assert Consultation.objects.count() == 2
    assert ImportRun.objects.get().created_by == coordinator
    output = run("consultations", str(files["good"]), "--unit", "mo", "--user", "koordination-mo")
    assert "0 neu, 0 geändert, 2 unverändert" in output
    assert Consultation.objects.count() == 2


def test_bad_arguments_and_files(files, advisor):
    with pytest.raises(CommandError, match="Unbekannte Fachstelle „xy“"):
        run("consultations", str(files["good"]), "--unit", "xy", "--user", "koordination-mo")
    with pytest.raises(CommandError, match="gibt es nicht"):
        run("consultations", str(files["dir"] / "fehlt.xlsx"), "--unit", "mo", "--user", "koordination-mo")
    broken = files["dir"] / "bild.xlsx"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    with pytest.raises(CommandError, match="keine gültige Excel-Datei"):
        run("consultations", str(broken), "--unit", "mo", "--user", "koordination-mo")
    with pytest.raises(CommandError, match="nur Koordinator"):
        run("consultations", str(files["good"]), "--unit", "mo", "--user", "beratung-mo")
    with pytest.raises(CommandError, match="Es fehlen Spalten"):
        run("organisations", str(files["good"]), "--unit", "mo", "--user", "koordination-mo")
    assert Organisation.objects.count() == 2
