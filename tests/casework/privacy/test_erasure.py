"""Art. 17: erasing a contact person and anonymising an organisation leave no trace anywhere in the
database, keep every funder figure, and deleting any record keeps no free text in its history."""

import datetime
import hashlib
import json

import pytest
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from casework.audit.models import AccessEvent
from casework.consultations import services as consultation_services
from casework.events import services as event_services
from casework.models import Assessment, Case, CaseGoal, Consultation, Event, FollowUp, QualityCriterion
from casework.privacy import erasure
from casework.quality import services as quality_services
from organisations import services as organisation_services
from organisations.models import ContactPerson, Organisation
from tests.factories import ConsultationFactory, OrganisationFactory

MARKER = "qzx"  # every personal text of the subject below carries it; nothing else in the database does
DAY = datetime.date(2025, 5, 6)
NOW = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


# --- Looking through the whole database -----------------------------------------------------------


def _text(value) -> str:
    if isinstance(value, memoryview | bytes | bytearray):
        return bytes(value).decode("utf-8", "replace")
    return "" if value is None else str(value)


def database_rows():
    """Every row of every table, as text values: {table: [tuple of str]}. Sessions are decoded."""
    rows = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608 - table names from introspection
            values = [tuple(_text(value) for value in row) for row in cursor.fetchall()]
            if table == "django_session":
                values = [(*row, json.dumps(SessionStore().decode(row[1]))) for row in values]
            rows[table] = sorted(values)
    return rows


def database_fingerprint() -> dict:
    """Per table: the row count and a hash of all its values."""
    return {
        table: (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()) for table, rows in database_rows().items()
    }


# Random text, not personal text: salted password hashes (one in about seventy runs, a hash held the marker's three
# letters) and signed session data (it held them once too); a session is read decoded instead (database_rows).
NOT_TEXT = {("auth_user", "password"), ("django_session", "session_data")}
DECODED_SESSION = "session_data (decoded)"


def tables_containing(marker: str) -> dict:
    found = {}
    for table, rows in database_rows().items():
        columns = [column.name for column in connection.introspection.get_table_description(connection.cursor(), table)]
        if table == "django_session":
            columns.append(DECODED_SESSION)
        for row in rows:
            for column, value in zip(columns, row, strict=True):
                if marker in value.lower() and (table, column) not in NOT_TEXT:
                    found.setdefault(table, set()).add(column)
    return found


# --- The subject: an organisation with everything around it ------------------------------------------


