"""The import screens end to end through the test client: upload, columns, values, dry run, import, undo."""

import datetime
import hashlib
import io
import re
from types import SimpleNamespace

import openpyxl
import pytest
from django.core.management import call_command
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from casework.imports import forms as import_forms
from casework.imports import tasks
from casework.imports.models import ImportMapping, ImportRun, ImportUpload
from organisations.models import Organisation

pytestmark = pytest.mark.django_db

HEADERS = ["Name", "Rechtsform", "Kreis", "Gemeinde / Stadt"]
ROWS = [
    ["Kulturverein Sonnenaufgang e. V.", "eingetragener Verein (e. V.)", "Marburg-Biedenkopf", "Marburg"],
    ["Elternnetzwerk Mondschein", "Stiftung", "Kasel (Stadt)", "Kassel"],
]


def xlsx(rows, headers=HEADERS) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload_file(client, content, name="vereine.xlsx", kind="organisations", **extra):
    file = io.BytesIO(content)
    file.name = name
    return client.post(reverse("casework:import_start"), {"kind": kind, "file": file, **extra})


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def mapping_post(upload, **overrides):
    """The column selects as the mapping page sends them: the saved mapping, with overrides."""
    data = {f"column_{index}": "" for index in range(len(HEADERS))}
    data.update({f"column_{index}": key for index, key in upload.mapping.items()})
    data.update(overrides)
    return data


@pytest.fixture
def signed_in(client, people):
    client.force_login(people["coordinator_mo"])
    return people["coordinator_mo"]


def start(client, rows=ROWS, content=None, **kwargs) -> ImportUpload:
    response = upload_file(client, xlsx(rows) if content is None else content, **kwargs)
    assert response.status_code == 302, text(response)
    upload = ImportUpload.objects.latest("pk")
    assert response.url == reverse("casework:import_mapping", args=[upload.pk])
    return upload


def test_whole_flow_upload_to_undo(client, signed_in, unit_mo):
    content = xlsx(ROWS)
    organisations_before = Organisation.objects.count()
    response = upload_file(client, content)
    upload = ImportUpload.objects.get()
    assert response.status_code == 302
    assert (upload.owner, upload.unit, upload.kind, upload.filename) == (
        signed_in,
        unit_mo,
        "organisations",
        "vereine.xlsx",
    )
    assert upload.sha256 == hashlib.sha256(content).hexdigest() and upload.row_count == 2
    # The columns are recognised by their headers.
    assert upload.mapping == {"0": "name", "1": "legal_form", "2": "region", "3": "municipality"}

    page = client.get(reverse("casework:import_mapping", args=[upload.pk]))
    assert page.status_code == 200
    assert 'value="name" selected' in page.content.decode()
    assert "Kulturverein Sonnenaufgang e. V." in text(page)  # sample values help to recognise a column

    response = client.post(
        reverse("casework:import_mapping", args=[upload.pk]), mapping_post(upload, save_as="Vereinsliste 2025")
    )
    assert response.status_code == 302 and response.url == reverse("casework:import_values", args=[upload.pk])
    saved = ImportMapping.objects.get()
    assert (saved.unit, saved.kind, saved.name) == (unit_mo, "organisations", "Vereinsliste 2025")
    assert saved.columns == {
        "Name": "name",
        "Rechtsform": "legal_form",
        "Kreis": "region",
        "Gemeinde / Stadt": "municipality",
    }

    # "Kasel (Stadt)" matches no Kreis: mapped once for the file, with a suggestion.
    page = client.get(reverse("casework:import_values", args=[upload.pk]))
    assert page.status_code == 200
    assert "„Kasel (Stadt)“" in text(page) and "Meinten Sie „Kassel (Stadt)“?" in text(page)
    field_name, kassel = _suggested_choice(page, "Kassel (Stadt)")
    response = client.post(reverse("casework:import_values", args=[upload.pk]), {field_name: kassel})
    assert response.status_code == 302 and response.url == reverse("casework:import_preview", args=[upload.pk])
    upload.refresh_from_db()
    assert list(upload.value_map) == ["region"]
    saved.refresh_from_db()
    assert saved.value_map == upload.value_map  # kept with the saved mapping for the next file

    # The dry run writes nothing.
    page = client.get(reverse("casework:import_preview", args=[upload.pk]))
    assert page.status_code == 200
    assert re.search(r'data-count="new">2<', page.content.decode())
    assert re.search(r'data-count="error">0<', page.content.decode())
    assert "Importieren" in text(page)
    assert Organisation.objects.count() == organisations_before
    assert not ImportRun.objects.exists()

    response = client.post(reverse("casework:import_confirm", args=[upload.pk]))
    assert response.status_code == 302 and response.url == reverse("casework:import_history")
    run = ImportRun.objects.get()
    assert (run.unit, run.created_by, run.filename, run.sha256) == (unit_mo, signed_in, "vereine.xlsx", upload.sha256)
    assert run.counts["new"] == 2
    created = Organisation.objects.filter(name__in=[row[0] for row in ROWS])
    assert created.count() == 2
    assert {org.region.name for org in created} == {"Marburg-Biedenkopf", "Kassel (Stadt)"}
    assert all(list(org.units.all()) == [unit_mo] for org in created)
    upload.refresh_from_db()
    assert upload.status == ImportUpload.Status.DONE and upload.run == run and bytes(upload.data) == b""

    history = client.get(reverse("casework:import_history"))
    assert history.status_code == 200
    assert "vereine.xlsx" in text(history) and upload.sha256[:12] in text(history)
    assert "Rückgängig machen" in text(history)
    assert "wurde importiert: 2 neu" in text(history)  # the message after the import

    page = client.get(reverse("casework:import_undo", args=[run.pk]))
    assert page.status_code == 200 and "Import rückgängig machen?" in text(page)
    assert Organisation.objects.filter(pk__in=created.values("pk")).count() == 2  # GET changes nothing
    response = client.post(reverse("casework:import_undo", args=[run.pk]))
    assert response.status_code == 302 and response.url == reverse("casework:import_history")
    assert not Organisation.objects.filter(name__in=[row[0] for row in ROWS]).exists()
    run.refresh_from_db()
    assert run.status == ImportRun.Status.UNDONE
    assert "rückgängig gemacht" in text(client.get(reverse("casework:import_history")))


