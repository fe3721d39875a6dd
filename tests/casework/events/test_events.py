"""Events (Qualifizierung und Vernetzung): CRUD, permissions, bad input, the organisation page, query bounds."""

import datetime

import pytest
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from casework.models import Event, Topic
from organisations.models import Region
from tests.factories import OrganisationFactory
from tests.test_query_counts import MAX_FORM_QUERIES, MAX_QUERIES, assert_max_queries, real_queries

pytestmark = pytest.mark.django_db


def post_data(unit, **overrides):
    data = {
        "unit": unit.pk,
        "title": "Schulung: Gemeinnützigkeit und Vereinsbesteuerung",
        "kind": "training",
        "date": "2026-03-12",
        "format": "in_person",
        "status": "held",
        "place": "Frankfurt am Main, Saalbau Gallus",
        "region": Region.objects.get(name="Frankfurt am Main").pk,
        "teaching_units": "4",
        "participants": "18",
    }
    data.update(overrides)
    return data


def login(client, people, role):
    client.force_login(people[role])
    return people[role]


# --- Create, edit, delete ---------------------------------------------------------------------


def test_advisor_records_event_with_topics_and_organisations(client, people, records, unit_mo):
    user = login(client, people, "advisor_mo")
    topic = Topic.objects.filter(unit=unit_mo).first()
    joint_topic = Topic.objects.filter(unit__isnull=True).first()
    data = post_data(
        unit_mo, topics=[topic.pk, joint_topic.pk], organisations=[records["org_own"].pk, records["org_shared"].pk]
    )
    response = client.post(reverse("casework:event_create"), data)
    event = Event.objects.get(title=data["title"])
    assert response.status_code == 302
    assert response["Location"] == reverse("casework:event_detail", kwargs={"pk": event.pk})
    assert event.unit == unit_mo and not event.is_joint
    assert (event.teaching_units, event.participants, event.created_by) == (4, 18, user)
    assert set(event.topics.all()) == {topic, joint_topic}
    assert set(event.organisations.all()) == {records["org_own"], records["org_shared"]}
    # One history entry with the final topics and organisations, not one per .set().
    assert event.history.count() == 1
    assert event.history.first().organisations.count() == 2

    page = client.get(response["Location"]).content.decode()
    assert "Kulturverein Anatolien e.V." in page and "Eritreische Gemeinde Gießen e.V." in page
    assert "Änderungshistorie" not in page  # advisors see no history


def test_coordinator_sees_history_of_changes(client, people, records):
    login(client, people, "coordinator_mo")
    event = records["event_own"]
    url = reverse("casework:event_edit", kwargs={"pk": event.pk})
    data = post_data(event.unit, title="Schulung Vereinsfinanzen II", participants="25", loaded_version=event.version)
    response = client.post(url, data)
    assert response.status_code == 302
    page = client.get(reverse("casework:event_detail", kwargs={"pk": event.pk})).content.decode()
    assert "Änderungshistorie" in page
    assert "Schulung Vereinsfinanzen → Schulung Vereinsfinanzen II" in page
    assert "12 → 25" in page


def test_edit_keeps_the_unit(client, people, records, unit_lots):
    login(client, people, "admin")
    event = records["event_own"]
    client.post(reverse("casework:event_edit", kwargs={"pk": event.pk}), post_data(unit_lots))
    event.refresh_from_db()
    assert event.unit.code == "mo"


def test_other_unit_keeps_organisations_it_cannot_see(client, people, records, unit_lots):
    """A Lots*innen coordinator editing a joint MO event does not drop MO organisations from it."""
    event = records["event_shared"]
    event.organisations.set([records["org_own"], records["org_foreign"]])
    login(client, people, "coordinator_lots")
    page = client.get(reverse("casework:event_detail", kwargs={"pk": event.pk})).content.decode()
    assert "Integrationslots*innen Marburg" in page
    assert "Kulturverein Anatolien" not in page
    assert "und 1 Organisation der anderen Fachstelle" in page
    # Not in the history either: the history names it "anderer Datensatz".
    event.title = "Fachtag Vielfalt 2026"
    event.save()
    page = client.get(reverse("casework:event_detail", kwargs={"pk": event.pk})).content.decode()
    assert "Änderungshistorie" in page and "anderer Datensatz" in page
    assert "Kulturverein Anatolien" not in page

    form = client.get(reverse("casework:event_edit", kwargs={"pk": event.pk})).content.decode()
    assert "Kulturverein Anatolien" not in form
    # Whether the event is joint is up to its lead unit: this form leaves it as it is.
    data = post_data(
        event.unit, organisations=[records["org_foreign"].pk], participants="40", loaded_version=event.version
    )
    response = client.post(reverse("casework:event_edit", kwargs={"pk": event.pk}), data)
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.participants == 40 and event.is_joint
    assert set(event.organisations.all()) == {records["org_own"], records["org_foreign"]}