@pytest.fixture
def subject(people, unit_mo, unit_lots):
    """An organisation of MO whose every personal text carries the marker, with history, admin log and task queue."""
    by = people["coordinator_mo"]
    organisation = OrganisationFactory(
        units=[unit_mo],
        name="Qzx Kulturverein e.V.",
        municipality="Qzxhausen",
        email="info@qzx-verein.example",
        phone="+49 69 1234 qzx",
        website="https://qzx-verein.example",
        founding_year=2011,
    )
    organisation_services.organisation_save(organisation=organisation, by=by, unit_ids=[unit_mo.pk])  # history
    duplicate = OrganisationFactory(units=[unit_mo], name="Qzx Kulturverein", municipality="Qzxhausen")
    ConsultationFactory(unit=unit_mo, organisation=duplicate, date=DAY, summary="Qzx Dublette")
    organisation_services.organisation_merge(keep=organisation, remove=duplicate, by=by)
    contact = organisation.contacts.create(
        name="Qzxperson Yilmaz", function="Qzx-Vorsitz", email="yilmaz@qzx.example", phone="0151 qzx", consent_date=DAY
    )
    consultation = ConsultationFactory(
        unit=unit_mo,
        shared_with=unit_lots,
        organisation=organisation,
        date=DAY,
        summary="Qzx Satzung mit Qzxperson Yilmaz besprochen",
        agreements="Qzx Entwurf",
    )
    consultation.summary = "Qzx Satzung, zweite Fassung"
    consultation_services.consultation_save(
        consultation=consultation, by=by, topics=list(consultation.topics.all()), advisors=[people["advisor_mo"]]
    )
    case = Case.objects.create(
        unit=unit_mo,
        organisation=organisation,
        title="Qzx Eintragung",
        description="Qzx Ausgangslage",
        goal=CaseGoal.objects.filter(unit=unit_mo).first(),
        opened_on=DAY,
    )
    FollowUp.objects.create(
        unit=unit_mo, consultation=consultation, due_on=DAY, what="Qzx nachfassen", assigned_to=people["advisor_mo"]
    )
    FollowUp.objects.create(unit=unit_mo, case=case, due_on=DAY, what="Qzx Unterlagen", assigned_to=by)
    criterion = QualityCriterion.objects.filter(area__unit=unit_lots).first()
    assessment = Assessment.objects.create(unit=unit_lots, organisation=organisation, date=DAY, note="Qzx Notiz")
    assessment.ratings.create(criterion=criterion, rating="partly", note="Qzx Bewertung")
    alone = Event.objects.create(
        unit=unit_mo, title="Qzx Vereinsabend", kind="networking", date=DAY, format="in_person", participants=9
    )
    alone.organisations.set([organisation])
    other = OrganisationFactory(units=[unit_mo], name="Anderer Verein")
    together = Event.objects.create(
        unit=unit_mo, title="Fachtag Vereinsrecht", kind="conference", date=DAY, format="online", participants=30
    )
    together.organisations.set([organisation, other])
    content_type = ContentType.objects.get_for_model(Organisation)
    LogEntry.objects.create(
        user=people["admin"],
        content_type=content_type,
        object_id=str(organisation.pk),
        object_repr=organisation.name,
        action_flag=CHANGE,
        change_message=json.dumps([{"added": {"name": "Ansprechperson", "object": contact.name}}]),
    )
    LogEntry.objects.create(
        user=people["admin"],
        content_type=ContentType.objects.get_for_model(ContactPerson),
        object_id=str(contact.pk),
        object_repr=contact.name,
        action_flag=CHANGE,
        change_message="[]",
    )
    LogEntry.objects.create(
        user=people["admin"],
        content_type=ContentType.objects.get_for_model(Consultation),
        object_id="999999",
        object_repr=f"{organisation.name} – 06.05.2025",
        action_flag=DELETION,
        change_message="",
    )
    DBTaskResult.objects.create(
        status="FAILED",
        args_kwargs={"args": [], "kwargs": {"report_id": 1}},
        task_path="reports.tasks.generate_report",
        backend_name="default",
        run_after=None,
        exception_class_path="ValueError",
        traceback=f"ValueError: {organisation.name}",
    )
    organisation.refresh_from_db()
    return {
        "organisation": organisation,
        "contact": contact,
        "consultation": consultation,
        "case": case,
        "assessment": assessment,
        "alone": alone,
        "together": together,
        "by": by,
    }


def test_the_subject_leaves_traces_everywhere_before(subject):
    # The marker search can fail: before erasure it finds the name, texts and their copies.
    found = tables_containing(MARKER)
    for table in [
        "organisations_organisation",
        "organisations_historicalorganisation",
        "organisations_contactperson",
        "casework_consultation",
        "casework_historicalconsultation",
        "casework_historicalcase",
        "casework_assessmentrating",
        "casework_event",
        "django_admin_log",
        "django_tasks_database_dbtaskresult",
    ]:
        assert table in found, table


