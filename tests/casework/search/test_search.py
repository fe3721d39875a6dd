"""The search: normalisation, the stored columns, matching across related names, the filters and the
global search page; German order of names. Run on SQLite and (with DATABASE_URL) on PostgreSQL."""

import datetime
from importlib import import_module
from io import StringIO

import pytest
from django.apps import apps as installed_apps
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from casework import access
from casework.consultations import filters as consultation_filters
from casework.models import Case, CaseGoal, Consultation, Event, Topic
from casework.search import index
from casework.search import views as search_views
from casework.search.ordering import german, german_key
from casework.search.query import (
    every_matching_consultation,
    first_consultation_ids,
    matching_consultations,
    matching_contacts,
    matching_events,
    matching_organisations,
)
from casework.search.text import normalise, search_terms
from casework.search.views import PER_GROUP
from casework.ui.labels import choice_label
from organisations.models import ContactPerson, Organisation, Region
from tests.casework.search.conftest import consultations_found
from tests.factories import ConsultationFactory, OrganisationFactory, UserFactory
from tests.test_query_counts import assert_max_queries

DAY = datetime.date(2026, 3, 2)


# --- Normalisation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("sahin", "Şahin"),
        ("cigdem", "Çiğdem"),
        ("çiğdem", "ÇİĞDEM"),
        ("Giessen", "Gießen"),
        ("Muenchen", "München"),
        ("aethiopisch", "Äthiopischer Verein"),
        ("yilmaz", "Yılmaz"),
        ("WETZLAR", "wetzlar"),
    ],
)
def test_typed_words_are_found_in_the_stored_form(typed, stored):
    assert all(term in normalise(stored) for term in search_terms(typed))


def test_different_words_stay_different():
    assert "sahin" not in normalise("Schahin")
    assert search_terms("  Gießen   Wetzlar ") == ["giessen", "wetzlar"]
    assert search_terms("   ") == []


def test_control_characters_are_dropped_and_only_the_spacing_ones_part_words():
    assert normalise("Kassen\x01prüfung\x7f\tin\x85Gießen\x1f\x00!") == "kassenprufung in giessen !"


# --- Stored search columns -----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_search_column_follows_save_and_bulk_create():
    organisation = OrganisationFactory(name="Türkischer Elternverein", municipality="Gießen")
    assert organisation.search_text == "turkischer elternverein giessen"
    organisation.name = "Çiğdem Kulturverein"
    organisation.save()
    assert Organisation.objects.get(pk=organisation.pk).search_text == "cigdem kulturverein giessen"
    region = Region.objects.get(name="Frankfurt am Main")
    Organisation.objects.bulk_create(
        [Organisation(name="Straßenfest e.V.", kind="other", legal_form="ev", region=region)]
    )
    bulk = Organisation.objects.get(search_text="strassenfest e.v.")
    assert bulk.name_sort == "strassenfest e.v."  # the German sort key, filled the same way


# --- Matching --------------------------------------------------------------------------------------


@pytest.fixture
def wetzlar(unit_mo):
    """A consultation whose own text says nothing about the names around it."""
    advisor = UserFactory(first_name="Çiğdem", last_name="Şahin")
    organisation = OrganisationFactory(units=[unit_mo], name="Äthiopischer Kulturverein", municipality="Wetzlar")
    topic = Topic.objects.create(unit=unit_mo, name="Fördermittel für Öffentlichkeitsarbeit")
    case = Case.objects.create(
        unit=unit_mo, organisation=organisation, title="Gründung des Dachverbands", goal=CaseGoal.objects.first(),
        opened_on=DAY,
    )  # fmt: skip
    consultation = ConsultationFactory(
        unit=unit_mo, organisation=organisation, summary="Kassenprüfung geübt.", agreements="", date=DAY,
        advisors=[advisor], topics=[topic],
    )  # fmt: skip
    consultation.case = case
    consultation.save()
    other = ConsultationFactory(unit=unit_mo, summary="Satzung", agreements="", topics=[])
    return consultation, other


def found(queryset, text, plan):
    return consultations_found(queryset, text, plan)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "kassenprufung",  # own text, umlaut without e
        "Kassenpruefung",  # own text, umlaut spelt ue
        "wetzlar",  # organisation's municipality
        "athiopischer",  # organisation's name
        "sahin",  # advisor
        "cigdem",  # advisor, first name
        "offentlichkeitsarbeit",  # topic
        "dachverband",  # case
        "Wetzlar Şahin Dachverband",  # every word, each from elsewhere
    ],
)
def test_a_consultation_is_found_by_its_own_text_and_the_names_around_it(wetzlar, plan, query):
    consultation, other = wetzlar
    assert found(Consultation.objects.all(), query, plan) == [consultation]


@pytest.mark.django_db
def test_every_word_must_be_found_and_nothing_is_counted_twice(wetzlar, plan, unit_mo):
    consultation, _other = wetzlar
    assert found(Consultation.objects.all(), "Wetzlar Marburg", plan) == []
    second_topic = Topic.objects.create(unit=unit_mo, name="Öffentlichkeitsarbeit online")
    consultation.topics.add(second_topic)
    assert found(Consultation.objects.all(), "offentlichkeit", plan) == [consultation]
    assert matching_consultations(Consultation.objects.all(), "   ").count() == Consultation.objects.count()


@pytest.mark.django_db
def test_the_search_only_narrows_the_given_queryset(wetzlar, plan):
    consultation, other = wetzlar
    scoped = Consultation.objects.filter(pk=other.pk)
    assert found(scoped, "wetzlar", plan) == []
    assert found(scoped, "satzung", plan) == [other]


