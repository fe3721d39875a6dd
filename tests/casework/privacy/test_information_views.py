"""The Art. 15 download: who gets it, what the ZIP holds, that it is logged, and that it follows the sharing rule."""

import datetime
import io
import json
import zipfile

import pypdf
import pytest
from django.urls import reverse

from casework.audit.models import AccessEvent
from casework.models import Case, CaseGoal
from casework.privacy import information
from reports.pdf import RenderError
from tests.factories import ConsultationFactory

pytestmark = pytest.mark.django_db


def org_url(pk):
    return reverse("casework:information_organisation", args=[pk])


def contact_url(pk):
    return reverse("casework:information_contact", args=[pk])


def unzip(response):
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    return {name: archive.read(name) for name in archive.namelist()}


def the_json(files):
    return json.loads(next(content for name, content in files.items() if name.endswith(".json")))


def test_coordinator_downloads_one_zip_with_pdf_json_and_csv_and_it_is_logged(client, people, records):
    org = records["org_own"]
    client.force_login(people["coordinator_mo"])

    response = client.post(org_url(org.pk))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "private, no-store"
    stem = f"auskunft-art15-organisation-{org.pk}"
    assert response["Content-Disposition"] == f'attachment; filename="{stem}.zip"'
    files = unzip(response)
    assert {f"{stem}.pdf", f"{stem}.json"} <= set(files)
    assert "csv/03-consultations.csv" in files
    assert files["csv/03-consultations.csv"].startswith("\ufeff".encode())
    document = the_json(files)
    assert document["subject"] == {"kind": "organisation", "id": org.pk}
    consultations = next(s for s in document["sections"] if s["key"] == "consultations")["records"]
    assert len(consultations) == org.consultations.count() == 4
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(files[f"{stem}.pdf"])).pages)
    assert "Auskunft nach Art. 15 DSGVO" in text
    assert "Kulturverein Anatolien e.V." in text
    assert "Löschfristen" in text
    # No file name carries a name; the log names the record by kind and id only.
    assert all("Kulturverein" not in name for name in files)
    event = AccessEvent.objects.get(kind=AccessEvent.Kind.EXPORT)
    assert (event.user, event.target_kind, event.target_id) == (people["coordinator_mo"], "organisation", str(org.pk))
    assert "Kulturverein" not in event.detail


def test_the_page_describes_the_export_without_producing_it(client, people, records):
    client.force_login(people["coordinator_mo"])
    response = client.get(org_url(records["org_own"].pk))
    assert response.status_code == 200
    assert "Auskunft herunterladen (ZIP)" in response.content.decode()
    assert not AccessEvent.objects.filter(kind=AccessEvent.Kind.EXPORT).exists()


@pytest.mark.parametrize(
    ("role", "target", "expected"),
    [
        ("advisor_mo", "org_own", 403),
        ("advisor_lots", "org_shared", 403),
        ("coordinator_lots", "org_own", 404),
        ("coordinator_mo", "org_foreign", 404),
    ],
)
def test_denied_people_get_no_export_and_nothing_is_logged(client, people, records, role, target, expected):
    client.force_login(people[role])
    response = client.post(org_url(records[target].pk))
    assert response.status_code == expected
    assert response.get("Content-Type") != "application/zip"
    assert not AccessEvent.objects.filter(kind=AccessEvent.Kind.EXPORT).exists()


@pytest.mark.parametrize("pk", ["0", "99999999", "99999999999999999999999", "abc"])
@pytest.mark.parametrize("kind", ["organisationen", "ansprechpersonen"])
def test_bad_ids_are_404(client, people, records, pk, kind):
    client.force_login(people["admin"])
    for method in (client.get, client.post):
        response = method(f"/{kind}/{pk}/auskunft/")
        assert response.status_code == 404