def test_anonymisation_leaves_no_trace_in_any_table(subject, client):
    client.force_login(subject["by"])
    organisation = subject["organisation"]
    response = client.post(
        reverse("casework:organisation_anonymise", args=[organisation.pk]),
        {"reason": "request", "confirm": "on", "loaded_version": organisation.version},
    )
    assert response.status_code == 302
    assert tables_containing(MARKER) == {}
    organisation.refresh_from_db()
    assert organisation.name == f"Anonymisierte Organisation #{organisation.pk}"
    assert (organisation.municipality, organisation.email, organisation.founding_year) == ("", "", None)
    assert organisation.region.name == "Frankfurt am Main"  # the Kreis stays
    assert not organisation.contacts.exists()
    # The joint event keeps its title; the one only this organisation attended does not.
    subject["together"].refresh_from_db()
    assert subject["together"].title == "Fachtag Vereinsrecht"
    consultation = Consultation.objects.get(pk=subject["consultation"].pk)
    assert (consultation.summary, consultation.duration_minutes, consultation.date) == ("", 90, DAY)
    assert consultation.topics.exists()
    entry = AccessEvent.objects.get(kind=AccessEvent.Kind.ERASURE)
    assert (entry.target_kind, entry.target_id, entry.user) == ("organisation", str(organisation.pk), subject["by"])
    assert entry.detail == "Art. 17: request"


def test_anonymisation_keeps_every_history_entry_and_its_figures(subject):
    consultation = subject["consultation"]
    before = list(consultation.history.order_by("history_id").values_list("history_id", "duration_minutes", "date"))
    erasure.organisation_anonymise(organisation=subject["organisation"], by=subject["by"])
    after = consultation.history.order_by("history_id").values_list("history_id", "duration_minutes", "date")
    assert list(after) == before
    assert set(consultation.history.values_list("summary", "agreements")) == {("", "")}


def test_anonymising_twice_changes_nothing_more(subject):
    erasure.organisation_anonymise(organisation=subject["organisation"], by=subject["by"])
    fingerprint = database_fingerprint()
    erasure.organisation_anonymise(organisation=subject["organisation"], by=subject["by"])
    again = database_fingerprint()
    changed = {table for table in fingerprint if fingerprint[table] != again[table]}
    # Only the new access log entry and the version counter of the records it touched.
    assert changed <= {
        "casework_accessevent",
        "organisations_organisation",
        "casework_consultation",
        "casework_case",
        "casework_assessment",
        "casework_event",
    }
    assert tables_containing(MARKER) == {}


def test_contact_erasure_leaves_no_trace(subject, client):
    contact = subject["contact"]
    client.force_login(subject["by"])
    response = client.post(
        reverse("casework:contact_erase", args=[contact.pk]),
        {"reason": "consent_withdrawn", "confirm": "on", "loaded_version": contact.version},
    )
    assert response.status_code == 302
    assert not ContactPerson.objects.filter(pk=contact.pk).exists()
    assert not ContactPerson.history.filter(id=contact.pk).exists()
    for marker in ("qzxperson", "yilmaz@qzx", "0151 qzx", "qzx-vorsitz"):
        assert tables_containing(marker) == {}, marker
    # The organisation itself is untouched; its name still stands.
    assert Organisation.objects.get(pk=subject["organisation"].pk).name == "Qzx Kulturverein e.V."
    summary = Consultation.objects.get(pk=subject["consultation"].pk).summary
    assert summary == "Qzx Satzung, zweite Fassung"
    entry = AccessEvent.objects.get(kind=AccessEvent.Kind.ERASURE)
    assert (entry.target_kind, entry.target_id) == ("contact_person", str(contact.pk))


def test_contact_name_in_a_consultation_text_is_replaced(subject):
    consultation = subject["consultation"]
    Consultation.objects.filter(pk=consultation.pk).update(summary="Telefonat mit Qzxperson Yilmaz")
    erasure.contact_erase(contact=subject["contact"], by=subject["by"])
    assert Consultation.objects.get(pk=consultation.pk).summary == "Telefonat mit [gelöscht]"
    assert not consultation.history.filter(summary__icontains="qzxperson").exists()


# --- The screens ----------------------------------------------------------------------------------