def test_joint_event_may_carry_topics_of_both_units(client, people, records, unit_mo, unit_lots):
    login(client, people, "admin")
    lots_topic = Topic.objects.filter(unit=unit_lots).first()
    data = post_data(unit_mo, topics=[lots_topic.pk])
    response = client.post(reverse("casework:event_create"), data)
    assert response.status_code == 200
    assert "gehören nicht zum Katalog der gewählten Fachstelle" in response.content.decode()
    assert not Event.objects.filter(title=data["title"]).exists()

    response = client.post(reverse("casework:event_create"), {**data, "is_joint": "on"})
    assert response.status_code == 302
    assert list(Event.objects.get(title=data["title"]).topics.all()) == [lots_topic]


@pytest.mark.parametrize(("role", "target", "status"), [("advisor_mo", "own", 403), ("coordinator_lots", "own", 404)])
def test_denied_delete_changes_nothing(client, people, records, role, target, status):
    login(client, people, role)
    event = records[f"event_{target}"]
    response = client.post(reverse("casework:event_delete", kwargs={"pk": event.pk}))
    assert response.status_code == status
    assert Event.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize(("role", "target"), [("coordinator_mo", "own"), ("coordinator_lots", "shared")])
def test_coordinator_deletes_after_confirmation(client, people, records, role, target):
    login(client, people, role)
    event = records[f"event_{target}"]
    url = reverse("casework:event_delete", kwargs={"pk": event.pk})
    confirm = client.get(url).content.decode()
    assert "Veranstaltung löschen?" in confirm and event.title in confirm
    assert Event.objects.filter(pk=event.pk).exists()  # GET only asks
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("casework:event_list")
    assert not Event.objects.filter(pk=event.pk).exists()
    assert event.history.filter(history_type="-").exists()


def test_foreign_edit_post_changes_nothing(client, people, records):
    login(client, people, "advisor_mo")
    event = records["event_foreign"]
    response = client.post(reverse("casework:event_edit", kwargs={"pk": event.pk}), post_data(event.unit, title="x"))
    assert response.status_code == 404
    event.refresh_from_db()
    assert event.title == "Basisqualifizierung Modul 1"


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_wrong_methods(client, people, records, method):
    login(client, people, "coordinator_mo")
    pk = records["event_own"].pk
    for url in (reverse("casework:event_list"), reverse("casework:event_detail", kwargs={"pk": pk})):
        assert getattr(client, method)(url).status_code == 405
    assert getattr(client, method)(reverse("casework:event_delete", kwargs={"pk": pk})).status_code == 405
    assert Event.objects.filter(pk=pk).exists()


# --- Bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": "   "}, "Dieses Feld ist zwingend erforderlich."),
        ({"title": "x" * 201}, "höchstens 200 Zeichen"),
        ({"date": "2026-02-30"}, "Bitte ein gültiges Datum eingeben."),
        ({"date": "2016-12-31"}, "erst seit 2017"),
        ({"date": "2099-01-01"}, "zu weit in der Zukunft"),
        ({"participants": "-1"}, "größer oder gleich 0"),
        ({"participants": "2001"}, "kleiner oder gleich 2000"),
        ({"teaching_units": "101"}, "kleiner oder gleich 100"),
        ({"teaching_units": "vier"}, "ganze Zahl"),
        ({"kind": "Picknick"}, "keine gültige Auswahl"),
        ({"format": "telepathisch"}, "keine gültige Auswahl"),
        ({"organisations": ["abc"]}, "kein gültiger Wert"),
        ({"organisations": ["99999999999999999999"]}, "kein gültiger Wert"),
        ({"topics": ["99999999999999999999"]}, "kein gültiger Wert"),
        ({"organisations": ["99999"]}, "keine gültige Auswahl"),
        ({"topics": ["-5"]}, "kein gültiger Wert"),
    ],
)
def test_bad_input_gets_a_german_message_and_saves_nothing(client, people, records, unit_mo, overrides, message):
    login(client, people, "advisor_mo")
    before = Event.objects.count()
    response = client.post(reverse("casework:event_create"), post_data(unit_mo, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Event.objects.count() == before


@pytest.mark.parametrize("target", ["org_foreign"])
def test_foreign_organisation_cannot_be_added(client, people, records, unit_mo, target):
    login(client, people, "advisor_mo")
    response = client.post(reverse("casework:event_create"), post_data(unit_mo, organisations=[records[target].pk]))
    assert response.status_code == 200
    assert "keine gültige Auswahl" in response.content.decode()
    assert "Integrationslots*innen Marburg" not in response.content.decode()
    assert not Event.objects.filter(title__startswith="Schulung: Gemein").exists()


def test_foreign_unit_cannot_be_chosen(client, people, records, unit_lots):
    login(client, people, "advisor_mo")
    response = client.post(reverse("casework:event_create"), post_data(unit_lots))
    assert response.status_code == 200
    assert not Event.objects.filter(unit=unit_lots, title__startswith="Schulung: Gemein").exists()


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "2026-02-30"},
        {"date_to": "gestern"},
        {"unit": "x"},
        {"unit": "999"},
        {"kind": "Picknick"},
        {"format": "telepathisch"},
        {"topic": "1; DROP TABLE"},
        {"organisation": "abc"},
        {"organisation": "99999999999999999999"},
        {"q": "x" * 5000},
        {"page": "999999"},
        {"page": "eins"},
    ],
)
def test_bad_filter_values_never_fail(client, people, records, params):
    login(client, people, "advisor_mo")
    response = client.get(reverse("casework:event_list"), params)
    assert response.status_code == 200
    assert "Veranstaltungen" in response.content.decode()


