"""Events: status (geplant, durchgeführt, abgesagt), place and Kreis; the form's rules, list, detail, migration."""

import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import timezone

from casework.models import Event
from organisations.models import Region
from tests.casework.events.test_events import login, post_data, titles

pytestmark = pytest.mark.django_db

D = datetime.date


def today():
    return timezone.localdate()


def days(n):
    return (today() + datetime.timedelta(days=n)).isoformat()


def create(client, unit, **overrides):
    return client.post(reverse("casework:event_create"), post_data(unit, **overrides))


# --- The form's rules ---------------------------------------------------------------------------


def test_a_future_event_cannot_be_held(client, people, records, unit_mo):
    login(client, people, "advisor_mo")
    response = create(client, unit_mo, date=days(7), status="held")
    assert response.status_code == 200
    assert "Eine Veranstaltung in der Zukunft kann noch nicht durchgeführt sein." in response.content.decode()
    assert not Event.objects.filter(title__startswith="Schulung: Gemein").exists()

    response = create(client, unit_mo, date=days(7), status="planned")
    assert response.status_code == 302
    event = Event.objects.get(title__startswith="Schulung: Gemein")
    assert event.status == Event.Status.PLANNED and not event.status_overdue


@pytest.mark.parametrize("status", ["held", "cancelled", "planned"])
def test_a_past_event_may_have_any_status(client, people, records, unit_mo, status):
    login(client, people, "advisor_mo")
    assert create(client, unit_mo, date=days(-3), status=status).status_code == 302
    assert Event.objects.get(title__startswith="Schulung: Gemein").status == status


@pytest.mark.parametrize("fmt", ["in_person", "hybrid"])
def test_place_and_kreis_are_required_in_person_and_hybrid(client, people, records, unit_mo, fmt):
    login(client, people, "advisor_mo")
    response = create(client, unit_mo, format=fmt, place="   ", region="")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Bitte den Ort angeben" in page
    assert "Bitte den Kreis angeben" in page
    assert not Event.objects.filter(title__startswith="Schulung: Gemein").exists()


def test_online_events_have_no_place_nor_kreis(client, people, records, unit_mo):
    login(client, people, "advisor_mo")
    frankfurt = Region.objects.get(name="Frankfurt am Main")
    assert create(client, unit_mo, format="online", place="Zoom", region=frankfurt.pk).status_code == 302
    event = Event.objects.get(title__startswith="Schulung: Gemein")
    assert (event.place, event.region) == ("", None)


def test_place_and_kreis_are_saved(client, people, records, unit_mo):
    login(client, people, "advisor_mo")
    kassel = Region.objects.get(name="Kassel (Stadt)")
    assert create(client, unit_mo, place="  Kassel,   Kulturzentrum  ", region=kassel.pk).status_code == 302
    event = Event.objects.get(title__startswith="Schulung: Gemein")
    assert (event.place, event.region, event.status) == ("Kassel, Kulturzentrum", kassel, Event.Status.HELD)


def test_kreis_is_the_one_of_the_events_date(client, people, records, unit_mo):
    """Hanau has been a kreisfreie Stadt since 2026; an event there in 2025 counts for the Main-Kinzig-Kreis."""
    login(client, people, "advisor_mo")
    hanau = Region.objects.get(name="Hanau")
    assert create(client, unit_mo, date="2025-10-01", place="Hanau", region=hanau.pk).status_code == 302
    assert Event.objects.get(title__startswith="Schulung: Gemein").region.name == "Main-Kinzig-Kreis"


def test_only_valid_kreise_are_offered(client, people, records, unit_mo):
    login(client, people, "advisor_mo")
    past = Region.objects.create(
        name="Altkreis", kind="district", administrative_district="kassel", valid_until=D(2020, 12, 31)
    )
    response = create(client, unit_mo, region=past.pk)
    assert response.status_code == 200
    assert "keine gültige Auswahl" in response.content.decode()
    # An event recorded with it keeps it when edited.
    event = records["event_own"]
    event.region, event.place = past, "Altstadt"
    event.save()
    response = client.get(reverse("casework:event_edit", kwargs={"pk": event.pk}))
    assert "Altkreis" in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"status": "vielleicht"}, "keine gültige Auswahl"),
        ({"region": "abc"}, "keine gültige Auswahl"),
        ({"region": "99999999999999999999"}, "keine gültige Auswahl"),
        ({"place": "x" * 201}, "höchstens 200 Zeichen"),
    ],
)
def test_bad_status_place_or_kreis_get_a_german_message(client, people, records, unit_mo, overrides, message):
    login(client, people, "advisor_mo")
    response = create(client, unit_mo, **overrides)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Event.objects.filter(title__startswith="Schulung: Gemein").exists()