def test_confirmation_page_says_what_goes_and_what_stays(subject, client):
    client.force_login(subject["by"])
    response = client.get(reverse("casework:organisation_anonymise", args=[subject["organisation"].pk]))
    page = response.content.decode()
    assert "Was gelöscht wird" in page and "Was bleibt" in page
    assert "1 Ansprechperson, vollständig" in page
    assert "Kein archivierter Bericht nennt diese Organisation." in page
    assert "aufbewahren muss" in page


def test_confirmation_page_lists_archived_reports_that_name_it(subject, client, records):
    report = records["report_own"]
    report.figures = {"named_organisations": ["Qzx Kulturverein e.V."]}
    report.save()
    client.force_login(subject["by"])
    response = client.get(reverse("casework:organisation_anonymise", args=[subject["organisation"].pk]))
    assert str(report) in response.content.decode()


def test_without_reason_nothing_happens(subject, client):
    organisation = subject["organisation"]
    client.force_login(subject["by"])
    response = client.post(
        reverse("casework:organisation_anonymise", args=[organisation.pk]),
        {"reason": "", "loaded_version": organisation.version},
    )
    assert response.status_code == 200
    assert "Dieses Feld ist zwingend erforderlich." in response.content.decode()
    assert "nicht rückgängig machen lässt" in response.content.decode()
    assert Organisation.objects.get(pk=organisation.pk).name == "Qzx Kulturverein e.V."
    assert not AccessEvent.objects.filter(kind=AccessEvent.Kind.ERASURE).exists()


@pytest.mark.parametrize("version", ["", "abc", "1" * 40])
def test_stale_or_bad_version_is_refused(subject, client, version):
    organisation = subject["organisation"]
    client.force_login(subject["by"])
    sent = {"reason": "request", "confirm": "on", "loaded_version": version}
    if version == "":
        sent["loaded_version"] = organisation.version - 1  # someone saved in between
    response = client.post(reverse("casework:organisation_anonymise", args=[organisation.pk]), sent)
    assert response.status_code == 200
    assert "Inzwischen" in response.content.decode()
    assert Organisation.objects.get(pk=organisation.pk).name == "Qzx Kulturverein e.V."


def test_partner_unit_does_not_erase(subject, client, people):
    # Lots sees the organisation through the shared consultation, but erasing is the lead unit's.
    client.force_login(people["coordinator_lots"])
    url = reverse("casework:organisation_anonymise", args=[subject["organisation"].pk])
    assert client.post(url, {"reason": "request", "confirm": "on", "loaded_version": "1"}).status_code == 403
    assert Organisation.objects.get(pk=subject["organisation"].pk).name == "Qzx Kulturverein e.V."


# --- Funder figures -------------------------------------------------------------------------------


def _all_figures(units_sets, years):
    from reports import periods
    from reports.figures import report_figures

    figures = {}
    for units in units_sets:
        for year in years:
            kinds = [periods.year(year), periods.half(year, 1), periods.half(year, 2)]
            kinds += [periods.quarter(year, q) for q in (1, 2, 3, 4)]
            for period in kinds:
                data = report_figures(units, period, generated_by="Test", now=NOW)
                named = data.pop("named_organisations")
                figures[(tuple(u.code for u in units), period.label)] = (_without_project_rows(data), named)
    return figures


def _without_project_rows(data):
    """The Lots*innen table per project names the projects that agreed; anonymising withdraws that, so
    its rows may regroup (into "Weitere Projekte ohne Namensnennung"). Its totals must stay."""
    for section in data["sections"]:
        for table in section["tables"]:
            if table["key"] == "guides_by_project":
                assert table["total"], "the per-project table has a total row"
                table["rows"] = None
    return data


