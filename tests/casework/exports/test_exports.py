"""List exports: exactly the filtered rows the list shows to the person, as German CSV and as XLSX."""

import csv
import datetime
import io
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from casework.audit.models import AccessEvent
from casework.models import Case, CaseGoal, Event, FollowUp, Topic
from tests.conftest import make_person
from tests.factories import ConsultationFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 2)
FORMULA = '=HYPERLINK("http://example.org/x","klick")'
WORLDLY = "Türkisch-Deutscher Kulturverein Şahin – جمعية الثقافة"


def download(client, name, fmt="csv", params=None):
    """(header, rows) of an export; CSV rows as text, XLSX rows as cell values."""
    response = client.get(reverse(f"casework:{name}", kwargs={"fmt": fmt}), params or {})
    assert response.status_code == 200, response.status_code
    body = b"".join(response.streaming_content)
    today = timezone.localdate().isoformat()
    if fmt == "csv":
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert body.startswith(b"\xef\xbb\xbf")
        assert f'-{today}.csv"' in response["Content-Disposition"]
        table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))
    else:
        assert f"-{today}.xlsx" in response["Content-Disposition"]
        sheet = load_workbook(io.BytesIO(body)).active
        table = [list(row) for row in sheet.iter_rows(values_only=True)]
    return table[0], table[1:]


def ids(client, name, fmt="csv", params=None):
    header, rows = download(client, name, fmt, params)
    assert header[0] == "Nr."
    return [int(row[0]) for row in rows]


def both_formats(client, name, params=None):
    """The ids in the CSV, checked to be the same (and in the same order) in the XLSX."""
    from_csv = ids(client, name, "csv", params)
    assert ids(client, name, "xlsx", params) == from_csv
    return from_csv


def pks(*records):
    return [record.pk for record in records]


# --- Scope and filters, per list --------------------------------------------------------------------


def test_consultations_of_the_own_unit_and_shared_ones_newest_first(client, people, records):
    client.force_login(people["advisor_mo"])
    own_batch = sorted(
        records["own"].organisation.consultations.exclude(pk=records["own"].pk).values_list("pk", flat=True),
        reverse=True,
    )
    # All on the same date: by id, newest first, as the list.
    expected = sorted([records["own"].pk, records["shared"].pk, *own_batch], reverse=True)
    assert both_formats(client, "consultation_export") == expected
    assert records["foreign"].pk not in expected
    filtered = both_formats(client, "consultation_export", {"organisation": records["org_own"].pk})
    assert filtered == sorted([records["own"].pk, *own_batch], reverse=True)


def test_the_partner_unit_gets_the_shared_consultation_without_the_leads_case(client, people, records, unit_mo):
    shared = records["shared"]
    shared.case = records["case_own"]
    shared.save()
    client.force_login(people["advisor_lots"])
    header, rows = download(client, "consultation_export")
    by_id = {int(row[0]): row for row in rows}
    assert set(by_id) == {records["foreign"].pk, shared.pk} | set(
        records["foreign"].organisation.consultations.values_list("pk", flat=True)
    )
    assert by_id[shared.pk][header.index("Beratungsprozess")] == ""
    client.force_login(people["advisor_mo"])
    header, rows = download(client, "consultation_export")
    by_id = {int(row[0]): row for row in rows}
    assert by_id[shared.pk][header.index("Beratungsprozess")] == "Eintragung ins Vereinsregister"


def test_organisations_in_german_name_order(client, people, records, unit_mo, unit_lots):
    umlaut = OrganisationFactory(units=[unit_mo], name="Ärztinnen-Netzwerk e.V.")
    zeta = OrganisationFactory(units=[unit_mo], name="Zukunft e.V.")
    OrganisationFactory(units=[unit_lots], name="Alpha Lots e.V.")
    client.force_login(people["advisor_mo"])
    header, rows = download(client, "organisation_export")
    names = [row[header.index("Name")] for row in rows]
    # Ä sorts with A; the Lots unit's organisation is not there, the shared one is.
    assert names == [
        "Ärztinnen-Netzwerk e.V.",
        "Eritreische Gemeinde Gießen e.V.",
        "Kulturverein Anatolien e.V.",
        "Verein ohne Beratung e.V.",
        "Zukunft e.V.",
    ]
    assert both_formats(client, "organisation_export", {"q": "zukunft"}) == pks(zeta)
    assert umlaut.pk in both_formats(client, "organisation_export")
    # The Lots unit sees the shared consultation's organisation too, but none of MO's others.
    client.force_login(people["advisor_lots"])
    assert set(both_formats(client, "organisation_export")) == set(
        pks(records["org_foreign"], records["org_shared"])
    ) | set(OrganisationFactory._meta.model.objects.filter(name="Alpha Lots e.V.").values_list("pk", flat=True))