# --- List and detail ----------------------------------------------------------------------------


@pytest.fixture
def by_status(unit_mo):
    frankfurt = Region.objects.get(name="Frankfurt am Main")
    kassel = Region.objects.get(name="Kassel (Stadt)")
    common = {"unit": unit_mo, "kind": "training", "format": "in_person"}
    return {
        "held": Event.objects.create(title="Gehalten", date=today(), status="held", region=frankfurt, **common),
        "cancelled": Event.objects.create(title="Abgesagt", date=D(2026, 2, 2), status="cancelled", **common),
        "planned": Event.objects.create(
            title="Geplant", date=today() + datetime.timedelta(days=30), status="planned", region=kassel, **common
        ),
        "overdue": Event.objects.create(
            title="Vorbei", date=today() - datetime.timedelta(days=1), status="planned", region=kassel, **common
        ),
    }


def test_list_filters_by_status_and_kreis(client, people, records, unit_mo, by_status):
    login(client, people, "coordinator_mo")
    url = reverse("casework:event_list")
    assert titles(client.get(url, {"status": "cancelled"})) == {"Abgesagt"}
    assert titles(client.get(url, {"status": "planned"})) == {"Geplant", "Vorbei"}
    assert titles(client.get(url, {"status": "overdue"})) == {"Vorbei"}
    assert "Gehalten" in titles(client.get(url, {"status": "held"}))
    assert not {"Abgesagt", "Geplant", "Vorbei"} & titles(client.get(url, {"status": "held"}))
    kassel = Region.objects.get(name="Kassel (Stadt)")
    assert titles(client.get(url, {"region": kassel.pk})) == {"Geplant", "Vorbei"}
    assert titles(client.get(url, {"region": kassel.pk, "status": "overdue"})) == {"Vorbei"}
    for bad in ({"status": "vielleicht"}, {"region": "x"}, {"region": "99999999999999999999"}):
        assert client.get(url, bad).status_code == 200


def test_list_flags_past_planned_events(client, people, records, by_status):
    login(client, people, "advisor_mo")
    page = client.get(reverse("casework:event_list")).content.decode()
    edit = reverse("casework:event_edit", kwargs={"pk": by_status["overdue"].pk})
    # The flag links to the edit page of the past planned event only, and the hint above the list counts it.
    assert page.count(f'<a class="badge text-bg-warning" href="{edit}"') == 1
    assert page.count('class="badge text-bg-warning"') == 1
    assert "1 geplante Veranstaltung liegt in der Vergangenheit" in page
    assert "durchgeführt" in page and "abgesagt" in page and "geplant" in page
    # The other unit does not see it.
    login(client, people, "advisor_lots")
    assert "Status aktualisieren" not in client.get(reverse("casework:event_list")).content.decode().split("<table")[1]


def test_detail_shows_status_place_and_kreis(client, people, records, by_status):
    login(client, people, "advisor_mo")
    event = by_status["overdue"]
    event.place = "Kassel, Kulturzentrum Schlachthof"
    event.save()
    page = client.get(reverse("casework:event_detail", kwargs={"pk": event.pk})).content.decode()
    assert "Kassel, Kulturzentrum Schlachthof" in page and "Kassel (Stadt)" in page
    assert "Status aktualisieren" in page
    page = client.get(reverse("casework:event_detail", kwargs={"pk": by_status["cancelled"].pk})).content.decode()
    assert "abgesagt" in page and "zählt nicht in Dashboard und Bericht" in page


# --- The data migration -------------------------------------------------------------------------


migration = importlib.import_module("casework.migrations.0020_event_status_place")


def test_migration_rule():
    day = D(2026, 5, 10)
    assert migration.initial_status(day - datetime.timedelta(days=1), day) == "held"
    assert migration.initial_status(day, day) == "held"  # today counts as held
    assert migration.initial_status(day + datetime.timedelta(days=1), day) == "planned"


def test_migration_sets_the_status_of_existing_events(unit_mo):
    common = {"unit": unit_mo, "kind": "training", "format": "in_person", "status": "cancelled"}
    past = Event.objects.create(title="Vergangen", date=today() - datetime.timedelta(days=1), **common)
    now = Event.objects.create(title="Heute", date=today(), **common)
    future = Event.objects.create(title="Künftig", date=today() + datetime.timedelta(days=1), **common)
    migration.set_initial_status(django_apps, None)
    assert [Event.objects.get(pk=e.pk).status for e in (past, now, future)] == ["held", "held", "planned"]