@pytest.mark.parametrize(
    "path", ["/veranstaltungen/abc/", "/veranstaltungen/0/", "/veranstaltungen/99999999999999999999999/bearbeiten/"]
)
def test_malformed_or_unknown_ids_are_404(client, people, path):
    login(client, people, "advisor_mo")
    assert client.get(path).status_code == 404


# --- List and filters -------------------------------------------------------------------------


def titles(response):
    return {e.title for e in response.context["page"]}


def test_list_is_scoped_and_joint_events_belong_to_both_units(client, people, records, unit_mo, unit_lots):
    login(client, people, "advisor_lots")
    assert titles(client.get(reverse("casework:event_list"))) == {"Basisqualifizierung Modul 1", "Fachtag Vielfalt"}
    login(client, people, "admin")
    url = reverse("casework:event_list")
    assert titles(client.get(url, {"unit": unit_lots.pk})) == {"Basisqualifizierung Modul 1", "Fachtag Vielfalt"}
    assert titles(client.get(url, {"unit": unit_mo.pk})) == {"Schulung Vereinsfinanzen", "Fachtag Vielfalt"}


def test_list_filters(client, people, records, unit_mo):
    login(client, people, "coordinator_mo")
    topic = Topic.objects.filter(unit=unit_mo).first()
    online = Event.objects.create(
        unit=unit_mo,
        title="Vernetzungstreffen Migrantenorganisationen Nordhessen",
        kind="networking",
        date=datetime.date(2025, 11, 5),
        format="online",
    )
    online.topics.set([topic])
    online.organisations.set([records["org_own"]])
    url = reverse("casework:event_list")
    assert titles(client.get(url, {"kind": "networking"})) == {online.title}
    assert titles(client.get(url, {"format": "online"})) == {online.title}
    assert titles(client.get(url, {"topic": topic.pk})) == {online.title}
    assert titles(client.get(url, {"date_to": "2025-12-31"})) == {online.title}
    assert online.title not in titles(client.get(url, {"date_from": "2026-01-01"}))
    assert titles(client.get(url, {"q": "nordhessen"})) == {online.title}
    response = client.get(url, {"organisation": records["org_own"].pk})
    assert titles(response) == {online.title}
    assert "an denen Kulturverein Anatolien e.V. teilgenommen hat" in response.content.decode()


# --- Organisation page ------------------------------------------------------------------------


def test_organisation_page_lists_attended_events_visible_to_the_person(client, people, records):
    org = records["org_shared"]
    for key in ("event_own", "event_foreign", "event_shared"):
        records[key].organisations.add(org)
    org.units.add(records["event_foreign"].unit)
    url = reverse("organisations:organisation_detail", kwargs={"pk": org.pk})

    login(client, people, "advisor_mo")
    page = client.get(url).content.decode()
    assert "Besuchte Veranstaltungen" in page
    assert "Schulung Vereinsfinanzen" in page and "Fachtag Vielfalt" in page
    assert "Basisqualifizierung Modul 1" not in page

    login(client, people, "advisor_lots")
    page = client.get(url).content.decode()
    assert "Basisqualifizierung Modul 1" in page and "Fachtag Vielfalt" in page
    assert "Schulung Vereinsfinanzen" not in page


def test_organisation_without_events(client, people, records):
    login(client, people, "advisor_mo")
    page = client.get(reverse("organisations:organisation_detail", kwargs={"pk": records["org_own"].pk}))
    assert "Noch an keiner Veranstaltung teilgenommen." in page.content.decode()