def _suggested_choice(page, label):
    """The select of the value page offering `label`, and that option's value."""
    html = page.content.decode()
    for select in re.finditer(r'<select name="(value_\d+)".*?</select>', html, re.S):
        option = re.search(r'<option value="([^"]+)"[^>]*>' + re.escape(label) + "</option>", select.group(0))
        if option:
            return select.group(1), option.group(1)
    raise AssertionError(f"no option {label}")


def test_bad_file_shows_its_german_message_and_changes_nothing(client, signed_in):
    file = io.BytesIO(b"this is not a spreadsheet at all")
    file.name = "liste.xlsx"
    response = client.post(reverse("casework:import_start"), {"kind": "organisations", "file": file})
    assert response.status_code == 400
    assert "Excel" in text(response) and 'class="invalid-feedback' in response.content.decode()
    assert not ImportUpload.objects.exists()


def test_file_too_big_is_refused_before_reading(client, signed_in, monkeypatch):
    monkeypatch.setattr(import_forms.reading, "MAX_BYTES", 100)
    monkeypatch.setattr(import_forms.reading, "read_table", _must_not_read)
    response = upload_file(client, xlsx(ROWS))
    assert response.status_code == 400
    assert "Die Datei ist zu groß" in text(response)
    assert not ImportUpload.objects.exists()


def _must_not_read(*args, **kwargs):
    raise AssertionError("read although too big")


def test_other_file_types_are_refused(client, signed_in):
    response = upload_file(client, b"%PDF-1.7", name="liste.pdf")
    assert response.status_code == 400
    assert "Bitte eine Excel-Datei (.xlsx) oder eine CSV-Datei hochladen." in text(response)


def test_missing_required_field_is_named(client, signed_in):
    upload = start(client)
    response = client.post(reverse("casework:import_mapping", args=[upload.pk]), mapping_post(upload, column_0=""))
    assert response.status_code == 400
    assert "Diese Pflichtfelder sind keiner Spalte zugeordnet: Name." in text(response)
    upload.refresh_from_db()
    assert upload.mapping["0"] == "name"


def test_one_field_for_two_columns_is_refused(client, signed_in):
    upload = start(client)
    response = client.post(reverse("casework:import_mapping", args=[upload.pk]), mapping_post(upload, column_3="name"))
    assert response.status_code == 400
    assert "„Name“ ist schon der Spalte „Name“ zugeordnet." in text(response)