def test_cases_of_the_own_unit_filtered_by_status(client, people, records):
    client.force_login(people["coordinator_mo"])
    assert both_formats(client, "case_export") == pks(records["case_own"])
    assert both_formats(client, "case_export", {"status": "open"}) == pks(records["case_own"])
    assert both_formats(client, "case_export", {"status": "closed"}) == []
    header, rows = download(client, "case_export")
    row = dict(zip(header, rows[0], strict=True))
    assert row["Titel"] == "Eintragung ins Vereinsregister"
    assert row["begonnen am"] == "02.03.2026"
    assert row["verantwortlich"] == "Aylin Demir"
    client.force_login(people["coordinator_lots"])
    assert both_formats(client, "case_export") == pks(records["case_foreign"])


def test_follow_ups_of_the_units_and_my_own(client, people, records):
    client.force_login(people["coordinator_mo"])
    own, shared = records["follow_up_own"], records["follow_up_shared"]
    assert both_formats(client, "follow_up_unit_export") == pks(own, shared)  # same due date: by id
    assert both_formats(client, "follow_up_unit_export", {"person": people["coordinator_mo"].pk}) == []
    assert both_formats(client, "follow_up_export") == []  # nothing assigned to the coordinator
    client.force_login(people["advisor_mo"])
    assert both_formats(client, "follow_up_export") == pks(own, shared)
    FollowUp.objects.filter(pk=own.pk).update(done_at=timezone.now())
    assert both_formats(client, "follow_up_export") == pks(shared)
    assert both_formats(client, "follow_up_export", {"status": "done"}) == pks(own)
    header, rows = download(client, "follow_up_export", params={"status": "done"})
    row = dict(zip(header, rows[0], strict=True))
    assert row["Status"] == "erledigt"
    assert row["zu"] == "Beratung vom 02.03.2026"
    assert row["Organisation"] == "Kulturverein Anatolien e.V."
    client.force_login(people["advisor_lots"])
    assert both_formats(client, "follow_up_unit_export") == pks(records["follow_up_foreign"], shared)


def test_events_of_the_own_unit_and_joint_ones(client, people, records):
    client.force_login(people["advisor_mo"])
    own, joint = records["event_own"], records["event_shared"]
    assert sorted(both_formats(client, "event_export")) == sorted(pks(own, joint))
    assert both_formats(client, "event_export", {"q": "Fachtag"}) == pks(joint)
    # An organisation the person may not see: nothing, as on the list page.
    assert both_formats(client, "event_export", {"organisation": records["org_foreign"].pk}) == []
    client.force_login(people["advisor_lots"])
    assert sorted(both_formats(client, "event_export")) == sorted(pks(records["event_foreign"], joint))


@pytest.mark.parametrize(
    ("export", "page", "params"),
    [
        ("consultation_export", "casework:consultation_list", {"format": "office"}),
        ("consultation_export", "casework:consultation_list", {"q": "Anatolien"}),
        ("organisation_export", "organisations:organisation_list", {"kind": "migrant_org"}),
        ("case_export", "casework:case_list", {}),
        ("follow_up_unit_export", "casework:follow_up_unit_list", {}),
        ("follow_up_export", "casework:follow_up_list", {"status": "all"}),
        ("event_export", "casework:event_list", {"kind": "training"}),
        # An invalid value is ignored by the filter as on the page (and shown there as an error).
        ("consultation_export", "casework:consultation_list", {"date_from": "kein Datum", "format": "office"}),
    ],
)
def test_the_export_holds_the_rows_of_the_list_page_in_its_order(
    client, people, records, settings, export, page, params
):
    settings.PAGE_SIZE = 500  # every row on one page
    client.force_login(people["advisor_mo"])
    shown = [record.pk for record in client.get(reverse(page), params).context["page"]]
    assert shown, "the example should show rows"
    assert both_formats(client, export, params) == shown


# --- Format, safety, logging ----------------------------------------------------------------------