@pytest.mark.django_db
def test_events_are_found_by_title_topic_and_attending_organisation(unit_mo):
    organisation = OrganisationFactory(units=[unit_mo], name="Eritreische Gemeinde", municipality="Gießen")
    event = Event.objects.create(unit=unit_mo, title="Fachtag Ehrenamt", kind="conference", date=DAY, format="online")
    event.organisations.add(organisation)
    Event.objects.create(unit=unit_mo, title="Schulung", kind="training", date=DAY, format="online")
    for query in ("ehrenamt", "giessen", "eritreische fachtag"):
        assert list(matching_events(Event.objects.all(), query)) == [event], query


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["wetzlar", "sahin wetzlar"])
def test_a_consultation_search_is_read_lazily_and_its_first_matches_in_few_queries(
    wetzlar, django_assert_num_queries, typed
):
    consultation, _other = wetzlar
    with django_assert_num_queries(0):  # the filter itself asks nothing (the list's filterset builds it)
        matching = matching_consultations(Consultation.objects.all(), typed)
    sqlite = connection.vendor == "sqlite"
    # SQLite: the words' spellings, then the index in list order, each candidate tested.
    with django_assert_num_queries(2 if sqlite else 0):
        ids = first_consultation_ids(matching, typed, 10)
    assert ids == ([consultation.pk] if sqlite else None)  # PostgreSQL: the list is read, its planner chooses


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL's planner reads the trigram index itself")
def test_the_first_matches_come_in_list_order_up_to_the_limit_and_within_the_dates(unit_mo):
    day = datetime.date(2025, 6, 15)
    dates = [day, day + datetime.timedelta(days=30), day - datetime.timedelta(days=400), day, day]
    made = [
        ConsultationFactory(unit=unit_mo, summary="Satzung, Kasse", agreements="", date=d, topics=[]) for d in dates
    ]
    ConsultationFactory(unit=unit_mo, summary="Kasse", agreements="", date=day, topics=[])
    matching = matching_consultations(Consultation.objects.all(), "satzung")
    in_list_order = list(matching.values_list("pk", flat=True))
    assert in_list_order == [made[1].pk, made[4].pk, made[3].pk, made[0].pk, made[2].pk]
    assert first_consultation_ids(matching, "satzung", 10) == in_list_order
    assert first_consultation_ids(matching, "satzung", 2) == in_list_order[:2]
    within = first_consultation_ids(matching, "satzung", 10, date_from=day, date_to=day)
    assert within == [made[4].pk, made[3].pk, made[0].pk]
    assert first_consultation_ids(matching, "satzung", 10, date_from=day + datetime.timedelta(days=1)) == [made[1].pk]
    assert first_consultation_ids(matching, "satzung", 10, date_to=day - datetime.timedelta(days=1)) == [made[2].pk]
    two_words = matching_consultations(Consultation.objects.all(), "kasse satzung")  # through the whole words
    assert first_consultation_ids(two_words, "kasse satzung", 10) == in_list_order
    assert first_consultation_ids(two_words, "kasse satzung", 10, date_from=day, date_to=day) == within
    assert first_consultation_ids(matching, "ka", 10) == in_list_order  # short: whole words holding it
    assert first_consultation_ids(matching.none(), "satzung", 10) == []
    assert first_consultation_ids(matching.order_by("id"), "satzung", 10) is None  # another order: likewise


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL's planner reads the trigram index itself")
def test_the_index_is_read_in_its_own_order_and_stops_at_the_limit(people, unit_mo):
    """No sort of every match (a frequent word's first page would wait for all of them); the candidates are
    tested on the narrow index entries, not on the rows with all their texts."""
    ConsultationFactory.create_batch(2, unit=unit_mo, summary="Satzung", agreements="", topics=[])
    visible = access.consultations_visible_to(people["coordinator_mo"])
    for filtered in (visible, visible.filter(format="online", date__gte=DAY)):
        matching = matching_consultations(filtered, "satzung")
        with CaptureQueriesContext(connection) as captured:
            first_consultation_ids(matching, "satzung", 10, unsearched=filtered)
        _spellings, lookup = captured.captured_queries
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {lookup['sql']}")
            plan = " / ".join(row[-1] for row in cursor.fetchall())
        assert f"SCAN {index.WORDS_TABLE} VIRTUAL TABLE" in plan
        assert f"USING COVERING INDEX {index.ROW_TEST_INDEX}" in plan
        assert "TEMP B-TREE" not in plan
        assert lookup["sql"].endswith("LIMIT 10")


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["wetzlar", "sahin wetzlar", "ka", "satzung", "nirgends"])
def test_an_export_reads_every_match_and_on_sqlite_tests_only_the_index_candidates(wetzlar, unit_mo, typed):
    ConsultationFactory.create_batch(3, unit=unit_mo, summary="Satzung und Kasse", agreements="", topics=[])
    matching = matching_consultations(Consultation.objects.all(), typed)
    every = every_matching_consultation(matching, typed)
    assert list(every) == list(matching)
    through_the_index = connection.vendor == "sqlite" and typed != "ka"  # "ka": shorter than a trigram
    assert (index.FTS_TABLE in str(every.query)) == through_the_index


