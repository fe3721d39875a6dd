"""A coordinator imports a list of organisations: a large file is checked and imported by the worker, while
the status page (static/js/imports.js) follows the progress and leads on by itself."""

import io

import openpyxl
import pytest
from django.core.management import call_command
from django.test import override_settings
from playwright.sync_api import expect

from casework.imports import tasks
from casework.imports.models import ImportRun, ImportUpload
from organisations.models import Organisation

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROWS = [
    ["Kulturverein Sonnenaufgang e. V.", "eingetragener Verein (e. V.)", "Marburg-Biedenkopf", "Marburg"],
    ["Elternnetzwerk Mondschein", "Stiftung", "Kasel (Stadt)", "Kassel"],
]


def xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["Name", "Rechtsform", "Kreis", "Gemeinde / Stadt"])
    for row in ROWS:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_import_in_the_background_with_a_status_page_that_leads_on(e2e, people, monkeypatch):
    monkeypatch.setattr(tasks, "BACKGROUND_ABOVE_ROWS", 1)  # two rows count as a large file here
    page = e2e.login(e2e.new_page(), "koordination-mo")
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Import").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import aus Excel oder CSV")

    page.get_by_label("Organisationen").check()
    page.locator("input[type=file]").set_input_files(
        {"name": "vereine.xlsx", "mimeType": "application/octet-stream", "buffer": xlsx()}
    )
    page.get_by_role("button", name="Hochladen und weiter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Spalten zuordnen")
    expect(page.get_by_label("Kreis", exact=True)).to_have_value("region")
    page.get_by_role("button", name="Weiter").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Werte zuordnen")
    expect(page.get_by_text("Meinten Sie „Kassel (Stadt)“?")).to_be_visible()
    page.get_by_role("button", name="Weiter zur Probe").click()

    # The check runs in the worker; the status page waits for it and then shows the dry run.
    expect(page.get_by_text("wird geprüft")).to_be_visible()
    run_worker()
    expect(page.get_by_role("heading", level=1)).to_have_text("Probe: was der Import tun würde", timeout=15_000)
    assert not Organisation.objects.filter(name=ROWS[0][0]).exists()

    page.get_by_role("button", name="Importieren").click()
    expect(page.get_by_text("wartet")).to_be_visible()
    assert ImportUpload.objects.get().status == ImportUpload.Status.QUEUED
    run_worker()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bisherige Importe", timeout=15_000)
    expect(page.get_by_role("cell", name="vereine.xlsx")).to_be_visible()
    assert ImportRun.objects.get().counts["new"] == 2
    assert Organisation.objects.filter(name__in=[row[0] for row in ROWS]).count() == 2
    e2e.assert_clean_console()