def test_german_csv_cells(client, people, records, unit_mo):
    topic = Topic.objects.filter(unit=unit_mo).first()
    consultation = ConsultationFactory(
        unit=unit_mo,
        organisation=OrganisationFactory(units=[unit_mo], name=WORLDLY, municipality="Gießen"),
        duration_minutes=45,
        advisors=[people["advisor_mo"]],
        topics=[topic],
    )
    client.force_login(people["advisor_mo"])
    header, rows = download(client, "consultation_export", params={"organisation": consultation.organisation_id})
    assert header[:5] == ["Nr.", "Datum", "Fachstelle", "gemeinsam mit", "Organisation"]
    row = dict(zip(header, rows[0], strict=True))
    assert row["Datum"] == "02.03.2026"
    assert row["Organisation"] == WORLDLY
    assert row["Gemeinde / Stadt"] == "Gießen"
    assert row["Dauer (Minuten)"] == "45"
    assert row["Dauer (Stunden)"] == "0,75"
    assert row["Teilnehmende"] == "2"
    assert row["Berater*innen"] == "Aylin Demir"
    assert row["Themen"] == topic.name
    assert row["Format"] == "in der Fachstelle"
    xlsx_header, xlsx_rows = download(
        client, "consultation_export", "xlsx", {"organisation": consultation.organisation_id}
    )
    cells = dict(zip(xlsx_header, xlsx_rows[0], strict=True))
    assert xlsx_header == header
    assert cells["Organisation"] == WORLDLY
    assert cells["Datum"] == datetime.datetime(2026, 3, 2)
    assert cells["Dauer (Minuten)"] == 45
    assert cells["Dauer (Stunden)"] == 0.75


def test_a_formula_like_name_stays_text(client, people, unit_mo):
    organisation = OrganisationFactory(units=[unit_mo], name=FORMULA)
    ConsultationFactory(unit=unit_mo, organisation=organisation)
    client.force_login(people["advisor_mo"])
    for name in ("consultation_export", "organisation_export"):
        header, rows = download(client, name)
        column = header.index("Organisation" if name == "consultation_export" else "Name")
        assert rows[0][column] == "'" + FORMULA
        response = client.get(reverse(f"casework:{name}", kwargs={"fmt": "xlsx"}))
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        cell = sheet.cell(row=2, column=column + 1)
        assert (cell.value, cell.data_type, cell.quotePrefix) == (FORMULA, "s", True)


def test_no_contact_details_in_the_organisation_export(client, people, records):
    organisation = records["org_own"]
    organisation.email, organisation.phone = "info@anatolien.example", "069 123456"
    organisation.save()
    organisation.contacts.update(email="selin@example.org", phone="0170 1234567")
    client.force_login(people["advisor_mo"])
    for fmt in ("csv", "xlsx"):
        header, rows = download(client, "organisation_export", fmt)
        text = repr(rows)
        assert "E-Mail" not in header and "Telefon" not in header
        for secret in ("anatolien.example", "123456", "selin@", "Selin Kaya"):
            assert secret not in text


def test_unknown_format_is_404_and_anonymous_people_sign_in_first(client, people, records):
    assert client.get(reverse("casework:consultation_export", kwargs={"fmt": "csv"})).status_code == 302
    client.force_login(people["advisor_mo"])
    for fmt in ("pdf", "CSV", "xls"):
        assert client.get(reverse("casework:consultation_export", kwargs={"fmt": fmt})).status_code == 404
    assert not AccessEvent.objects.filter(kind=AccessEvent.Kind.EXPORT).exists()


def test_each_export_is_in_the_access_log_without_search_text(client, people, records, unit_mo):
    client.force_login(people["advisor_mo"])
    download(client, "consultation_export", "xlsx", {"q": "Selin Kaya", "unit": unit_mo.pk, "date_from": "2026-01-01"})
    entry = AccessEvent.objects.get(kind=AccessEvent.Kind.EXPORT)
    assert entry.user == people["advisor_mo"]
    assert (entry.target_kind, entry.target_id) == ("list", "consultations")
    assert entry.detail.startswith("Beratungen (XLSX); Filter: ")
    assert f"unit={unit_mo.pk}" in entry.detail and "date_from=01.01.2026" in entry.detail
    assert "q=…" in entry.detail and "Selin" not in entry.detail
    download(client, "follow_up_export", "csv", {"status": "all"})
    assert AccessEvent.objects.filter(kind=AccessEvent.Kind.EXPORT, target_id="follow_ups_mine").exists()


def test_list_pages_offer_both_downloads_with_their_filter(client, people, records):
    client.force_login(people["advisor_mo"])
    pages = [
        ("casework:consultation_list", "/beratungen/export/"),
        ("organisations:organisation_list", "/organisationen/export/"),
        ("casework:case_list", "/prozesse/export/"),
        ("casework:follow_up_unit_list", "/wiedervorlagen/fachstellen/export/"),
        ("casework:follow_up_list", "/wiedervorlagen/export/"),
        ("casework:event_list", "/veranstaltungen/export/"),
    ]
    for page, prefix in pages:
        html = client.get(reverse(page), {"q": "x", "page": "2", "status": "all"}).content.decode()
        for fmt in ("csv", "xlsx"):
            assert f'href="{prefix}{fmt}/?q=x&amp;status=all"' in html, (page, fmt)
        assert ">Excel</a>" in html and ">CSV</a>" in html