@pytest.mark.django_db
def test_several_words_are_looked_up_by_their_beginnings_and_tested_whole(unit_mo, plan):
    """The beginnings ("kasse", "wetzl") find more than the words; the rows' test drops the rest."""
    wetzlar = OrganisationFactory(units=[unit_mo], name="Kulturverein", municipality="Wetzlar")
    audit = ConsultationFactory(unit=unit_mo, organisation=wetzlar, summary="Kassenprüfung", agreements="", topics=[])
    ConsultationFactory.create_batch(2, unit=unit_mo, organisation=wetzlar, summary="Kassenbericht", agreements="")
    assert found(Consultation.objects.all(), "kassenprufung wetzlar", plan) == [audit]


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["gepr", "ge", "جمعية", 'say "hi'])
def test_the_text_index_finds_any_part_of_a_word_in_any_script(unit_mo, plan, typed):
    match = ConsultationFactory(unit=unit_mo, summary='Satzung geprüft; جمعية الثقافة; they say "hi"', agreements="")
    ConsultationFactory(unit=unit_mo, summary="Anderes", agreements="")
    assert found(Consultation.objects.all(), typed, plan) == [match]


@pytest.mark.django_db
def test_the_text_index_follows_every_change(unit_mo):
    older = ConsultationFactory(unit=unit_mo, summary="Kassenprüfung", agreements="", date=DAY)
    newer = ConsultationFactory(unit=unit_mo, summary="Kassenbericht", agreements="", date=DAY)
    assert found(Consultation.objects.all(), "kassen", "index") == [newer, older]
    older.date = DAY + datetime.timedelta(days=1)  # its place in the list moves
    older.save()
    assert found(Consultation.objects.all(), "kassen", "index") == [older, newer]
    older.summary = "Vorstandswahl"
    older.save()
    assert found(Consultation.objects.all(), "kassen", "index") == [newer]
    assert found(Consultation.objects.all(), "vorstand", "index") == [older]
    older.delete()
    assert found(Consultation.objects.all(), "vorstand", "index") == []


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 table exists on SQLite only")
def test_the_sqlite_text_index_is_rebuilt_when_a_migration_dropped_its_triggers(unit_mo):
    """Django rebuilds SQLite tables for many schema changes; the old table's triggers go with it."""
    with connection.cursor() as cursor:
        for suffix in ("ai", "ad", "au"):
            cursor.execute(f"DROP TRIGGER {index.FTS_TABLE}_{suffix}")
    missed = ConsultationFactory(unit=unit_mo, summary="Kassenprüfung", agreements="")
    assert found(Consultation.objects.all(), "kassen", "index") == []  # the index missed it
    index.ensure_sqlite_index()  # what post_migrate does after every migrate
    assert found(Consultation.objects.all(), "kassen", "index") == [missed]
    assert found(Consultation.objects.all(), "kassen prufung", "index") == [missed]  # the words and their vocabulary
    later = ConsultationFactory(unit=unit_mo, summary="Kassenbericht", agreements="")
    assert found(Consultation.objects.all(), "kassen", "index") == [later, missed]
    assert found(Consultation.objects.all(), "kassen bericht", "index") == [later]


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="the vocabulary exists on SQLite only")
@pytest.mark.parametrize("part", [index.VOCABULARY, index.WORDS_TABLE, f"{index.VOCABULARY}_ai"])
def test_the_sqlite_text_index_is_made_afresh_when_any_part_is_missing(unit_mo, part):
    made = ConsultationFactory(unit=unit_mo, summary="Kassenprüfung", agreements="")
    with connection.cursor() as cursor:
        kind = "TRIGGER" if part.endswith("_ai") else "TABLE"
        cursor.execute(f"DROP {kind} {part}")
    index.ensure_sqlite_index()
    assert found(Consultation.objects.all(), "kassen prufung", "index") == [made]
    assert "kassenprufung" in _vocabulary()


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 table exists on SQLite only")
def test_an_index_of_an_earlier_release_is_replaced(unit_mo):
    """The table keyed by id and the covering index for row-by-row tests, made by earlier releases, go."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE VIRTUAL TABLE casework_consultation_fts USING fts5("
            "search_text, content='casework_consultation', content_rowid='id', tokenize='trigram')"
        )
        cursor.execute(
            "CREATE TRIGGER casework_consultation_fts_ai AFTER INSERT ON casework_consultation BEGIN "
            "INSERT INTO casework_consultation_fts(rowid, search_text) VALUES (new.id, new.search_text); END"
        )
        cursor.execute('CREATE INDEX "consultation_search_order_idx" ON "casework_consultation" ("date", "id")')
        # The vocabulary without short words (of a day's development), whose triggers refer to it by name.
        cursor.execute(f"ALTER TABLE {index.VOCABULARY} RENAME TO casework_search_vocabulary")
    index.ensure_sqlite_index()
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE 'casework_consultation_fts%'")
        assert cursor.fetchall() == []
        cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE 'casework_search_vocabulary%'")
        assert cursor.fetchall() == []
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'consultation_search_order_idx'")
        assert cursor.fetchall() == []
    made = ConsultationFactory(unit=unit_mo, summary="Kassenprüfung", agreements="")  # no trigger left to fail
    assert found(Consultation.objects.all(), "kassen", "index") == [made]
    assert found(Consultation.objects.all(), "kassen pr", "index") == [made]


def _lookup_table(typed):
    """The text index table a list's first page reads for `typed` (SQLite)."""
    matching = matching_consultations(Consultation.objects.all(), typed)
    with CaptureQueriesContext(connection) as captured:
        first_consultation_ids(matching, typed, 10)
    return {table for table in (index.FTS_TABLE, index.WORDS_TABLE) if table in captured.captured_queries[-1]["sql"]}