def test_partner_unit_gets_only_what_it_sees(client, people, matrix_records, unit_mo):
    """Lots' coordinator sees org_shared through one shared consultation: MO's own records on it stay out."""
    org = matrix_records["org_shared"]
    ConsultationFactory(unit=unit_mo, organisation=org, summary="QyMOonlyQy", agreements="")
    Case.objects.create(
        unit=unit_mo,
        organisation=org,
        title="QyMOcaseQy",
        goal=CaseGoal.objects.filter(unit=unit_mo).first(),
        opened_on=datetime.date(2026, 3, 3),
    )
    client.force_login(people["coordinator_lots"])

    files = unzip(client.post(org_url(org.pk)))

    document = the_json(files)
    consultations = next(s for s in document["sections"] if s["key"] == "consultations")["records"]
    assert [c["id"] for c in consultations] == [matrix_records["shared"].pk]
    # The shared consultation hangs on MO's case, which Lots does not see: not named, not even by id.
    assert consultations[0]["case"] == {"id": None, "name": str(information.HIDDEN)}
    assert next(s for s in document["sections"] if s["key"] == "cases")["records"] == []
    everything = b"".join(content for name, content in files.items() if not name.endswith(".pdf")).decode("utf-8")
    for secret in ("QyMOonlyQy", "QyMOcaseQy", matrix_records["case_shared"].title):
        assert secret not in everything


def test_contact_export_holds_the_person_history_and_mentions(client, people, records, unit_mo):
    contact = records["contact_own"]
    contact.function = "Kasse"
    contact.save()
    ConsultationFactory(
        unit=unit_mo, organisation=records["org_own"], summary="Mit Selin Kaya die Satzung besprochen.", agreements=""
    )
    ConsultationFactory(unit=records["foreign"].unit, organisation=records["org_foreign"], summary="Selin Kaya?")
    client.force_login(people["coordinator_mo"])

    response = client.post(contact_url(contact.pk))

    assert response["Content-Disposition"] == f'attachment; filename="auskunft-art15-ansprechperson-{contact.pk}.zip"'
    document = the_json(unzip(response))
    sections = {s["key"]: s["records"] for s in document["sections"]}
    assert sections["contact_person"][0]["name"] == "Selin Kaya"
    assert [h["function"] for h in sections["history_contactperson"]] == ["Vorsitz", "Kasse"]
    # Mentions only in what MO may see: the Lots consultation naming her stays out.
    assert [m["text"] for m in sections["mentions"]] == ["Mit Selin Kaya die Satzung besprochen."]
    event = AccessEvent.objects.get(kind=AccessEvent.Kind.EXPORT)
    assert (event.target_kind, event.target_id) == ("contactperson", str(contact.pk))


def test_contact_of_a_foreign_organisation_is_404(client, people, records):
    client.force_login(people["coordinator_mo"])
    assert client.post(contact_url(records["contact_foreign"].pk)).status_code == 404


def test_failed_pdf_gives_a_german_message_and_logs_nothing(client, people, records, monkeypatch):
    def fail(document):
        raise RenderError("Die PDF-Erzeugung hat das Zeitlimit von 60 s überschritten.")

    monkeypatch.setattr(information, "build_package", fail)
    client.force_login(people["coordinator_mo"])
    response = client.post(org_url(records["org_own"].pk))
    assert response.status_code == 503
    assert "Die Auskunft konnte nicht erzeugt werden" in response.content.decode()
    assert not AccessEvent.objects.filter(kind=AccessEvent.Kind.EXPORT).exists()


@pytest.mark.parametrize(("role", "shown"), [("coordinator_mo", True), ("advisor_mo", False), ("admin", True)])
def test_organisation_page_offers_the_export_to_whoever_may_use_it(client, people, records, role, shown):
    client.force_login(people[role])
    html = client.get(reverse("organisations:organisation_detail", args=[records["org_own"].pk])).content.decode()
    assert (org_url(records["org_own"].pk) in html) is shown
    assert (contact_url(records["contact_own"].pk) in html) is shown


def _queries_for_export(people, org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        information.organisation_information(people["coordinator_mo"], org)
    return len(captured)


def test_queries_do_not_grow_with_the_records(people, records, unit_mo):
    """One query per section and related model, however many records: the export stays bounded in time."""
    from casework.models import FollowUp

    org = records["org_own"]
    _queries_for_export(people, org)  # warms the per-request caches (unit grants, content types)
    before = _queries_for_export(people, org)
    for consultation in ConsultationFactory.create_batch(5, unit=unit_mo, organisation=org):
        FollowUp.objects.create(
            unit=unit_mo,
            consultation=consultation,
            due_on=datetime.date(2026, 4, 1),
            what="Nachfassen",
            assigned_to=people["advisor_mo"],
        )
    assert _queries_for_export(people, org) == before