# --- Navigation -------------------------------------------------------------------------------


def test_navigation_offers_events_to_members(client, people):
    login(client, people, "advisor_mo")
    page = client.get(reverse("casework:home")).content.decode()
    assert reverse("casework:event_list") in page


# --- Query bounds -----------------------------------------------------------------------------


@pytest.fixture
def many_events(people, unit_mo, unit_lots):
    organisations = [OrganisationFactory(units=[unit_mo]) for _ in range(8)]
    topics = list(Topic.objects.filter(unit=unit_mo)[:3])
    events = []
    for index in range(30):
        event = Event.objects.create(
            unit=unit_mo,
            is_joint=index % 5 == 0,
            title=f"Basisqualifizierung für neue Lots*innen – Modul {index}",
            kind="training",
            date=datetime.date(2026, 1, 1) + datetime.timedelta(days=index),
            format="hybrid",
            participants=index,
        )
        event.topics.set(topics)
        event.organisations.set(organisations)
        events.append(event)
    return events


@pytest.mark.parametrize("role", ["coordinator_mo", "advisor_lots", "admin"])
@pytest.mark.parametrize(
    ("name", "with_pk", "params"),
    [
        ("casework:event_list", False, {}),
        ("casework:event_list", False, {"unit": "1", "kind": "training", "q": "Modul", "page": "2"}),
        ("casework:event_detail", True, {}),
        ("casework:event_create", False, {}),
        ("casework:event_edit", True, {}),
        ("casework:event_delete", True, {}),
    ],
)
def test_bounded_queries(client, people, many_events, role, name, with_pk, params):
    login(client, people, role)
    url = reverse(name, kwargs={"pk": many_events[0].pk} if with_pk else None)
    client.get(url, params)  # warm the session
    limit = MAX_FORM_QUERIES if name in ("casework:event_create", "casework:event_edit") else MAX_QUERIES
    with assert_max_queries(limit):
        response = client.get(url, params)
    assert response.status_code in (200, 403)


def test_list_queries_do_not_grow_with_rows(client, people, unit_mo, django_assert_num_queries, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PAGE_SIZE = 2  # both beyond one page: a first page holding every row saves its count query

    login(client, people, "coordinator_mo")
    organisation = OrganisationFactory(units=[unit_mo])
    topic = Topic.objects.filter(unit=unit_mo).first()
    url = reverse("casework:event_list")
    counts = []
    for batch in (3, 27):
        for index in range(batch):
            event = Event.objects.create(
                unit=unit_mo,
                title=f"Fachtag {index}",
                kind="conference",
                date=datetime.date(2026, 2, 1),
                format="hybrid",
            )
            event.topics.set([topic])
            event.organisations.set([organisation])
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(real_queries(captured.captured_queries)))
    assert counts[0] == counts[1]


# --- Demo data --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_events(settings):
    from io import StringIO

    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo", organisations=40, consultations=200, stdout=StringIO())
    events = Event.objects.all()
    today = timezone.localdate()
    for unit in ("mo", "lots"):
        for year in (today.year - 1, today.year):
            count = events.filter(Q(unit__code=unit) | Q(is_joint=True), date__year=year).count()
            assert 35 <= count <= 45, (unit, year, count)
    assert events.filter(is_joint=True).exists()
    assert events.filter(title__startswith="Basisqualifizierung für neue Lots*innen – Modul 3").exists()
    for event in events.filter(status="held").prefetch_related("organisations", "topics"):
        assert 3 <= len(event.organisations.all()) <= 15
        assert event.participants >= len(event.organisations.all())
        assert event.topics.all()
        assert event.history.count() == 1
        assert {o.pk for o in event.organisations.all()} == {
            o.organisation_id for o in event.history.first().organisations.all()
        }
    # Past events held or cancelled (a few of the last days not yet updated), future ones planned.
    assert not events.filter(date__gt=today).exclude(status="planned").exists()
    assert not events.filter(status="held", date__gt=today).exists()
    assert events.filter(status="cancelled", date__lte=today).exists()
    assert events.filter(status="held").count() > 10 * events.filter(status="cancelled").count() / 2
    assert not events.filter(status="planned", date__lt=today - datetime.timedelta(days=10)).exists()
    assert not events.exclude(status="held").filter(participants__gt=0).exists()
    assert not events.exclude(status="held").filter(organisations__isnull=False).exists()
    # In person and hybrid: a place in Hessen with its Kreis; online: neither.
    assert not events.filter(format="online").exclude(place="", region=None).exists()
    assert not events.exclude(format="online").filter(Q(place="") | Q(region=None)).exists()
    assert events.filter(region__name="Frankfurt am Main", place__startswith="Frankfurt am Main, ").exists()