@pytest.fixture
def documents(unit_mo):
    texts = {
        "compound": "Vereinssatzung (Entwurf) mit der Gießener Runde besprochen",
        "plain": "Satzung; Kassenprüfung in Gießen",
        "arabic": "Satzungsänderung, جمعية الثقافة",
        "other": "Kasse und Gießen",
    }
    neutral = OrganisationFactory(units=[unit_mo], name="Nachbarschaftshilfe", municipality="Fulda")
    return {
        name: ConsultationFactory(
            unit=unit_mo,
            organisation=neutral,
            summary=text,
            agreements="",
            topics=[],
            date=DAY - datetime.timedelta(place),
        )
        for place, (name, text) in enumerate(texts.items())
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("satzung gießen", ["compound", "plain"]),  # inside compounds and next to punctuation
        ("Satzung (Entwurf)", ["compound"]),  # the word with its brackets
        ("satzungsand جمعية", ["arabic"]),
        ("giessen kasse", ["plain", "other"]),
        ("runde satzung kasse", []),
        ("giessen nirgendwo", []),  # a word no document holds: nothing to read
        ("sat gie", ["compound", "plain"]),  # the shortest words the index looks up
        ("kasse un", ["plain", "other"]),  # a word shorter than a trigram is tested on the rows only
    ],
)
def test_several_words_find_exactly_what_each_word_finds(documents, plan, typed, expected):
    found_names = [name for name, made in documents.items() if made in found(Consultation.objects.all(), typed, plan)]
    assert found_names == expected
    if connection.vendor == "sqlite" and plan == "index" and expected:
        # Several words, also short ones: whole words, not the trigrams of every word.
        assert _lookup_table(typed) == {index.WORDS_TABLE}


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="the vocabulary exists on SQLite only")
def test_a_short_word_no_document_holds_is_answered_by_the_vocabulary_alone(
    unit_mo, django_assert_num_queries, monkeypatch
):
    """Every row holding "verein" used to be tested for "ev" (`verein ev`, 100,000 consultations: 150 ms). Here
    "qx": a word another test's committed and flushed records (the vocabulary keeps words) will not have held."""
    ConsultationFactory.create_batch(3, unit=unit_mo, summary="Kulturverein Hanau", agreements="", topics=[])
    matching = matching_consultations(Consultation.objects.all(), "verein qx")
    with django_assert_num_queries(1):  # the words' spellings: none holds "qx"
        assert first_consultation_ids(matching, "verein qx", 10) == []
    standalone = ConsultationFactory(unit=unit_mo, summary="Kulturverein qx Hanau", agreements="", topics=[])
    assert found(Consultation.objects.all(), "verein qx", "index") == [standalone]
    assert _lookup_table("verein qx") == {index.WORDS_TABLE}
    assert found(Consultation.objects.all(), "qx", "index") == [standalone]
    assert _lookup_table("qx") == {index.WORDS_TABLE}  # one short word too: not every row tested
    monkeypatch.setattr(index, "MAX_SPELLINGS", 0)  # "qx" inside too many words: the rows test it
    assert first_consultation_ids(matching_consultations(Consultation.objects.all(), "qx"), "qx", 10) is None


@pytest.mark.django_db
@pytest.mark.parametrize("plan", ["index", "scan"])
def test_a_document_stored_with_a_control_character_is_made_afresh_by_the_migration(unit_mo, plan):
    """Before normalise() dropped them, a control character could stay in a document, and SQLite's vocabulary
    cannot read such a document's words: SQLite's search did not find them. Migration 0028 makes them afresh."""
    made = ConsultationFactory(unit=unit_mo, summary="Quittenbaum", agreements="", topics=[])
    made.refresh_from_db()
    document = made.search_text  # with the names around it (casework/search/documents.py)
    legacy = document.replace("quittenbaum", "quittenbaum\x01")  # as a summary with one was stored before
    Consultation.objects.filter(pk=made.pk).update(search_text=legacy)
    index.compact_text_index()  # the nightly run: "quittenbaum" left the vocabulary with its last document
    if connection.vendor == "sqlite" and plan == "index":
        assert found(Consultation.objects.all(), "quittenbaum", plan) == []
    migration = import_module("casework.migrations.0028_renormalise_documents")
    migration.renormalise_documents(installed_apps, None)
    made.refresh_from_db()
    assert made.search_text == document
    assert found(Consultation.objects.all(), "quittenbaum", plan) == [made]


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="the words table exists on SQLite only")
def test_one_word_is_looked_up_as_whole_words_and_through_its_trigrams_where_inside_too_many(documents, monkeypatch):
    """`satzung` is inside three words: their lists hold no positions, the trigrams' lists do (and are longer)."""
    expected = [documents["compound"], documents["plain"], documents["arabic"]]
    assert found(Consultation.objects.all(), "satzung", "index") == expected
    assert _lookup_table("satzung") == {index.WORDS_TABLE}
    monkeypatch.setattr(index, "MAX_SPELLINGS", 2)
    assert found(Consultation.objects.all(), "satzung", "index") == expected
    assert _lookup_table("satzung") == {index.FTS_TABLE}


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="the words table exists on SQLite only")
def test_a_word_inside_too_many_words_is_left_to_the_rows(documents, monkeypatch):
    """`satzung` is inside three words (vereinssatzung, satzung;, satzungsanderung,), `giessen` inside two."""
    monkeypatch.setattr(index, "MAX_SPELLINGS", 2)
    assert found(Consultation.objects.all(), "satzung giessen", "index") == [documents["compound"], documents["plain"]]
    assert _lookup_table("satzung giessen") == {index.WORDS_TABLE}  # the words holding giessen, tested for satzung
    monkeypatch.setattr(index, "MAX_SPELLINGS", 1)
    assert found(Consultation.objects.all(), "satzung giessen", "index") == [documents["compound"], documents["plain"]]
    assert _lookup_table("satzung giessen") == {index.FTS_TABLE}  # both too common: the trigrams of their beginnings
    monkeypatch.setattr(index, "MAX_SPELLINGS", 0)
    # The beginnings (satzu, giess) are in two documents, the whole words in none: the rows' test drops them.
    assert found(Consultation.objects.all(), "satzungsanderung giessen", "index") == []
    assert _lookup_table("satzungsanderung giessen") == {index.FTS_TABLE}


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's vocabulary of short words")
def test_postgresql_finds_short_words_through_its_vocabulary(unit_mo):
    """The trigram index cannot look up a word under three letters: the vocabulary tells which words hold it."""
    hanau = ConsultationFactory(unit=unit_mo, summary="Kulturverein Hanau, Kassenbericht", agreements="", topics=[])
    kassel = ConsultationFactory(unit=unit_mo, summary="Kulturverein Kassel", agreements="", topics=[])
    everything = Consultation.objects.all()
    nothing = matching_consultations(everything, "verein qx")  # no word of any document holds "qx"
    assert nothing.query.is_empty() and list(nothing) == []
    assert set(matching_consultations(everything, "verein ka")) == {hanau, kassel}  # inside kassenbericht, kassel
    assert set(matching_consultations(everything, "hanau ka")) == {hanau}
    kassel.summary = "Kulturverein Kassel qx"
    kassel.save()  # the trigger adds "qx"
    assert list(matching_consultations(everything, "verein qx")) == [kassel]
    kassel.delete()
    index.compact_text_index()  # the nightly run and every erasure
    with connection.cursor() as cursor:
        cursor.execute("SELECT word FROM casework_search_lexicon")
        words = {row[0] for row in cursor.fetchall()}
    assert "kassel" not in words and "qx" not in words and "hanau," in words