# --- Queries do not grow with rows -----------------------------------------------------------------


def _add_consultations(people, unit_mo, unit_lots, count):
    topics = list(Topic.objects.filter(unit=unit_mo)[:2])
    organisation = OrganisationFactory(units=[unit_mo])
    for _ in range(count):
        ConsultationFactory(unit=unit_mo, organisation=organisation, advisors=[people["advisor_mo"]], topics=topics)
        ConsultationFactory(
            unit=unit_mo, shared_with=unit_lots, organisation=organisation, advisors=[people["advisor_mo"]]
        )


def _add_organisations(people, unit_mo, unit_lots, count):
    for _ in range(count):
        OrganisationFactory(units=[unit_mo, unit_lots])


def _add_cases(people, unit_mo, unit_lots, count):
    organisation = OrganisationFactory(units=[unit_mo])
    goal = CaseGoal.objects.filter(unit=unit_mo).first()
    for index in range(count):
        Case.objects.create(
            unit=unit_mo,
            organisation=organisation,
            title=f"P{index}",
            goal=goal,
            opened_on=DAY,
            responsible=people["advisor_mo"],
        )


def _add_follow_ups(people, unit_mo, unit_lots, count):
    consultation = ConsultationFactory(unit=unit_mo, shared_with=unit_lots)
    case = Case.objects.create(
        unit=unit_mo,
        organisation=consultation.organisation,
        title="P",
        goal=CaseGoal.objects.filter(unit=unit_mo).first(),
        opened_on=DAY,
    )
    for index in range(count):
        for owner in ({"consultation": consultation}, {"case": case}):
            FollowUp.objects.create(
                unit=unit_mo, due_on=DAY, what=f"W{index}", assigned_to=people["advisor_mo"], **owner
            )


def _add_events(people, unit_mo, unit_lots, count):
    topics = list(Topic.objects.filter(unit=unit_mo)[:2])
    organisations = [OrganisationFactory(units=[unit_mo]) for _ in range(2)]
    for index in range(count):
        event = Event.objects.create(unit=unit_mo, title=f"E{index}", kind="training", date=DAY, format="online")
        event.topics.set(topics)
        event.organisations.set(organisations)


GROWERS = {
    "consultation_export": _add_consultations,
    "organisation_export": _add_organisations,
    "case_export": _add_cases,
    "follow_up_unit_export": _add_follow_ups,
    "follow_up_export": _add_follow_ups,
    "event_export": _add_events,
}


def _fresh_session(client):
    """Stamp the session as just used: the once-a-minute session write must not fall into a count."""
    session = client.session
    session["last_seen"] = int(time.time())
    session.save()


def _queries(client, name, fmt):
    _fresh_session(client)
    with CaptureQueriesContext(connection) as captured:
        _, rows = download(client, name, fmt)
    return len(captured.captured_queries), len(rows)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("name", list(GROWERS))
def test_queries_do_not_grow_with_rows(client, people, unit_mo, unit_lots, django_assert_max_num_queries, name, fmt):
    client.force_login(people["advisor_mo"])
    GROWERS[name](people, unit_mo, unit_lots, 2)
    few, rows_few = _queries(client, name, fmt)
    GROWERS[name](people, unit_mo, unit_lots, 20)
    many, rows_many = _queries(client, name, fmt)
    assert rows_many > rows_few >= 2
    assert many <= few
    _fresh_session(client)
    with django_assert_max_num_queries(few):
        download(client, name, fmt)


def test_someone_without_a_unit_exports_nothing(client, records):
    client.force_login(make_person("ohne-rolle"))
    assert both_formats(client, "consultation_export") == []
    assert both_formats(client, "organisation_export") == []
    # The event list itself is refused to people without a unit.
    assert client.get(reverse("casework:event_export", kwargs={"fmt": "csv"})).status_code == 403


def test_the_access_log_reads_german_for_an_english_ui(client, people, records, settings):
    client.force_login(people["advisor_mo"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    header, _rows = download(client, "event_export")
    assert header[1] == "Date"  # the file follows the person's language
    assert AccessEvent.objects.get(kind=AccessEvent.Kind.EXPORT).detail.startswith("Veranstaltungen (CSV)")
