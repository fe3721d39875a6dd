"""The import engine on files as the Fachstellen keep them: dry run, import, re-import, undo."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType

from casework.imports import engine, mapping
from casework.imports.kinds import KINDS
from casework.imports.models import ImportedRecord, ImportRun
from casework.models import Consultation, Event, FollowUp, Topic
from organisations.models import ContactPerson, Organisation, Region
from tests.casework.imports.conftest import guessed, table_of, xlsx_bytes

pytestmark = pytest.mark.django_db

CONSULTATION_HEADERS = [
    "Organisation",
    "Datum",
    "Dauer",
    "Format",
    "Anstoß durch",
    "Themen",
    "Berater*innen",
    "Zusammenfassung",
]


def counts_of_everything() -> dict[str, int]:
    """Rows of every model an import could touch, with their histories."""
    models = [
        Organisation,
        Organisation.history.model,
        ContactPerson,
        ContactPerson.history.model,
        Consultation,
        Consultation.history.model,
        Consultation.topics.through,
        Consultation.advisors.through,
        Event,
        Event.history.model,
        Event.organisations.through,
        Organisation.units.through,
        FollowUp,
        ImportRun,
        ImportedRecord,
    ]
    return {model._meta.label: model._default_manager.count() for model in models}


def consultation_rows():
    return [
        [
            "Kulturverein Anatolien",
            datetime.datetime(2025, 2, 3),
            "1,5 h",
            "telefonisch",
            "Organisation",
            "Datenschutz; Fördermittel-Akquise",
            "Aylin Demir",
            "Satzung besprochen – Şükrü Öztürk war dabei.",
        ],
        [
            "Al-Nour Frauenverein",
            "04.02.2025",
            60,
            "vor Ort",
            "Fachstelle",
            "Vernetzung mit Kommune, Schule, Politik",
            "Demir",
            "اجتماع مع مجلس الإدارة",
        ],
        # The same row again (copied twice in the list): no second consultation.
        [
            "Al-Nour Frauenverein",
            "04.02.2025",
            60,
            "vor Ort",
            "Fachstelle",
            "Vernetzung mit Kommune, Schule, Politik",
            "Demir",
            "اجتماع مع مجلس الإدارة",
        ],
    ]


BAD_ROW = ["Unbekannter Verein", "31.02.2025", 60, "Rauchzeichen", "Organisation", "Datenschutz", "Demir", ""]


@pytest.fixture
def setting(coordinator, advisor, unit_mo, anatolien, al_nour):
    return {"user": coordinator, "unit": unit_mo}


def plan_of(kind_key, data, setting, value_map=None):
    table = table_of(data)
    kind, columns = guessed(kind_key, table)
    return engine.dry_run(
        kind=kind, table=table, mapping=columns, value_map=value_map or {}, unit=setting["unit"], user=setting["user"]
    )


def import_of(kind_key, data, setting, value_map=None, filename="liste.xlsx"):
    table = table_of(data)
    kind, columns = guessed(kind_key, table)
    return engine.run_import(
        kind=kind,
        table=table,
        mapping=columns,
        value_map=value_map or {},
        unit=setting["unit"],
        user=setting["user"],
        filename=filename,
        sha256="0" * 64,
    )


def topic(name) -> Topic:
    return Topic.objects.get(name=name)


def foerder_map():
    return {"topics": {"fordermittel akquise": topic("Fördermittelakquise").pk}}


# --- Consultations ----------------------------------------------------------------------------------------


def test_columns_are_recognised_by_german_headers():
    kind = KINDS["consultations"]
    columns = mapping.guess_mapping(kind, ["ORGANISATION", "Datum der Beratung", "Dauer (Minuten)", "Notizen", "xyz"])
    assert columns == {0: "organisation", 1: "date", 2: "duration_minutes", 3: "summary", 4: None}
    assert [f.key for f in mapping.missing_required(kind, columns)] == ["format", "initiated_by", "topics"]


def test_unmatched_values_get_suggestions(setting):
    table = table_of(xlsx_bytes(CONSULTATION_HEADERS, [*consultation_rows(), BAD_ROW]))
    kind, columns = guessed("consultations", table)
    unmatched = mapping.unmatched_values(
        kind=kind, table=table, mapping=columns, unit=setting["unit"], user=setting["user"]
    )
    by_value = {(u.field, u.value): u for u in unmatched}
    assert set(by_value) == {
        ("organisation", "Unbekannter Verein"),
        ("format", "Rauchzeichen"),
        ("topics", "Fördermittel-Akquise"),
    }
    foerder = by_value[("topics", "Fördermittel-Akquise")]
    assert foerder.count == 1
    assert foerder.key == "fordermittel akquise"
    assert foerder.suggestions[0] == (topic("Fördermittelakquise").pk, "Fördermittelakquise")
    # With the person's choice, the value is no longer reported.
    again = mapping.unmatched_values(
        kind=kind, table=table, mapping=columns, unit=setting["unit"], user=setting["user"], value_map=foerder_map()
    )
    assert ("topics", "Fördermittel-Akquise") not in {(u.field, u.value) for u in again}


def test_dry_run_writes_nothing_and_reports_each_problem_at_its_cell(setting):
    before = counts_of_everything()
    plan = plan_of("consultations", xlsx_bytes(CONSULTATION_HEADERS, [*consultation_rows(), BAD_ROW]), setting)
    assert counts_of_everything() == before
    assert [(row.number, row.status) for row in plan.rows] == [
        (2, "error"),
        (3, "new"),
        (4, "unchanged"),
        (5, "error"),
    ]
    assert plan.counts == {"new": 1, "update": 0, "unchanged": 1, "error": 2}
    assert not plan.ok
    assert plan.rows[2].note == "doppelt (wie Zeile 3)"
    assert [(e.column, e.message) for e in plan.rows[0].errors] == [
        (
            "Themen",
            "Das Thema „Fördermittel-Akquise“ gibt es im Katalog der Fachstelle nicht. "
            "Meinten Sie „Fördermittelakquise“?",
        )
    ]
    bad = {e.column: e.message for e in plan.rows[3].errors}
    assert set(bad) == {"Organisation", "Datum", "Format"}
    assert bad["Datum"] == "„31.02.2025“ ist kein gültiges Datum. Bitte als TT.MM.JJJJ angeben (z. B. 03.02.2025)."
    assert bad["Organisation"].startswith("Die Organisation „Unbekannter Verein“ ist nicht erfasst")
    assert bad["Format"] == (
        "„Rauchzeichen“ ist kein gültiger Wert für „Format“. Erlaubt: vor Ort bei der Organisation, in der "
        "Fachstelle, telefonisch, Video, schriftlich / E-Mail."
    )


def test_form_rules_of_the_screen_apply(setting):
    future = datetime.date.today() + datetime.timedelta(days=3)
    rows = [
        ["Al-Nour Frauenverein", future, 50, "Video", "Organisation", "Datenschutz", "Demir", ""],
        ["Al-Nour Frauenverein", "03.03.2016", 60, "Video", "Organisation", "Datenschutz", "Demir", ""],
    ]
    plan = plan_of("consultations", xlsx_bytes(CONSULTATION_HEADERS, rows), setting)
    first = {e.column: e.message for e in plan.rows[0].errors}
    assert first["Datum"] == "Eine Beratung kann nicht in der Zukunft liegen."
    assert first["Dauer"].startswith("Die Dauer wird in Schritten von 15 Minuten erfasst")
    assert {e.column: e.message for e in plan.rows[1].errors} == {"Datum": "Das Kompetenzzentrum berät erst seit 2017."}


def test_import_creates_exactly_the_expected_consultations(setting, anatolien, al_nour, advisor, coordinator):
    data = xlsx_bytes(CONSULTATION_HEADERS, consultation_rows())
    with pytest.raises(engine.ImportRefused) as refused:
        import_of("consultations", data, setting)
    assert refused.value.message == "Die Datei enthält 1 fehlerhafte Zeilen; es wurde nichts importiert."
    assert not Consultation.objects.exists()

    run = import_of("consultations", data, setting, value_map=foerder_map(), filename="Beratungen 2025.xlsx")
    assert run.counts == {"new": 2, "update": 0, "unchanged": 1}
    assert run.created_by == coordinator
    assert run.filename == "Beratungen 2025.xlsx"
    first, second = Consultation.objects.order_by("date")
    assert (first.organisation, first.date, first.duration_minutes, first.format, first.initiated_by) == (
        anatolien,
        datetime.date(2025, 2, 3),
        90,
        "phone",
        "organisation",
    )
    assert {t.name for t in first.topics.all()} == {"Datenschutz", "Fördermittelakquise"}
    assert list(first.advisors.all()) == [advisor]
    assert first.summary == "Satzung besprochen – Şükrü Öztürk war dabei."
    assert first.created_by == coordinator
    assert first.unit == setting["unit"]
    assert first.region == anatolien.region
    assert (second.organisation, second.duration_minutes, second.format) == (al_nour, 60, "on_site")
    assert [t.name for t in second.topics.all()] == ["Vernetzung mit Kommune, Schule, Politik"]
    assert second.summary == "اجتماع مع مجلس الإدارة"
    entry = first.history.latest()
    assert entry.history_change_reason == f"Import „Beratungen 2025.xlsx“ (#{run.pk})"
    assert entry.history_user == coordinator
    assert first.history.count() == 1
    assert sorted(run.records.values_list("action", "row_number")) == [("created", 2), ("created", 3)]


def test_second_import_of_the_same_file_changes_nothing(setting):
    data = xlsx_bytes(CONSULTATION_HEADERS, consultation_rows())
    import_of("consultations", data, setting, value_map=foerder_map())
    before = counts_of_everything()
    versions = list(Consultation.objects.order_by("pk").values_list("version", flat=True))
    plan = plan_of("consultations", data, setting, value_map=foerder_map())
    assert plan.counts == {"new": 0, "update": 0, "unchanged": 3, "error": 0}
    run = import_of("consultations", data, setting, value_map=foerder_map())
    assert run.counts == {"new": 0, "update": 0, "unchanged": 3}
    after = counts_of_everything()
    assert after.pop("casework.ImportRun") == before.pop("casework.ImportRun") + 1
    assert after == before
    assert list(Consultation.objects.order_by("pk").values_list("version", flat=True)) == versions


def test_changed_row_updates_and_undo_restores(setting, coordinator):
    rows = consultation_rows()
    first_run = import_of("consultations", xlsx_bytes(CONSULTATION_HEADERS, rows), setting, value_map=foerder_map())
    state_after_first = counts_of_everything()
    rows[1][2] = "2 h"  # Al-Nour: 60 → 120 minutes
    rows[2][2] = "2 h"
    rows[1][7] = rows[2][7] = "Neue Zusammenfassung"
    changed = xlsx_bytes(CONSULTATION_HEADERS, rows)
    plan = plan_of("consultations", changed, setting, value_map=foerder_map())
    assert [row.status for row in plan.rows] == ["unchanged", "update", "unchanged"]
    second_run = import_of("consultations", changed, setting, value_map=foerder_map())
    al_nour_consultation = Consultation.objects.get(date=datetime.date(2025, 2, 4))
    assert (al_nour_consultation.duration_minutes, al_nour_consultation.summary, al_nour_consultation.version) == (
        120,
        "Neue Zusammenfassung",
        2,
    )
    # The first import cannot be undone while the second changed one of its records.
    with pytest.raises(engine.UndoRefused) as refused:
        engine.undo_import(run=first_run, user=coordinator)
    assert "Beratung „Al-Nour Frauenverein – 04.02.2025“ wurde nach dem Import geändert" in refused.value.message
    engine.undo_import(run=second_run, user=coordinator)
    al_nour_consultation.refresh_from_db()
    assert (al_nour_consultation.duration_minutes, al_nour_consultation.summary) == (60, "اجتماع مع مجلس الإدارة")
    assert al_nour_consultation.history.latest().history_change_reason == (
        f"Import „liste.xlsx“ (#{second_run.pk}) rückgängig gemacht"
    )
    second_run.refresh_from_db()
    assert second_run.status == ImportRun.Status.UNDONE
    assert second_run.undone_by == coordinator
    with pytest.raises(engine.UndoRefused, match="bereits rückgängig"):
        engine.undo_import(run=second_run, user=coordinator)
    del state_after_first


def test_undo_restores_the_state_before(setting, coordinator):
    before = counts_of_everything()
    run = import_of(
        "consultations", xlsx_bytes(CONSULTATION_HEADERS, consultation_rows()), setting, value_map=foerder_map()
    )
    assert Consultation.objects.count() == 2
    engine.undo_import(run=run, user=coordinator)
    assert Consultation.objects.count() == 0
    after = counts_of_everything()
    # What stays: the run (marked undone) and its list, and the history of creation and deletion (and the
    # organisations' entries from consultation_save linking them to the unit).
    for label in (
        "casework.ImportRun",
        "casework.ImportedRecord",
        "casework.HistoricalConsultation",
        "organisations.HistoricalOrganisation",
    ):
        after.pop(label), before.pop(label)
    assert after == before


def test_undo_refused_after_an_edit_on_the_screen(setting, coordinator):
    run = import_of(
        "consultations", xlsx_bytes(CONSULTATION_HEADERS, consultation_rows()), setting, value_map=foerder_map()
    )
    consultation = Consultation.objects.get(date=datetime.date(2025, 2, 3))
    Consultation.objects.filter(pk=consultation.pk).update(version=consultation.version + 1, summary="geändert")
    with pytest.raises(engine.UndoRefused) as refused:
        engine.undo_import(run=run, user=coordinator)
    assert refused.value.message == (
        "Der Import kann nicht rückgängig gemacht werden: Beratung „Kulturverein Anatolien e. V. – 03.02.2025“ "
        "wurde nach dem Import geändert."
    )
    assert Consultation.objects.count() == 2
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE


def test_undo_refused_when_a_follow_up_was_added(setting, coordinator):
    run = import_of(
        "consultations", xlsx_bytes(CONSULTATION_HEADERS, consultation_rows()), setting, value_map=foerder_map()
    )
    consultation = Consultation.objects.get(date=datetime.date(2025, 2, 3))
    FollowUp.objects.create(
        unit=setting["unit"],
        consultation=consultation,
        due_on=datetime.date(2025, 3, 1),
        what="Nachfassen",
        assigned_to=coordinator,
    )
    with pytest.raises(engine.UndoRefused, match="inzwischen weitere Angaben"):
        engine.undo_import(run=run, user=coordinator)


def test_only_coordinators_import_and_undo(setting, advisor, coordinator_lots, coordinator):
    data = xlsx_bytes(CONSULTATION_HEADERS, consultation_rows())
    for person in (advisor, coordinator_lots):
        with pytest.raises(engine.ImportRefused, match="Koordinator"):
            import_of("consultations", data, {**setting, "user": person}, value_map=foerder_map())
    run = import_of("consultations", data, setting, value_map=foerder_map())
    assert not engine.may_undo(run, advisor)
    assert engine.may_undo(run, coordinator)
    with pytest.raises(engine.UndoRefused, match="Koordinator"):
        engine.undo_import(run=run, user=coordinator_lots)


def test_missing_columns_are_refused(setting):
    data = xlsx_bytes(["Organisation", "Datum"], [["Al-Nour Frauenverein", "04.02.2025"]])
    with pytest.raises(engine.ImportRefused) as refused:
        plan_of("consultations", data, setting)
    assert refused.value.message == (
        "Es fehlen Spalten, die für Beratungen nötig sind: „Dauer“, „Format“, „Anstoß durch“, „Themen“."
    )


def test_queries_per_row_stay_low(setting, django_assert_max_num_queries):
    rows = [
        [
            "Al-Nour Frauenverein",
            datetime.date(2025, 1, 1) + datetime.timedelta(days=n),
            60,
            "Video",
            "Organisation",
            "Datenschutz",
            "Demir",
            f"Beratung {n}",
        ]
        for n in range(40)
    ]
    data = xlsx_bytes(CONSULTATION_HEADERS, rows)
    table = table_of(data)
    kind, columns = guessed("consultations", table)
    with django_assert_max_num_queries(40 * 25):
        plan = engine.dry_run(
            kind=kind, table=table, mapping=columns, value_map={}, unit=setting["unit"], user=setting["user"]
        )
    assert plan.counts["new"] == 40


# --- Organisations with contact persons ------------------------------------------------------------------

ORGANISATION_HEADERS = [
    "Name",
    "Rechtsform",
    "Kreis",
    "Ort",
    "Telefon",
    "Ansprechperson",
    "Funktion",
    "Einwilligung am",
]


def organisation_rows():
    return [
        [
            "Türk Kadınlar Birliği e. V.",
            "e.V.",
            "Landkreis Gießen",
            "Gießen",
            "0641 123",
            "Ayşe Yılmaz",
            "Vorsitzende",
            datetime.datetime(2024, 5, 2),
        ],
        [
            "Türk Kadınlar Birliği e. V.",
            "e.V.",
            "Landkreis Gießen",
            "Gießen",
            "0641 123",
            "Mehmet Öztürk",
            "Kassierer",
            "03.05.2024",
        ],
        ["جمعية الصداقة العربية", "Initiative", "Frankfurt am Main", "Frankfurt am Main", None, None, None, None],
        [
            "Kulturverein Anatolien e. V.",
            "eingetragener Verein",
            "Kassel (Stadt)",
            "Kassel",
            "0561 987",
            None,
            None,
            None,
        ],
    ]


def test_organisations_dry_run_and_import(setting, anatolien, coordinator):
    rows = [*organisation_rows(), ["Verein der Freunde", "e.V.", "Kasel", "Kassel", None, "Ali Veli", None, None]]
    before = counts_of_everything()
    plan = plan_of("organisations", xlsx_bytes(ORGANISATION_HEADERS, rows), setting)
    assert counts_of_everything() == before
    assert [(row.number, row.status) for row in plan.rows] == [
        (2, "new"),
        (3, "update"),
        (4, "new"),
        (5, "update"),
        (6, "error"),
    ]
    errors = {e.column: e.message for e in plan.rows[4].errors}
    assert errors == {
        "Kreis": "Den Kreis „Kasel“ gibt es nicht. Meinten Sie „Kassel (Landkreis)“ oder „Kassel (Stadt)“?"
    }

    run = import_of("organisations", xlsx_bytes(ORGANISATION_HEADERS, organisation_rows()), setting)
    assert run.counts == {"new": 2, "update": 2, "unchanged": 0}
    tkb = Organisation.objects.get(name="Türk Kadınlar Birliği e. V.")
    assert (tkb.legal_form, tkb.region.name, tkb.kind, tkb.created_by) == (
        "ev",
        "Gießen",
        "migrant_org",
        coordinator,
    )
    assert list(tkb.units.all()) == [setting["unit"]]
    assert sorted(tkb.contacts.values_list("name", "function", "consent_date")) == [
        ("Ayşe Yılmaz", "Vorsitzende", datetime.date(2024, 5, 2)),
        ("Mehmet Öztürk", "Kassierer", datetime.date(2024, 5, 3)),
    ]
    arabic = Organisation.objects.get(name="جمعية الصداقة العربية")
    assert arabic.legal_form == "initiative"
    anatolien.refresh_from_db()
    assert (anatolien.phone, anatolien.version) == ("0561 987", 2)
    assert anatolien.history.latest().history_change_reason == f"Import „liste.xlsx“ (#{run.pk})"

    # Again: nothing changes.
    counts = counts_of_everything()
    again = import_of("organisations", xlsx_bytes(ORGANISATION_HEADERS, organisation_rows()), setting)
    assert again.counts == {"new": 0, "update": 0, "unchanged": 4}
    assert counts_of_everything()["organisations.Organisation"] == counts["organisations.Organisation"]
    assert counts_of_everything()["organisations.ContactPerson"] == counts["organisations.ContactPerson"]

    # Undo the first import: new organisations and contacts go, Anatolien gets its old phone back.
    engine.undo_import(run=run, user=coordinator)
    assert not Organisation.objects.filter(name="Türk Kadınlar Birliği e. V.").exists()
    assert not ContactPerson.objects.exists()
    anatolien.refresh_from_db()
    assert (anatolien.phone, anatolien.version) == ("", 3)


def test_similar_organisation_needs_a_decision(setting, anatolien):
    rows = [["Kulturverein Anatolien", "e.V.", "Kassel (Landkreis)", "Baunatal", None, None, None, None]]
    plan = plan_of("organisations", xlsx_bytes(ORGANISATION_HEADERS, rows), setting)
    assert plan.rows[0].status == "error"
    [error] = plan.rows[0].errors
    assert error.column == "Name"
    assert error.message.startswith("Es gibt bereits ähnliche Organisationen: Kulturverein Anatolien e. V. (Kassel).")
    headers = [*ORGANISATION_HEADERS, "Trotzdem neu anlegen"]
    plan = plan_of("organisations", xlsx_bytes(headers, [[*rows[0], "ja"]]), setting)
    assert plan.rows[0].status == "new"


def test_contact_without_consent_date_is_refused_at_its_column(setting):
    rows = [["Yeni Umut e. V.", "e.V.", "Wiesbaden", "Wiesbaden", None, "Fatma Kaya", None, None]]
    plan = plan_of("organisations", xlsx_bytes(ORGANISATION_HEADERS, rows), setting)
    assert [(e.column, e.message) for e in plan.rows[0].errors] == [
        ("Einwilligung am", "Dieses Feld ist zwingend erforderlich.")
    ]


# --- Events with attending organisations --------------------------------------------------------------------

EVENT_HEADERS = ["Titel", "Art", "Datum", "Format", "Ort", "Kreis", "Teilnehmende", "Themen", "Organisationen"]


def test_events_import_with_organisations(setting, anatolien, al_nour, coordinator):
    rows = [
        [
            "Vereinsrecht kompakt",
            "Schulung",
            datetime.datetime(2025, 3, 10),
            "online",
            None,
            None,
            12,
            "Vereinsgründung und Satzung",
            "Kulturverein Anatolien; Al-Nour Frauenverein",
        ],
        [
            "Netzwerktreffen Nordhessen",
            "Vernetzungstreffen",
            "15.03.2025",
            "Präsenz",
            "Kassel, Rathaus",
            "Kassel (Stadt)",
            20,
            None,
            "Kulturverein Anatolien",
        ],
        ["Netzwerktreffen Nordhessen", "Vernetzungstreffen", "15.03.2025", "Präsenz", None, None, 20, None, None],
    ]
    data = xlsx_bytes(EVENT_HEADERS, rows)
    plan = plan_of("events", data, setting)
    assert [row.status for row in plan.rows] == ["new", "new", "error"]
    assert plan.rows[2].errors[0].message.startswith("Steht schon in Zeile 3")
    run = import_of("events", xlsx_bytes(EVENT_HEADERS, rows[:2]), setting)
    assert run.counts == {"new": 2, "update": 0, "unchanged": 0}
    online = Event.objects.get(title="Vereinsrecht kompakt")
    assert set(online.organisations.all()) == {anatolien, al_nour}
    assert (online.kind, online.format, online.participants, online.unit) == ("training", "online", 12, setting["unit"])
    meeting = Event.objects.get(title="Netzwerktreffen Nordhessen")
    assert (meeting.place, meeting.region.name) == ("Kassel, Rathaus", "Kassel (Stadt)")
    again = import_of("events", xlsx_bytes(EVENT_HEADERS, rows[:2]), setting)
    assert again.counts == {"new": 0, "update": 0, "unchanged": 2}
    assert Event.objects.count() == 2
    engine.undo_import(run=again, user=coordinator)  # nothing to undo: fine
    engine.undo_import(run=run, user=coordinator)
    assert Event.objects.count() == 0


def test_in_person_event_needs_a_place(setting):
    rows = [["Fachtag Vielfalt", "Fachtag", "15.03.2025", "in Präsenz", None, None, 80, None, None]]
    plan = plan_of("events", xlsx_bytes(EVENT_HEADERS, rows), setting)
    assert plan.rows[0].status == "error"
    assert {e.column for e in plan.rows[0].errors} >= {"Ort"}


def test_content_types_untouched():
    # Guard against the engine's imports registering anything at import time.
    assert ContentType.objects.filter(app_label="casework", model="importrun").exists()
    assert Region.objects.exists()


def test_windows_csv_with_ambiguous_kreis_and_value_map(setting, coordinator):
    from tests.casework.imports.conftest import csv_bytes

    rows = [
        ["Elternverein Günes", "e.V.", "Kassel", "Kassel", None, None, None, None],
        ["Frauencafé Öz", "Initiative", "Groß-Gerau", "Mörfelden-Walldorf", None, None, None, None],
    ]
    data = csv_bytes(ORGANISATION_HEADERS, rows, delimiter=";", encoding="cp1252")
    table = table_of(data, "organisationen.csv")
    kind, columns = guessed("organisations", table)
    plan = engine.dry_run(kind=kind, table=table, mapping=columns, value_map={}, unit=setting["unit"], user=coordinator)
    assert [row.status for row in plan.rows] == ["error", "new"]
    assert plan.rows[0].errors[0].message == (
        "„Kassel“ passt zu mehreren Einträgen: „Kassel (Landkreis)“, „Kassel (Stadt)“. Bitte eindeutig angeben."
    )
    city = Region.objects.get(name="Kassel (Stadt)")
    value_map = {"region": {mapping.normalise_value("Kassel"): city.pk}}
    plan = engine.dry_run(
        kind=kind, table=table, mapping=columns, value_map=value_map, unit=setting["unit"], user=coordinator
    )
    assert plan.counts == {"new": 2, "update": 0, "unchanged": 0, "error": 0}
    engine.run_import(
        kind=kind,
        table=table,
        mapping=columns,
        value_map=value_map,
        unit=setting["unit"],
        user=coordinator,
        filename="organisationen.csv",
        sha256="1" * 64,
    )
    assert Organisation.objects.get(name="Elternverein Günes").region == city
    assert Organisation.objects.get(name="Frauencafé Öz").municipality == "Mörfelden-Walldorf"


def test_value_map_as_the_file_spells_it_and_progress(setting, coordinator):
    data = xlsx_bytes(CONSULTATION_HEADERS, consultation_rows())
    table = table_of(data)
    kind, columns = guessed("consultations", table)
    # Keys as in the file, ids as text (as a form or JSON may give them back).
    value_map = {"topics": {"Fördermittel-Akquise": str(topic("Fördermittelakquise").pk)}}
    calls = []
    run = engine.run_import(
        kind=kind,
        table=table,
        mapping=columns,
        value_map=value_map,
        unit=setting["unit"],
        user=coordinator,
        filename="x.xlsx",
        sha256="2" * 64,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert run.counts == {"new": 2, "update": 0, "unchanged": 1}
    assert calls[-1] == (3, 3)
    assert all(total == 3 and 0 <= done <= 3 for done, total in calls)
    assert [done for done, _total in calls] == sorted(done for done, _total in calls)
    # The same file again with the same map: nothing new (the topic ids compare equal).
    again = engine.dry_run(
        kind=kind, table=table, mapping=columns, value_map=value_map, unit=setting["unit"], user=coordinator
    )
    assert again.counts == {"new": 0, "update": 0, "unchanged": 3, "error": 0}
