"""Event figures of the funder report and the dashboard: only held events count, per Kreis too.

Hand-computed against small fixed data sets; the dashboard and the report agree on the same period.
"""

import datetime

import pytest

from casework.dashboard.figures import Periods
from casework.dashboard.figures import event_figures as dashboard_event_figures
from casework.models import Event
from organisations.models import Region
from reports import periods
from reports.document import SMALL, SUPPRESSED
from reports.figures import Scope, event_figures
from reports.periods import Period

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 6, 30)  # the day the dashboard is looked at
YEAR = periods.year(2026)


def event(unit, day, *, status="held", fmt="in_person", region=None, units=0, participants=0, kind="training"):
    return Event.objects.create(
        unit=unit,
        title=f"Veranstaltung {day:%d.%m.%Y}",
        kind=kind,
        date=day,
        format=fmt,
        status=status,
        place="" if fmt == "online" else "Ort",
        region=None if fmt == "online" else region,
        teaching_units=units,
        participants=participants,
    )


@pytest.fixture
def four_events(unit_mo):
    """Two held events, one planned (after TODAY) and one cancelled, all in 2026."""
    frankfurt = Region.objects.get(name="Frankfurt am Main")
    event(unit_mo, D(2026, 3, 10), region=frankfurt, units=4, participants=12)  # held
    event(unit_mo, D(2026, 5, 5), fmt="online", units=6, participants=20)  # held
    event(unit_mo, D(2026, 9, 1), status="planned", region=frankfurt, units=8)  # planned
    event(unit_mo, D(2026, 4, 2), status="cancelled", region=frankfurt, units=3, participants=15)  # cancelled


def test_report_counts_only_held_events(four_events, unit_mo):
    scope = Scope((unit_mo,), everything=False)
    totals, (by_kind, by_region) = event_figures(scope, YEAR, YEAR.previous())
    # 2 held: 4 + 6 teaching units, 12 + 20 participants; planned and cancelled do not count.
    assert totals["cur"] == {"events": 2, "teaching_units": 10, "event_participants": 32}
    assert totals["prev"] == {"events": 0, "teaching_units": 0, "event_participants": 0}
    assert by_kind["key"] == "events_by_kind"
    assert by_kind["total"] == ["Summe", 2, 10, 32]
    assert by_region["key"] == "events_by_region"
    assert by_region["total"] == ["Summe", 2, 10, 32]
    # One held event in Frankfurt, one online: both small, neither derivable from the total.
    assert [row[0] for row in by_region["rows"]] == ["Frankfurt am Main", "online (ohne Kreis)"]
    assert all(cell in (SMALL, SUPPRESSED) for row in by_region["rows"] for cell in row[1:2])


def test_dashboard_counts_only_held_events_and_agrees_with_the_report(four_events, unit_mo):
    figures = dashboard_event_figures(unit_mo, Periods(TODAY))
    assert figures["this"] == {"events": 2, "participants": 32}
    assert figures["last_full"] == {"events": 0, "participants": 0}
    # The report over this year up to the same day: the same events and participants.
    totals, _tables = event_figures(
        Scope((unit_mo,), everything=False), Period("custom", D(2026, 1, 1), TODAY), YEAR.previous()
    )
    assert (totals["cur"]["events"], totals["cur"]["event_participants"]) == (2, 32)
    # And over the whole year: the planned event after TODAY does not count either.
    totals, _tables = event_figures(Scope((unit_mo,), everything=False), YEAR, YEAR.previous())
    assert (totals["cur"]["events"], totals["cur"]["event_participants"]) == (2, 32)


def test_events_per_kreis(unit_mo, unit_lots):
    frankfurt = Region.objects.get(name="Frankfurt am Main")
    kassel = Region.objects.get(name="Kassel (Stadt)")
    for month in (2, 3, 4):  # Frankfurt: 3 events, 3 × 4 UE, 3 × 10 participants
        event(unit_mo, D(2026, month, 10), region=frankfurt, units=4, participants=10)
    for month in (2, 3, 4, 5):  # Kassel: 4 events, 4 × 2 UE, 4 × 5 participants (one of them joint, by Lots)
        event(unit_lots if month == 5 else unit_mo, D(2026, month, 11), region=kassel, units=2, participants=5)
    Event.objects.filter(region=kassel, unit=unit_lots).update(is_joint=True)
    for month in (6, 7, 8):  # online: 3 events, 3 × 1 UE, 3 × 8 participants
        event(unit_mo, D(2026, month, 12), fmt="online", units=1, participants=8)
    # Not counted: cancelled and planned events, the other unit's own event, last year's event.
    event(unit_mo, D(2026, 5, 20), status="cancelled", region=kassel, units=9, participants=9)
    event(unit_mo, D(2026, 11, 20), status="planned", region=frankfurt, units=9)
    event(unit_lots, D(2026, 5, 21), region=frankfurt, units=9, participants=9)
    event(unit_mo, D(2025, 5, 21), region=frankfurt, units=5, participants=7)

    totals, (_by_kind, by_region) = event_figures(Scope((unit_mo,), everything=False), YEAR, YEAR.previous())
    assert totals["cur"] == {"events": 10, "teaching_units": 12 + 8 + 3, "event_participants": 30 + 20 + 24}
    assert totals["prev"] == {"events": 1, "teaching_units": 5, "event_participants": 7}
    assert by_region["columns"] == [
        "Kreis / kreisfreie Stadt",
        "Veranstaltungen",
        "Unterrichtseinheiten",
        "Teilnehmende",
    ]
    assert by_region["rows"] == [
        ["Frankfurt am Main", 3, 12, 30],
        ["Kassel (Stadt)", 4, 8, 20],
        ["online (ohne Kreis)", 3, 3, 24],
    ]
    assert by_region["total"] == ["Summe", 10, 23, 74]

    # Both units: the Lots*innen event in Frankfurt counts as well.
    everything = Scope((unit_mo, unit_lots), everything=True)
    _totals, (_by_kind, by_region) = event_figures(everything, YEAR, YEAR.previous())
    assert by_region["rows"][0] == ["Frankfurt am Main", 4, 21, 39]


def test_events_without_kreis_and_of_a_former_kreis(unit_mo):
    hanau = Region.objects.get(name="Hanau")
    main_kinzig = Region.objects.get(name="Main-Kinzig-Kreis")
    old_period = periods.year(2025)
    for day in (D(2025, 3, 3), D(2025, 4, 4), D(2025, 5, 5)):
        event(unit_mo, day, region=hanau.on(day), units=2, participants=4)  # Hanau was in the Main-Kinzig-Kreis
    for day in (D(2025, 6, 6), D(2025, 7, 7), D(2025, 8, 8)):
        event(unit_mo, day, units=1, participants=3)  # recorded before there was a Kreis
    _totals, (_by_kind, by_region) = event_figures(Scope((unit_mo,), everything=False), old_period, old_period)
    assert main_kinzig == hanau.on(D(2025, 3, 3))
    assert by_region["rows"] == [["Main-Kinzig-Kreis", 3, 6, 12], ["ohne Angabe des Kreises", 3, 3, 9]]


def test_a_bounded_number_of_queries(four_events, unit_mo, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        event_figures(Scope((unit_mo,), everything=False), YEAR, YEAR.previous())
    with django_assert_max_num_queries(1):
        dashboard_event_figures(unit_mo, Periods(TODAY))