def _vocabulary():
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT word FROM {index.VOCABULARY}")  # noqa: S608 – constant name
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="the vocabulary exists on SQLite only")
def test_the_vocabulary_follows_every_change_and_forgets_words_no_document_holds(unit_mo):
    made = ConsultationFactory(unit=unit_mo, summary="Quittenbaum Satzung", agreements="", topics=[])
    assert found(Consultation.objects.all(), "quitten satzung", "index") == [made]
    made.summary = "Apfelbaum Satzung\x02"
    made.save()
    assert found(Consultation.objects.all(), "quitten satzung", "index") == []
    assert found(Consultation.objects.all(), "apfel satzung", "index") == [made]
    assert "quittenbaum" in _vocabulary()  # until the nightly compaction (or an erasure's)
    index.compact_text_index()
    assert "quittenbaum" not in _vocabulary() and "apfelbaum" in _vocabulary()
    made.delete()
    index.compact_text_index()
    assert "apfelbaum" not in _vocabulary()
    assert found(Consultation.objects.all(), "apfel satzung", "index") == []


def _query_plan(queryset):
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return " / ".join(row[-1] for row in cursor.fetchall())


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="the list-order indexes are made on SQLite only")
@pytest.mark.parametrize(
    ("found", "name"),
    [
        (search_views.found_organisations, "organisation_search_order_idx"),
        (search_views.found_contacts, "contact_search_order_idx"),
        (search_views.found_cases, "case_search_order_idx"),
        (search_views.found_events, "event_search_order_idx"),
    ],
)
def test_sqlite_searches_the_smaller_kinds_in_list_order_from_an_index_also_after_a_table_rebuild(
    people, found, name, monkeypatch
):
    """The global search tests each row's search column in its list's order, from an index holding the order and
    that column (not the wide table rows), and stops after the first few: no sort of every match. A Django table
    rebuild drops indexes it does not know of; the next migrate makes them again."""
    monkeypatch.setattr(index, "FEW", -1)  # as where more than a few organisations or contact persons hold it
    first = found(people["coordinator_mo"], "satzung")[: PER_GROUP + 1]
    plan = _query_plan(first)
    assert f"INDEX {name}" in plan and "TEMP B-TREE" not in plan
    assert f"COVERING INDEX {name}" in _query_plan(first.values_list("pk"))  # the walk needs no table row
    with connection.cursor() as cursor:
        cursor.execute(f'DROP INDEX "{name}"')
    assert name not in _query_plan(first)
    index.ensure_sqlite_index()  # what post_migrate does after every migrate
    assert f"INDEX {name}" in _query_plan(first)


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="the trigram tables of the smaller kinds are SQLite's")
def test_where_few_organisations_or_contacts_hold_the_words_only_they_are_read(unit_mo, monkeypatch):
    """A word few or none hold: their ids from the trigram table (the global search for `yilmaz` walked all
    5,000 organisations); more than FEW: the list in its order. The triggers follow every change of a name."""
    monkeypatch.setattr(index, "FEW", 2)
    rare = OrganisationFactory(units=[unit_mo], name="Quittenverein Nord", municipality="Fulda")
    common = [OrganisationFactory(units=[unit_mo], name=f"Kulturverein {n}", municipality="Fulda") for n in "ABC"]
    contact = ContactPerson.objects.create(
        organisation=rare, name="Zeynep Quittenbaum", function="Kasse", consent_date=DAY
    )
    organisations = Organisation.objects.all().order_by("name_sort", "name", "id")
    assert index.few_ids(Organisation, ["quittenverein"]) == [rare.pk]
    assert index.few_ids(Organisation, ["kulturverein"]) is None  # three: more than FEW
    assert index.few_ids(Organisation, ["kulturverein", "a"]) is None
    assert index.few_ids(Organisation, ["nirgends"]) == []
    assert index.few_ids(Organisation, ["qu"]) is None  # shorter than a trigram: the list is walked
    assert list(matching_organisations(organisations, "quittenverein fulda")) == [rare]
    assert "IN" in str(matching_organisations(organisations, "quittenverein").query)
    assert list(matching_organisations(organisations, "kulturverein")) == common
    assert list(matching_organisations(organisations, "fulda")) == sorted([rare, *common], key=lambda o: o.name)
    assert list(matching_contacts(ContactPerson.objects.all(), "quittenbaum")) == [contact]
    rare.name = "Birnenverein Nord"
    rare.save()
    contact.delete()
    assert list(matching_organisations(organisations, "quittenverein")) == []
    assert list(matching_organisations(organisations, "birnenverein")) == [rare]
    assert index.few_ids(ContactPerson, ["quittenbaum"]) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "decoy"),
    [("50%", "500"), ("a_b", "axb"), ("x*y", "xzzy"), ("wer?", "wert"), ("[ab]", "a"), ("c\\d", "c/d")],
)
def test_wildcards_of_either_database_are_searched_as_typed(unit_mo, plan, typed, decoy):
    """LIKE's % and _, GLOB's *, ? and [...] (SQLite's search, casework/search/fields.py) match only themselves."""
    meant = OrganisationFactory(units=[unit_mo], name=f"Verein {typed} Nord")
    other = OrganisationFactory(units=[unit_mo], name=f"Verein {decoy} Nord")
    assert list(matching_organisations(Organisation.objects.all(), typed)) == [meant]
    said = ConsultationFactory(unit=unit_mo, organisation=other, summary=f"Notiz {typed} Ende", agreements="")
    ConsultationFactory(unit=unit_mo, organisation=other, summary=f"Notiz {decoy} Ende", agreements="")
    assert consultations_found(Consultation.objects.all(), typed, plan) == [said]