@pytest.mark.django_db
def test_funder_figures_of_every_period_stay_identical(settings):
    from io import StringIO

    from django.core.management import call_command

    from casework.models import Unit

    settings.DEBUG = True
    call_command("seed_demo", "--organisations", "12", "--consultations", "60", stdout=StringIO())
    mo, lots = Unit.objects.get(code="mo"), Unit.objects.get(code="lots")
    years = sorted({day.year for day in Consultation.objects.values_list("date", flat=True)})
    subjects = list(
        Organisation.objects.filter(consultations__isnull=False).distinct().order_by("pk")[:3]
    )  # a few, of both units
    Organisation.objects.filter(pk=subjects[0].pk).update(may_be_named=True)
    before = _all_figures([[mo], [lots], [mo, lots]], years)
    names = {o.pk: Organisation.objects.get(pk=o.pk).name for o in subjects}
    for organisation in subjects:
        erasure.organisation_anonymise(organisation=organisation, by=None)
    after = _all_figures([[mo], [lots], [mo, lots]], years)
    assert before.keys() == after.keys()
    for key, (data, named) in before.items():
        assert after[key][0] == data, key
        # Only the names of the anonymised organisations leave the list of those that may be named.
        assert after[key][1] == [name for name in named if name not in names.values()], key
    assert any(names[subjects[0].pk] in named for _data, named in before.values())


# --- Deleting a record keeps no text in its history -------------------------------------------------


def test_deleted_consultation_keeps_no_text_in_history(records, people):
    consultation = records["own"]
    pk, minutes = consultation.pk, consultation.duration_minutes
    follow_up = records["follow_up_own"]
    consultation_services.consultation_delete(consultation=consultation, by=people["coordinator_mo"])
    rows = Consultation.history.filter(id=pk)
    assert rows.filter(history_type="-").exists()  # who deleted it, when, and its figures stay
    assert set(rows.values_list("summary", "agreements")) == {("", "")}
    assert rows.get(history_type="-").duration_minutes == minutes
    # The cascade: its follow-ups went too, without their texts.
    assert set(FollowUp.history.filter(id=follow_up.pk).values_list("what", flat=True)) == {""}


def test_deleted_event_and_assessment_keep_no_text_in_history(records, people):
    event = records["event_own"]
    event_pk = event.pk
    event_services.event_delete(event=event, by=people["coordinator_mo"])
    assert set(Event.history.filter(id=event_pk).values_list("title", flat=True)) == {""}
    assessment = records["assessment_foreign"]
    Assessment.objects.filter(pk=assessment.pk).update(note="vertraulich")
    assessment.refresh_from_db()
    assessment.save()
    assessment_pk = assessment.pk
    assert Assessment.history.filter(id=assessment_pk, note="vertraulich").exists()
    quality_services.assessment_delete(assessment=assessment, by=people["coordinator_lots"])
    assert set(Assessment.history.filter(id=assessment_pk).values_list("note", flat=True)) == {""}


def test_merged_away_organisation_keeps_no_name_in_history(records, people):
    keep = records["org_own"]
    remove = OrganisationFactory(units=keep.units.all(), name="Kulturverein Anatolien", email="a@b.example")
    remove_pk = remove.pk
    organisation_services.organisation_merge(keep=keep, remove=remove, by=people["coordinator_mo"])
    assert set(Organisation.history.filter(id=remove_pk).values_list("name", "email")) == {("", "")}


def test_admin_deletion_log_does_not_keep_the_name(records, people):
    contact = records["contact_own"]
    contact_pk = contact.pk
    LogEntry.objects.create(
        user=people["admin"],
        content_type=ContentType.objects.get_for_model(ContactPerson),
        object_id=str(contact.pk),
        object_repr=contact.name,
        action_flag=DELETION,
    )
    contact.delete()
    assert not LogEntry.objects.filter(object_repr__icontains="Selin").exists()
    assert LogEntry.objects.filter(object_repr=f"Ansprechperson #{contact_pk}").exists()


@pytest.mark.django_db
def test_the_database_scan_reads_sessions_decoded(client, people):
    """Signed session data is random text to a substring search; what a session holds is searched decoded."""
    client.force_login(people["coordinator_mo"])
    session = client.session
    session["last_search"] = "Qzx Kulturverein"
    session.save()
    assert tables_containing(MARKER) == {"django_session": {DECODED_SESSION}}