def test_saved_mapping_is_reused_for_the_next_file(client, signed_in, unit_mo, unit_lots):
    headers = ["Verein XY", "RF", "Gebiet", "Wo"]  # nothing to guess from
    saved = ImportMapping.objects.create(
        unit=unit_mo,
        kind="organisations",
        name="Liste des Landes",
        columns={"Gebiet": "region", "Verein XY": "name", "RF": "legal_form", "Wo": "municipality"},
        value_map={"region": {"kasel (stadt)": 1}},
    )
    ImportMapping.objects.create(unit=unit_lots, kind="organisations", name="Fremd", columns={})
    response = upload_file(client, xlsx(ROWS, headers=headers))
    upload = ImportUpload.objects.get()
    assert response.status_code == 302 and upload.mapping == {}

    page = client.get(reverse("casework:import_mapping", args=[upload.pk]))
    assert "Liste des Landes" in text(page) and "Fremd" not in text(page)  # the other unit's mappings are not offered
    response = client.post(reverse("casework:import_mapping_apply", args=[upload.pk]), {"saved": saved.pk})
    assert response.status_code == 302
    upload.refresh_from_db()
    assert upload.mapping == {"0": "name", "1": "legal_form", "2": "region", "3": "municipality"}
    assert upload.value_map == saved.value_map and upload.saved_mapping == saved

    foreign = ImportMapping.objects.get(name="Fremd")
    client.post(reverse("casework:import_mapping_apply", args=[upload.pk]), {"saved": foreign.pk})
    upload.refresh_from_db()
    assert upload.saved_mapping == saved


def test_errors_are_shown_at_their_cells_first_and_block_the_import(client, signed_in):
    rows = [*ROWS[:1], ["", "Stiftung", "Marburg-Biedenkopf", "Marburg"]]
    upload = start(client, rows=rows)
    page = client.get(reverse("casework:import_preview", args=[upload.pk]))
    html = text(page)
    assert page.status_code == 200
    assert re.search(r'data-count="error">1<', page.content.decode())
    assert "Importieren</button>" not in html
    # The row with the error comes first, with its column.
    body = html[html.index("<tbody>") :]
    assert body.index("<strong>Name:</strong>") < body.index("Kulturverein Sonnenaufgang e. V.")
    assert re.search(r'<td class="text-end">3</td>', body)

    response = client.post(reverse("casework:import_confirm", args=[upload.pk]))
    assert response.status_code == 302 and response.url == reverse("casework:import_preview", args=[upload.pk])
    assert not ImportRun.objects.exists()
    assert not Organisation.objects.filter(name="Kulturverein Sonnenaufgang e. V.").exists()


def _ready(client, rows=ROWS) -> ImportUpload:
    """An upload whose dry run has no errors (the unknown Kreis mapped)."""
    upload = start(client, rows=rows)
    page = client.get(reverse("casework:import_values", args=[upload.pk]))
    if page.status_code == 200:
        field_name, kassel = _suggested_choice(page, "Kassel (Stadt)")
        client.post(reverse("casework:import_values", args=[upload.pk]), {field_name: kassel})
    response = client.get(reverse("casework:import_preview", args=[upload.pk]))
    assert response.status_code in (200, 302)  # large files are checked in the worker, then shown
    upload.refresh_from_db()
    assert upload.plan["ok"], upload.plan
    return upload


def test_double_confirm_imports_once(client, signed_in):
    upload = _ready(client)
    first = client.post(reverse("casework:import_confirm", args=[upload.pk]))
    second = client.post(reverse("casework:import_confirm", args=[upload.pk]))
    assert first.url == reverse("casework:import_history")
    assert second.status_code == 302 and second.url == reverse("casework:import_status", args=[upload.pk])
    assert ImportRun.objects.count() == 1
    assert Organisation.objects.filter(name="Kulturverein Sonnenaufgang e. V.").count() == 1
    # A parallel request that passed the first check still loses the claim.
    upload.refresh_from_db()
    assert not tasks.claim(upload, background=False)