def _index_segments():
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {index.FTS_TABLE}_data")  # noqa: S608 – constant name
        return cursor.fetchone()[0]


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 table exists on SQLite only")
def test_the_nightly_retention_run_merges_the_sqlite_text_index_with_nothing_due(unit_mo):
    """Every edit adds index segments; merged, two frequent words are looked up ~3x faster."""
    consultations = ConsultationFactory.create_batch(5, unit=unit_mo, summary="Kassenprüfung", agreements="")
    for word in ("Aprikose", "Birne", "Dattel", "Kirsche"):
        for consultation in consultations:
            consultation.summary = f"Kassenprüfung {word}"
            consultation.save()
    fragmented = _index_segments()
    call_command("apply_retention", stdout=StringIO())
    assert _index_segments() < fragmented
    assert len(found(Consultation.objects.all(), "kirsche", "index")) == 5
    assert found(Consultation.objects.all(), "dattel", "index") == []


# --- List filters ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_list_filters_search_accent_insensitively(client, people, wetzlar):
    consultation, other = wetzlar
    client.force_login(people["coordinator_mo"])
    response = client.get(reverse("casework:consultation_list"), {"q": "WETZLAR"})
    assert list(response.context["page"]) == [consultation]
    response = client.get(reverse("organisations:organisation_list"), {"q": "athiopischer"})
    assert [o.pk for o in response.context["page"]] == [consultation.organisation_id]
    response = client.get(reverse("casework:case_list"), {"q": "grundung sahin"})
    assert response.status_code == 200
    assert "Gründung des Dachverbands" not in response.content.decode()  # responsible is not Şahin
    response = client.get(reverse("casework:case_list"), {"q": "grundung wetzlar"})
    assert "Gründung des Dachverbands" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("narrowing", "from_the_index"),
    [({}, True), ({"format": "on_site", "date_from": "2026-01-01"}, True), ({"organisation": "own"}, False)],
)
def test_the_list_reads_a_search_from_the_index_unless_a_filter_leaves_a_small_part(
    client, people, unit_mo, monkeypatch, narrowing, from_the_index
):
    """A filter for an organisation, a person, a topic or a Kreis leaves few rows: read through its index."""
    organisation = OrganisationFactory(units=[unit_mo], name="Kulturverein Lahnblick")
    made = [
        ConsultationFactory(
            unit=unit_mo,
            organisation=organisation,
            summary="Satzung",
            agreements="",
            topics=[],
            date=DAY,
            format="on_site",
        )  # fmt: skip
        for _ in range(3)
    ]
    ConsultationFactory(unit=unit_mo, summary="Kasse", agreements="", topics=[], date=DAY, format="on_site")
    earlier_online = ConsultationFactory(
        unit=unit_mo,
        organisation=organisation,
        summary="Satzung",
        agreements="",
        topics=[],
        date=DAY - datetime.timedelta(days=1),
        format="online",
    )  # fmt: skip
    asked = []
    monkeypatch.setattr(consultation_filters, "first_consultation_ids", lambda *a, **k: asked.append(a) or ids(*a, **k))
    ids = first_consultation_ids
    client.force_login(people["coordinator_mo"])
    params = {"q": "satzung", **narrowing}
    if params.get("organisation") == "own":
        params["organisation"] = organisation.pk
    response = client.get(reverse("casework:consultation_list"), params)
    # Every other filter holds (the index's candidates are tested against the list they leave).
    expected = [*reversed(made), *([] if "format" in narrowing else [earlier_online])]
    assert [c.pk for c in response.context["page"]] == [c.pk for c in expected]
    assert bool(asked) == from_the_index


