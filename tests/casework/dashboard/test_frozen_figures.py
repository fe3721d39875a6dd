"""The frozen part of the dashboard's figures: cached, exact, and invalidated by the triggers on consultations.

The figures are compared three ways: with a cold cache, with a warm one, and computed in one pass
without the cache (cached=False). The data sit around the boundary a week before today, so the
dates are taken from the real clock: the triggers compare with the database's own date.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casework.dashboard import figures, stamp
from casework.dashboard.models import FiguresStamp
from casework.models import Consultation
from organisations.models import Region
from tests.factories import ConsultationFactory, OrganisationFactory
from tests.test_query_counts import real_queries

pytestmark = pytest.mark.django_db

REAL_TODAY = "real"


def days(n):
    return datetime.timedelta(days=n)


def resolve(today):
    return timezone.localdate() if today == REAL_TODAY else today


def build(unit_mo, unit_lots, today):
    """Consultations of several organisations and Kreise on both sides of the boundary, some shared, one ahead."""
    kassel = Region.objects.get(name="Kassel (Stadt)")
    orgs = [OrganisationFactory(units=[unit_mo, unit_lots]) for _ in range(4)]
    orgs.append(OrganisationFactory(units=[unit_mo], region=kassel, municipality="Kassel"))
    orgs.append(OrganisationFactory(units=[unit_lots], region=kassel, municipality="Kassel"))
    last_year_same_day = figures._one_year_before(today)
    spread = [
        (0, 0, None, 30),  # today
        (1, 3, None, 45),
        (2, 6, unit_lots, 60),  # the first day of the live part, shared
        (3, 7, None, 75),  # the last day of the frozen part
        (4, 7, unit_lots, 90),
        (0, 8, None, 15),
        (5, 20, None, 120),
        (1, 40, unit_lots, 30),
        (2, (today - last_year_same_day).days, None, 60),  # last year, same day
        (3, (today - last_year_same_day).days + 30, None, 90),  # last year to date
        (4, (today - last_year_same_day).days - 20, unit_lots, 45),  # rest of last year
        (5, 400, None, 60),  # not reached for 12 months
        (0, 800, None, 60),  # before last year
        (1, -3, None, 60),  # ahead of today: counts nowhere
    ]
    for org, ago, shared_with, minutes in spread:
        ConsultationFactory(
            unit=unit_mo,
            organisation=orgs[org],
            date=today - days(ago),
            shared_with=shared_with,
            duration_minutes=minutes,
        )
    for org, ago in [(5, 1), (5, 10), (0, 2), (3, 30), (4, 200)]:  # Lots' own, one shared with MO
        ConsultationFactory(
            unit=unit_lots, organisation=orgs[org], date=today - days(ago), shared_with=unit_mo if org == 3 else None
        )
    return orgs


def counted(function, *args, **kwargs):
    with CaptureQueriesContext(connection) as captured:
        result = function(*args, **kwargs)
    return result, len(real_queries(captured.captured_queries))


def assert_same_three_ways(unit, today):
    """Uncached, cold and warm give the same figures; the warm cache saves queries. Returns the figures."""
    uncached = figures.dashboard_data(unit, today, cached=False)
    cold, cold_queries = counted(figures.dashboard_data, unit, today)
    warm, warm_queries = counted(figures.dashboard_data, unit, today)
    assert cold == uncached
    assert warm == uncached
    assert warm_queries < cold_queries
    ytd_uncached = figures.year_to_date(unit, today, cached=False)
    ytd_cold = figures.year_to_date(unit, today)
    ytd_warm, ytd_queries = counted(figures.year_to_date, unit, today)
    assert ytd_cold == ytd_warm == ytd_uncached
    assert ytd_queries == 1
    this_year = this_column(uncached)
    assert ytd_uncached == {key: this_year[key] for key in ("consultations", "hours", "organisations")}
    return uncached


# Today, and the first days of a year (the live part reaches into last year, the frozen part has nothing of this one).
@pytest.mark.parametrize(
    "today",
    [REAL_TODAY, datetime.date(2026, 1, 3), datetime.date(2026, 1, 8), datetime.date(2025, 12, 31)],
)
def test_cold_warm_and_uncached_agree(unit_mo, unit_lots, today):
    today = resolve(today)
    build(unit_mo, unit_lots, today)
    for unit in (unit_mo, unit_lots):
        data = assert_same_three_ways(unit, today)
        assert data["comparison"][0]["this"] > 0 or today.month == 1


def test_leap_day(unit_mo, unit_lots):
    build(unit_mo, unit_lots, datetime.date(2024, 2, 29))
    assert_same_three_ways(unit_mo, datetime.date(2024, 2, 29))


def test_the_frozen_part_is_read_once(unit_mo, unit_lots):
    today = timezone.localdate()
    build(unit_mo, unit_lots, today)
    _data, cold = counted(figures.dashboard_data, unit_mo, today)
    _data, warm = counted(figures.dashboard_data, unit_mo, today)
    _data, uncached = counted(figures.dashboard_data, unit_mo, today, cached=False)
    # Cold: the live part with the version, the frozen activity and months. Warm: the live part only.
    assert (cold - warm, cold - uncached) == (2, 1)


def test_a_day_ahead_of_the_database_is_not_cached(unit_mo, unit_lots):
    """A `today` beyond the database's date + 1 would freeze days the triggers do not watch: no cache."""
    today = timezone.localdate() + days(30)
    build(unit_mo, unit_lots, today)
    uncached = figures.dashboard_data(unit_mo, today, cached=False)
    first, first_queries = counted(figures.dashboard_data, unit_mo, today)
    second, second_queries = counted(figures.dashboard_data, unit_mo, today)
    assert first == second == uncached
    assert first_queries == second_queries