def test_large_file_is_checked_and_imported_in_the_background(client, signed_in, monkeypatch):
    monkeypatch.setattr(tasks, "BACKGROUND_ABOVE_ROWS", 1)
    upload = start(client)
    field_name, kassel = _suggested_choice(
        client.get(reverse("casework:import_values", args=[upload.pk])), "Kassel (Stadt)"
    )
    client.post(reverse("casework:import_values", args=[upload.pk]), {field_name: kassel})

    # The dry run goes to the worker; the test settings run tasks at once (django-tasks' immediate backend).
    preview_url = reverse("casework:import_preview", args=[upload.pk])
    status_url = reverse("casework:import_status", args=[upload.pk])
    response = client.get(preview_url)
    assert response.status_code == 302 and response.url == status_url
    upload.refresh_from_db()
    assert upload.status == ImportUpload.Status.DRAFT and upload.plan["counts"]["new"] == 2
    assert not Organisation.objects.filter(name="Kulturverein Sonnenaufgang e. V.").exists()
    state = client.get(reverse("casework:import_progress", args=[upload.pk])).json()
    assert state["finished"] and state["redirect"] and state["next"] == preview_url
    assert state["done"] == state["total"] == 2
    page = client.get(preview_url)
    assert page.status_code == 200 and "im Hintergrund" in text(page)

    response = client.post(reverse("casework:import_confirm", args=[upload.pk]))
    assert response.status_code == 302 and response.url == status_url
    upload.refresh_from_db()
    assert upload.status == ImportUpload.Status.DONE and upload.run.counts["new"] == 2
    assert Organisation.objects.filter(name="Kulturverein Sonnenaufgang e. V.").count() == 1

    state = client.get(reverse("casework:import_progress", args=[upload.pk])).json()
    assert state["status"] == "done" and state["finished"] and state["redirect"]
    assert state["next"] == reverse("casework:import_history") and state["done"] == state["total"] == 2
    page = client.get(status_url)
    assert page.status_code == 200 and "js/imports.js" in page.content.decode()
    assert "<script>" not in page.content.decode()


def test_large_file_being_checked_is_not_checked_twice(client, signed_in, monkeypatch):
    monkeypatch.setattr(tasks, "BACKGROUND_ABOVE_ROWS", 1)
    upload = start(client)
    assert tasks.claim_plan(upload)
    enqueued = []
    monkeypatch.setattr(tasks, "plan_upload", SimpleNamespace(enqueue=enqueued.append))
    response = client.get(reverse("casework:import_preview", args=[upload.pk]))
    assert response.url == reverse("casework:import_status", args=[upload.pk]) and enqueued == []
    state = client.get(reverse("casework:import_progress", args=[upload.pk])).json()
    assert (state["status"], state["label"], state["finished"]) == ("planning", "wird geprüft", False)


def test_queued_upload_shows_progress_and_is_run_once_by_the_task(client, signed_in):
    upload = _ready(client)
    assert tasks.claim(upload, background=True)
    state = client.get(reverse("casework:import_progress", args=[upload.pk])).json()
    assert state == {
        "status": "queued",
        "label": "wartet",
        "done": 0,
        "total": 2,
        "percent": 0,
        "finished": False,
        "redirect": False,
        "error": "",
        "next": "",
    }
    # Its steps lead to the status page now.
    response = client.get(reverse("casework:import_mapping", args=[upload.pk]))
    assert response.url == reverse("casework:import_status", args=[upload.pk])
    tasks.run_upload.call(upload.pk)
    tasks.run_upload.call(upload.pk)  # a retried task finds it done
    assert ImportRun.objects.count() == 1


def test_undo_refused_when_a_record_changed_since(client, signed_in):
    upload = _ready(client)
    client.post(reverse("casework:import_confirm", args=[upload.pk]))
    run = ImportRun.objects.get()
    organisation = Organisation.objects.get(name="Kulturverein Sonnenaufgang e. V.")
    # Someone saved it since (a save raises its version).
    Organisation.objects.filter(pk=organisation.pk).update(version=F("version") + 1)
    response = client.post(reverse("casework:import_undo", args=[run.pk]), follow=True)
    assert response.status_code == 200
    assert 'class="alert alert-danger"' in response.content.decode()
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE
    assert Organisation.objects.filter(pk=organisation.pk).exists()


def test_old_uploads_are_removed(client, signed_in):
    now = timezone.now()
    old = start(client)
    finished = start(client)
    kept = start(client)
    ImportUpload.objects.filter(pk=old.pk).update(created_at=now - datetime.timedelta(days=8))
    ImportUpload.objects.filter(pk=finished.pk).update(status="done", updated_at=now - datetime.timedelta(days=2))
    ImportUpload.objects.filter(pk=kept.pk).update(created_at=now - datetime.timedelta(days=6))
    recent = start(client)  # each upload clears away what is due
    assert set(ImportUpload.objects.all()) == {kept, recent}


def test_the_daily_deletion_periods_remove_old_uploads_too(client, signed_in):
    old = start(client)
    kept = start(client)
    ImportUpload.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert ImportUpload.objects.count() == 2  # a dry run changes nothing
    call_command("apply_retention", stdout=out)
    assert list(ImportUpload.objects.all()) == [kept]
    assert "gelöscht: 1 Import-Uploads" in out.getvalue()