@pytest.mark.django_db
def test_the_consultation_filter_finds_the_advisors_and_topics_it_offers(client, people, unit_mo):
    topic = Topic.objects.create(unit=unit_mo, name="Gemeinnützigkeit")
    by_aylin = ConsultationFactory(unit=unit_mo, summary="x", advisors=[people["advisor_mo"]], topics=[])
    on_topic = ConsultationFactory(unit=unit_mo, summary="y", topics=[topic])
    ConsultationFactory(unit=unit_mo, summary="z", topics=[])
    client.force_login(people["coordinator_mo"])
    response = client.get(reverse("casework:consultation_list"), {"q": "DEMIR"})  # Aylin Demir
    assert list(response.context["page"]) == [by_aylin]
    response = client.get(reverse("casework:consultation_list"), {"q": "gemeinnutzigkeit"})
    assert list(response.context["page"]) == [on_topic]


@pytest.mark.django_db
def test_a_too_long_search_is_refused_with_a_message(client, people):
    client.force_login(people["coordinator_mo"])
    response = client.get(reverse("casework:search"), {"q": "x" * 201})
    assert response.status_code == 200
    assert "höchstens 200 Zeichen" in response.content.decode()
    assert response.context["groups"] == []
    for bad in ("a\x00b", "%", "_", "\\", "'; --"):
        response = client.get(reverse("casework:search"), {"q": bad})
        assert response.status_code == 200, bad
        assert not any(group.records for group in response.context["groups"]), bad


# --- Global search -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_global_search_groups_what_it_finds_by_kind(client, people, records, wetzlar):
    client.force_login(people["coordinator_mo"])
    response = client.get(reverse("casework:search"), {"q": "gießen"})
    groups = {group.key: group for group in response.context["groups"]}
    assert [o.name for o in groups["organisations"].records] == ["Eritreische Gemeinde Gießen e.V."]
    assert groups["consultations"].records == [records["shared"]]
    assert groups["cases"].records == [] and groups["events"].records == []
    html = response.content.decode()
    assert 'id="results-organisations"' in html and 'id="results-events"' not in html

    response = client.get(reverse("casework:search"), {"q": "Selin"})
    assert [c.name for c in response.context["groups"][1].records] == ["Selin Kaya"]


@pytest.mark.django_db
def test_each_kind_of_result_line_shows_its_link_and_details_escaped(client, people, unit_mo, unit_lots):
    name = '<b>Şahin & "Söhne"</b> جمعية'
    organisation = OrganisationFactory(units=[unit_mo], name=name, municipality="Gießen")
    contact = ContactPerson.objects.create(
        organisation=organisation, name="Çiğdem Şahin", function="Kassenwartin", consent_date=DAY
    )
    consultation = ConsultationFactory(
        unit=unit_mo, shared_with=unit_lots, organisation=organisation, date=DAY, summary="Şahin: " + "lang " * 60
    )
    case = Case.objects.create(
        unit=unit_mo, organisation=organisation, title="Satzung Şahin", goal=CaseGoal.objects.first(), opened_on=DAY
    )
    event = Event.objects.create(unit=unit_mo, title="Fachtag Şahin", kind="conference", date=DAY, format="online")
    client.force_login(people["coordinator_mo"])
    html = client.get(reverse("casework:search"), {"q": "sahin"}).content.decode()
    escaped = "&lt;b&gt;Şahin &amp; &quot;Söhne&quot;&lt;/b&gt; جمعية"
    assert "<b>Şahin" not in html
    day = DAY.strftime("%d.%m.%Y")
    organisation_url = reverse("organisations:organisation_detail", args=[organisation.pk])
    expected = [
        f'<a href="{organisation_url}">{escaped}</a>',
        f'<span class="text-body-secondary">Gießen, {organisation.region.name}</span>',
        f'<a href="{organisation_url}">{contact.name}</a>',
        f'<span class="text-body-secondary">Kassenwartin, {escaped}</span>',
        f'<a href="{reverse("casework:consultation_detail", args=[consultation.pk])}">{escaped} – {day}</a>',
        f'<span class="badge text-bg-light">{unit_mo.short_name} + {unit_lots.short_name}</span>',
        f'<div class="small text-body-secondary">Şahin: {"lang " * 30}',
        f'<a href="{reverse("casework:case_detail", args=[case.pk])}">Satzung Şahin</a>',
        f'<span class="text-body-secondary">{escaped}, {case.get_status_display()}</span>',
        f'<a href="{reverse("casework:event_detail", args=[event.pk])}">Fachtag Şahin</a>',
        f'<span class="text-body-secondary">{day}, {event.get_kind_display()}</span>',
    ]
    for fragment in expected:
        assert fragment in html
    assert "lang " * 33 not in html  # the summary is cut to 160 characters


@pytest.mark.django_db
def test_a_town_that_is_its_own_kreis_is_named_once(client, people, unit_mo):
    offenbach = Region.objects.get(name="Offenbach am Main", valid_until__isnull=True)
    OrganisationFactory(units=[unit_mo], name="Lahnblick e.V.", municipality="Offenbach am Main", region=offenbach)
    client.force_login(people["coordinator_mo"])
    html = client.get(reverse("casework:search"), {"q": "lahnblick"}).content.decode()
    assert '<span class="text-body-secondary">Offenbach am Main</span>' in html