def this_column(data):
    return {row["key"]: row["this"] for row in data["comparison"]}


def test_a_consultation_of_today_keeps_the_frozen_part(unit_mo, unit_lots):
    today = timezone.localdate()
    orgs = build(unit_mo, unit_lots, today)
    before = assert_same_three_ways(unit_mo, today)
    ytd_before = figures.year_to_date(unit_mo, today)
    version = FiguresStamp.objects.get().version
    _warm, warm_queries = counted(figures.dashboard_data, unit_mo, today)

    newcomer = OrganisationFactory(units=[unit_mo])
    ConsultationFactory(unit=unit_mo, organisation=newcomer, date=today, duration_minutes=60)
    live_day = max(today - days(5), datetime.date(today.year, 1, 1))  # in the live part, and this year
    ConsultationFactory(unit=unit_lots, shared_with=unit_mo, organisation=orgs[0], date=live_day)

    assert FiguresStamp.objects.get().version == version
    after, queries = counted(figures.dashboard_data, unit_mo, today)
    assert queries == warm_queries  # the frozen part still comes from the cache
    assert after == figures.dashboard_data(unit_mo, today, cached=False)
    this_year, this_year_before = this_column(after), this_column(before)
    assert this_year["consultations"] == this_year_before["consultations"] + 2
    assert this_year["organisations"] == this_year_before["organisations"] + 1
    assert this_year["new_organisations"] == this_year_before["new_organisations"] + 1
    assert this_year["hours"] >= this_year_before["hours"] + 1
    ytd, ytd_queries = counted(figures.year_to_date, unit_mo, today)
    assert ytd_queries == 1
    assert ytd == figures.year_to_date(unit_mo, today, cached=False)
    assert ytd["consultations"] == ytd_before["consultations"] + 2


def old_consultation(unit, today):
    return Consultation.objects.filter(unit=unit, shared_with__isnull=True, date=today - days(20)).get()


