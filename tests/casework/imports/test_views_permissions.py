"""Who may use the import screens, by POST too: denied people change nothing.

The GET statuses per role are rows of the permission matrix (tests/matrix/imports.py).
"""

import hashlib
import io

import pytest
from django.urls import reverse

from casework.imports.models import ImportMapping, ImportRun, ImportUpload
from organisations.models import Organisation
from tests.matrix import LOGIN
from tests.matrix.imports import CSV

pytestmark = pytest.mark.django_db


@pytest.fixture
def upload(people, unit_mo):
    return ImportUpload.objects.create(
        owner=people["coordinator_mo"],
        unit=unit_mo,
        kind="organisations",
        filename="vereine.csv",
        sha256=hashlib.sha256(CSV).hexdigest(),
        data=CSV,
        row_count=1,
        mapping={"0": "name", "1": "legal_form", "2": "region"},
        # A dry run without errors, as the preview would have stored it.
        plan={"counts": {"new": 1, "update": 0, "unchanged": 0, "error": 0}, "ok": True, "rows": []},
    )


@pytest.fixture
def run(unit_mo):
    return ImportRun.objects.create(
        unit=unit_mo, kind="organisations", filename="alt.csv", sha256="0" * 64, counts={"new": 0}
    )


def login(client, people, role):
    if role != "anonymous":
        client.force_login(people[role])


DENIED = [("anonymous", LOGIN), ("advisor_mo", 403), ("advisor_lots", 403), ("coordinator_lots", 404), ("admin", 404)]


@pytest.mark.parametrize(("role", "expected"), DENIED)
@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("casework:import_mapping", {"column_0": "name", "column_1": "legal_form", "column_2": "region"}),
        ("casework:import_mapping_apply", {}),
        ("casework:import_values", {}),
        ("casework:import_confirm", {}),
    ],
)
def test_denied_posts_on_an_upload_change_nothing(client, people, upload, role, expected, name, data):
    login(client, people, role)
    response = client.post(reverse(name, args=[upload.pk]), data)
    assert response.status_code == expected
    upload.refresh_from_db()
    assert upload.status == ImportUpload.Status.DRAFT and upload.plan is not None
    assert not ImportRun.objects.exists()
    assert not Organisation.objects.filter(name="Kulturverein Matrix e. V.").exists()


@pytest.mark.parametrize(("role", "expected"), [("anonymous", LOGIN), ("advisor_mo", 403), ("coordinator_lots", 404)])
def test_denied_undo_changes_nothing(client, people, run, role, expected):
    login(client, people, role)
    response = client.post(reverse("casework:import_undo", args=[run.pk]))
    assert response.status_code == expected
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE


@pytest.mark.parametrize(("role", "expected"), [("anonymous", LOGIN), ("advisor_mo", 403), ("advisor_lots", 403)])
def test_denied_upload_stores_nothing(client, people, role, expected):
    login(client, people, role)
    file = io.BytesIO(CSV)
    file.name = "vereine.csv"
    response = client.post(reverse("casework:import_start"), {"kind": "organisations", "file": file})
    assert response.status_code == expected
    assert not ImportUpload.objects.exists()


def test_coordinator_cannot_upload_into_the_other_unit(client, people, unit_mo, unit_lots):
    login(client, people, "coordinator_mo")
    file = io.BytesIO(CSV)
    file.name = "vereine.csv"
    response = client.post(
        reverse("casework:import_start"), {"kind": "organisations", "file": file, "unit": unit_lots.pk}
    )
    # A coordinator is not asked for a unit: the posted one is ignored, the file goes to their own.
    assert response.status_code == 302
    assert ImportUpload.objects.get().unit == unit_mo


def test_saved_mappings_of_the_other_unit_are_not_applied(client, people, upload, unit_lots):
    foreign = ImportMapping.objects.create(unit=unit_lots, kind="organisations", name="Fremd", columns={"Name": "x"})
    login(client, people, "coordinator_mo")
    response = client.post(reverse("casework:import_mapping_apply", args=[upload.pk]), {"saved": foreign.pk})
    assert response.status_code == 302
    upload.refresh_from_db()
    assert upload.saved_mapping is None and upload.mapping["0"] == "name"


def test_history_shows_only_the_units_imports(client, people, run, unit_lots):
    ImportRun.objects.create(unit=unit_lots, kind="events", filename="lots-geheim.csv", sha256="1" * 64)
    login(client, people, "coordinator_mo")
    page = client.get(reverse("casework:import_history")).content.decode()
    assert "alt.csv" in page and "lots-geheim.csv" not in page


def test_upload_of_the_other_unit_is_not_found_by_its_coordinator(client, people, upload):
    login(client, people, "coordinator_lots")
    for name in ("casework:import_mapping", "casework:import_preview", "casework:import_status"):
        assert client.get(reverse(name, args=[upload.pk])).status_code == 404
    assert client.post(reverse("casework:import_confirm", args=[upload.pk])).status_code == 404


def test_history_queries_do_not_grow_with_the_runs(client, people, unit_mo, django_assert_max_num_queries):
    for number in range(30):
        ImportRun.objects.create(unit=unit_mo, kind="events", filename=f"liste-{number}.csv", sha256="2" * 64)
    login(client, people, "coordinator_mo")
    with django_assert_max_num_queries(12):
        page = client.get(reverse("casework:import_history"))
    assert page.status_code == 200 and "liste-29.csv" in page.content.decode()