@pytest.mark.django_db
def test_the_global_search_shows_a_few_per_kind_and_links_to_the_list(client, people, unit_mo):
    organisation = OrganisationFactory(units=[unit_mo], name="Verein Lahnblick")
    ConsultationFactory.create_batch(PER_GROUP + 1, unit=unit_mo, organisation=organisation)
    client.force_login(people["advisor_mo"])
    response = client.get(reverse("casework:search"), {"q": "lahnblick"})
    consultations = response.context["groups"][2]
    assert len(consultations.records) == PER_GROUP and consultations.has_more
    assert consultations.list_url == reverse("casework:consultation_list") + "?q=lahnblick"
    assert "alle Beratungen anzeigen" in response.content.decode()


@pytest.mark.django_db
def test_the_global_search_needs_few_queries(client, people, records, wetzlar):
    client.force_login(people["coordinator_mo"])
    client.get(reverse("casework:home"))  # the session's first request writes it; not the search's cost
    with assert_max_queries(12):
        response = client.get(reverse("casework:search"), {"q": "verein sahin"})
    assert response.status_code == 200


@pytest.mark.django_db
def test_nothing_found_and_no_query_say_so(client, people, records):
    client.force_login(people["advisor_mo"])
    assert "Nichts gefunden" in client.get(reverse("casework:search"), {"q": "Zzyzx"}).content.decode()
    assert "Bitte einen Suchbegriff eingeben" in client.get(reverse("casework:search")).content.decode()


@pytest.mark.django_db
def test_the_navigation_offers_the_search(client, people):
    client.force_login(people["advisor_mo"])
    html = client.get(reverse("casework:home")).content.decode()
    assert 'id="nav-search-q"' in html and f'action="{reverse("casework:search")}"' in html


# --- German order ---------------------------------------------------------------------------------------

GERMAN_ORDER = ["apfel e.V.", "Äthiopischer Verein", "Ofen", "Öko-Verein", "Strand", "Straße", "Zusammen e.V."]


def test_the_python_key_sorts_as_german_readers_expect():
    shuffled = [GERMAN_ORDER[i] for i in (6, 3, 1, 5, 0, 4, 2)]
    assert sorted(shuffled, key=german_key) == GERMAN_ORDER


@pytest.mark.django_db
def test_the_database_sorts_names_as_german_readers_expect(unit_mo):
    for name in reversed(GERMAN_ORDER):
        OrganisationFactory(units=[unit_mo], name=name)
    assert list(Organisation.objects.values_list("name", flat=True)) == GERMAN_ORDER  # Meta.ordering
    organisation = Organisation.objects.first()
    for name in reversed(GERMAN_ORDER):
        ContactPerson.objects.create(organisation=organisation, name=name, consent_date=DAY)
    assert list(organisation.contacts.values_list("name", flat=True)) == GERMAN_ORDER
    ordered = Organisation.objects.order_by(german("name").desc()).values_list("name", flat=True)
    assert list(ordered) == GERMAN_ORDER[::-1]


@pytest.mark.django_db
def test_the_german_collation_is_there_on_every_database():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM organisations_region WHERE name IN ('Gießen', 'Groß-Gerau', 'Offenbach am Main')"
            ' ORDER BY name COLLATE "de-x-icu"'
        )
        assert [row[0] for row in cursor.fetchall()] == ["Gießen", "Groß-Gerau", "Offenbach am Main"]


@pytest.mark.django_db
def test_the_organisation_search_finds_municipalities():
    OrganisationFactory(name="Bürgerverein", municipality="Wetzlar")
    assert matching_organisations(Organisation.objects.all(), "wetzlar").get().name == "Bürgerverein"


def test_advisor_choices_follow_german_order(people, unit_mo):
    from casework.consultations.forms import ConsultationForm
    from casework.roles import ADVISOR, role_group
    from tests.conftest import make_person

    for username, last_name in (("z", "Zimmermann"), ("o", "Özdemir"), ("a", "arslan")):
        make_person(username, role_group(unit_mo, ADVISOR), last_name=last_name)
    form = ConsultationForm(user=people["coordinator_mo"])
    names = [person.last_name for person in form.fields["advisors"].queryset if person.last_name]
    assert [name for name in names if name in {"Zimmermann", "Özdemir", "arslan"}] == [
        "arslan",
        "Özdemir",
        "Zimmermann",
    ]


def test_result_labels_follow_the_language_and_excerpts_end_in_an_ellipsis():
    """Labels are translated once per language (casework/ui/labels.py choice_labels), never shown in another language."""
    with translation.override("de"):
        assert choice_label(Case.Status, "dormant") == "ruhend"
        assert choice_label(Event.Kind, "conference") == "Fachtag"
    with translation.override("en"):
        assert choice_label(Case.Status, "dormant") == str(Case.Status.DORMANT.label)
        assert choice_label(Case.Status, "dormant") != "ruhend"
    with translation.override("de"):
        assert choice_label(Case.Status, "dormant") == "ruhend"
    assert choice_label(Case.Status, "unknown") == "unknown"
    assert search_views._excerpt("kurz") == "kurz"
    cut = search_views._excerpt("Şahin " * 40)
    assert len(cut) == search_views.EXCERPT and cut.endswith("Şah…") and cut.startswith("Şahin Şahin")