CHANGES = {
    "duration": lambda unit, today, orgs: Consultation.objects.filter(pk=old_consultation(unit, today).pk).update(
        duration_minutes=5
    ),
    "organisation": lambda unit, today, orgs: Consultation.objects.filter(pk=old_consultation(unit, today).pk).update(
        organisation=orgs[0]
    ),
    "date": lambda unit, today, orgs: Consultation.objects.filter(pk=old_consultation(unit, today).pk).update(
        date=today - days(400)  # into last year
    ),
    "delete": lambda unit, today, orgs: old_consultation(unit, today).delete(),
    "bulk_create": lambda unit, today, orgs: Consultation.objects.bulk_create(
        [
            Consultation(
                unit=unit,
                organisation=orgs[1],
                region=orgs[1].region,
                date=today - days(7),  # the boundary's own day
                duration_minutes=30,
                format=Consultation.Format.OFFICE,
                initiated_by=Consultation.Initiator.ORGANISATION,
                participants=1,
            )
        ]
    ),
    "raw_sql": lambda unit, today, orgs: connection.cursor().execute(
        "UPDATE casework_consultation SET duration_minutes = duration_minutes + 1 WHERE date <= %s", [today - days(7)]
    ),
}


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_of_an_old_consultation_bumps_the_version(unit_mo, unit_lots, change):
    today = timezone.localdate()
    orgs = build(unit_mo, unit_lots, today)
    before = assert_same_three_ways(unit_mo, today)
    ytd_before = figures.year_to_date(unit_mo, today)
    version = FiguresStamp.objects.get().version

    CHANGES[change](unit_mo, today, orgs)

    assert FiguresStamp.objects.get().version != version
    after = figures.dashboard_data(unit_mo, today)
    assert after == figures.dashboard_data(unit_mo, today, cached=False)
    assert after != before
    ytd = figures.year_to_date(unit_mo, today)
    assert ytd == figures.year_to_date(unit_mo, today, cached=False)
    if (today - days(20)).year == today.year and change != "organisation":
        assert ytd != ytd_before
    assert figures.dashboard_data(unit_mo, today) == after  # now from the cache


def test_a_change_the_figures_do_not_read_keeps_the_version(unit_mo, unit_lots):
    today = timezone.localdate()
    build(unit_mo, unit_lots, today)
    version = FiguresStamp.objects.get().version
    Consultation.objects.filter(date__lte=today - days(20)).update(summary="", agreements="")
    Consultation.objects.filter(date__gt=today - days(6)).update(duration_minutes=1)  # the live part: not watched
    assert FiguresStamp.objects.get().version == version


def test_the_triggers_come_back_after_migrate(unit_mo, unit_lots):
    today = timezone.localdate()
    orgs = build(unit_mo, unit_lots, today)
    expected = {f"{stamp.TRIGGER}_{suffix}" for suffix in ("ai", "ad", "au")}
    if connection.vendor == "postgresql":
        expected.add(f"{stamp.TRIGGER}_at")
    assert stamp.trigger_names() == expected
    with connection.cursor() as cursor:
        for name in expected:
            on = f" ON {Consultation._meta.db_table}" if connection.vendor == "postgresql" else ""
            cursor.execute(f"DROP TRIGGER {name}{on}")
    assert stamp.trigger_names() == set()
    version = FiguresStamp.objects.get().version
    CHANGES["duration"](unit_mo, today, orgs)
    assert FiguresStamp.objects.get().version == version  # nothing watches any more

    stamp.ensure_triggers(using="default")  # what post_migrate runs
    stamp.ensure_triggers(using="default")  # and again: it replaces, it does not fail
    assert stamp.trigger_names() == expected
    CHANGES["delete"](unit_mo, today, orgs)
    assert FiguresStamp.objects.get().version != version


def test_a_missing_stamp_row_means_no_cache(unit_mo, unit_lots):
    today = timezone.localdate()
    build(unit_mo, unit_lots, today)
    FiguresStamp.objects.all().delete()
    uncached = figures.dashboard_data(unit_mo, today, cached=False)
    first, first_queries = counted(figures.dashboard_data, unit_mo, today)
    second, second_queries = counted(figures.dashboard_data, unit_mo, today)
    assert first == second == uncached
    assert first_queries == second_queries
    stamp.ensure_triggers(using="default")
    assert FiguresStamp.objects.filter(pk=stamp.STAMP_PK).exists()


def page_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(real_queries(captured.captured_queries))


def test_pages_need_fewer_queries_with_the_frozen_part_cached(client, people, unit_mo, unit_lots):
    today = timezone.localdate()
    build(unit_mo, unit_lots, today)
    client.force_login(people["coordinator_mo"])
    dashboard = reverse("casework:dashboard")
    client.get(reverse("casework:consultation_list"))  # warm the session
    cold, warm = page_queries(client, dashboard), page_queries(client, dashboard)
    assert warm < cold <= 15
    client.force_login(people["admin"])  # every unit on the start page
    home = reverse("casework:home")
    cold, warm = page_queries(client, home), page_queries(client, home)
    assert warm < cold <= 12