def test_template_download(client, signed_in):
    response = client.get(reverse("casework:import_template", args=["organisations"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="vorlage-organisations-mo.xlsx"' in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    assert any(str(header).startswith("Name") for header in headers)
    assert client.get(reverse("casework:import_template", args=["unbekannt"])).status_code == 404


def test_start_page_and_navigation(client, signed_in):
    page = client.get(reverse("casework:import_start"))
    assert page.status_code == 200
    html = text(page)
    for label in ("Organisationen", "Beratungen", "Veranstaltungen"):
        assert label in html
    assert f'href="{reverse("casework:import_start")}">Import</a>' in html
    assert 'name="unit"' not in html  # one unit: not asked


def test_administrator_chooses_the_unit(client, people, unit_lots):
    client.force_login(people["admin"])
    page = client.get(reverse("casework:import_start"))
    assert "Fachstelle" in text(page) and "<select" in page.content.decode()
    response = upload_file(client, xlsx(ROWS), unit=unit_lots.pk)
    assert response.status_code == 302
    assert ImportUpload.objects.get().unit == unit_lots


def test_many_unknown_values_are_offered_a_page_at_a_time(client, signed_in, monkeypatch):
    from casework.imports import views

    monkeypatch.setattr(views, "MAX_VALUES_SHOWN", 1)
    monkeypatch.setattr(import_forms, "MAX_OTHER_OPTIONS", 0)
    rows = [ROWS[1], ["Frauenverein Stern", "Stiftung", "Marbrug-Biedenkopf", "Marburg"]]
    upload = start(client, rows=rows)
    url = reverse("casework:import_values", args=[upload.pk])
    page = client.get(url)
    html = text(page)
    assert html.count("<select") == 1 and "Ein weiterer Wert hat keine Zuordnung" in html
    # Instead of every Kreis, only the suggestions (the list would be too long).
    assert "Nur Vorschläge" in html and "Alle Einträge" not in html
    first = "Kasel (Stadt)" if "„Kasel (Stadt)“" in html else "Marbrug-Biedenkopf"
    suggestion = "Kassel (Stadt)" if first == "Kasel (Stadt)" else "Marburg-Biedenkopf"
    field_name, pk = _suggested_choice(page, suggestion)
    assert client.post(url, {field_name: pk}).status_code == 302

    # The next visit offers the value not chosen yet.
    html = text(client.get(url))
    other = "Marbrug-Biedenkopf" if first == "Kasel (Stadt)" else "Kasel (Stadt)"
    assert f"„{other}“" in html and f"„{first}“" not in html
    upload.refresh_from_db()
    assert len(upload.value_map["region"]) == 1


def test_progress_of_an_import_is_written_through_its_own_connection(client, signed_in):
    from django.db import connection

    upload = start(client)
    reporter = tasks.ProgressReporter(upload.pk)
    if connection.vendor == "sqlite":
        assert reporter.connection is None  # one writer, the import itself: nothing is written
        reporter.report(100, 600)
    else:
        assert reporter.connection is not None and reporter.connection is not connection  # a second connection
        reporter.close()
    # The test's own connection stands in for the second one (the test's transaction hides other connections).
    reporter.connection = connection
    reporter.report(50, 600)  # less than PROGRESS_EVERY_ROWS since the last report: skipped
    upload.refresh_from_db()
    assert (upload.progress_done, upload.progress_total) == (0, 0)
    reporter.report(200, 600)
    upload.refresh_from_db()
    assert (upload.progress_done, upload.progress_total) == (200, 600)
    reporter.connection = None


def test_events_from_a_csv_file(client, signed_in, unit_mo):
    from casework.models import Event

    content = "Titel;Art;Datum;Format;Teilnehmende\r\nFachtag Vielfalt;Fachtag;12.03.2026;online;40\r\n"
    upload = start(client, content=content.encode("utf-8"), name="termine.csv", kind="events")
    assert upload.mapping == {"0": "title", "1": "kind", "2": "date", "3": "format", "4": "participants"}
    client.post(reverse("casework:import_mapping", args=[upload.pk]), mapping_post(upload))
    page = client.get(reverse("casework:import_preview", args=[upload.pk]))
    assert re.search(r'data-count="new">1<', page.content.decode()), text(page)
    client.post(reverse("casework:import_confirm", args=[upload.pk]))
    event = Event.objects.get(title="Fachtag Vielfalt")
    assert (event.unit, event.date, event.participants) == (unit_mo, datetime.date(2026, 3, 12), 40)
