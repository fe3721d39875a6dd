"""The figures of a unit's dashboard: pure functions from (unit, day) to plain data.

Every function runs a fixed number of aggregate queries, however many records there are.
Joint work counts for both units: a consultation belongs to its unit and to the unit it is
shared with; a joint event to both units.

The consultation figures (activity, months, the year so far) are split at a boundary a week
before today: the frozen part, consultations dated on or before it, is computed once and kept in
the cache under the unit, the day and the change version of old consultations (casework/dashboard/
stamp.py: triggers bump it when such a consultation changes); the live part, the last week, is
read on every call, in one statement that also reads the version. Both are folded the same way,
so the sum is what one pass over everything gives, at a cost that does not grow with the years of
data. `cached=False` computes everything in one pass, without the cache (the tests compare both).
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import models
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import Coalesce

from casework.cases.services import with_last_activity
from casework.dashboard import stamp
from casework.models import Case, Consultation, Event, FollowUp
from casework.sql import Unindexed
from casework.ui.labels import person_label
from organisations.models import Organisation, Region

IDLE_DAYS = 90
LIST_LIMIT = 20
PERIODS = ("this", "last_ytd", "last_full")
CACHE_SECONDS = 24 * 60 * 60  # a key holds its day: later ones are never read again


def _one_year_before(day: datetime.date) -> datetime.date:
    """The same calendar day a year earlier (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True)
class Periods:
    """This year up to `today`, the same stretch of last year, and all of last year."""

    today: datetime.date

    @property
    def this_start(self):
        return datetime.date(self.today.year, 1, 1)

    @property
    def last_start(self):
        return datetime.date(self.today.year - 1, 1, 1)

    @property
    def last_same_day(self):
        return _one_year_before(self.today)

    @property
    def last_end(self):
        return datetime.date(self.today.year - 1, 12, 31)

    @property
    def frozen_through(self):
        """The last day of the frozen part: consultations up to it are kept in the cache."""
        return self.today - datetime.timedelta(days=stamp.FROZEN_LAG_DAYS)

    def ranges(self):
        """Period name → (first day, last day)."""
        return {
            "this": (self.this_start, self.today),
            "last_ytd": (self.last_start, self.last_same_day),
            "last_full": (self.last_start, self.last_end),
        }


def own_and_shared(unit, unindexed=False):
    """The unit's own consultations and those shared with it: no consultation is both, so passes
    over the two, joined by UNION ALL, each use an index on their unit column.

    `unindexed`: the unit hidden from SQLite's index choice (casework/sql.py), for passes that a date
    range narrows far more than the unit (a no-op on PostgreSQL).
    """
    if unindexed:
        return (
            Consultation.objects.alias(unit_column=Unindexed("unit_id")).filter(unit_column=unit.pk),
            Consultation.objects.alias(shared_column=Unindexed("shared_with_id")).filter(shared_column=unit.pk),
        )
    return Consultation.objects.filter(unit=unit), Consultation.objects.filter(shared_with=unit)


def events_of(unit):
    return Event.objects.filter(Q(unit=unit) | Q(is_joint=True))


def _in(field, first, last):
    return Q(**{f"{field}__gte": first, f"{field}__lte": last})


def percent_change(current, previous):
    """Change against `previous` in percent (rounded), or None where there is nothing to compare with."""
    if not previous:
        return None
    return round((current - previous) * 100 / previous)


# Stretches of time in chronological order (an organisation's earliest one says when it was new).
OLDER, LAST_YTD, LAST_REST, THIS = 0, 1, 2, 3
BUCKETS = (OLDER, LAST_YTD, LAST_REST, THIS)


def _bucket(periods: Periods, through: datetime.date):
    """Which stretch a consultation falls into: this year, last year to date, the rest of last year, before.

    NULL after `through` (today, or the end of the frozen part): such rows are left out by testing
    the bucket, not the date, so that the only indexable condition is the unit and SQLite, even
    without statistics, reads the covering index consultation_unit_act_idx rather than
    consultation_unit_date_idx and the wide rows.
    """
    return models.Case(
        models.When(date__gt=through, then=models.Value(None)),
        models.When(date__gte=periods.this_start, then=models.Value(THIS)),
        models.When(date__gt=periods.last_same_day, date__gte=periods.last_start, then=models.Value(LAST_REST)),
        models.When(date__gte=periods.last_start, then=models.Value(LAST_YTD)),
        default=models.Value(OLDER),
    )


@dataclass
class Live:
    """The live part of the consultation figures and how to get the frozen part.

    `rows`: (organisation, region, date, bucket, consultations, minutes) of the unit's own and shared
    consultations dated after `through` up to today. `version`: the change version under which the
    frozen part (dated up to `through`) may be cached, None where it must not be.
    """

    through: datetime.date
    version: int | None = None
    rows: list = field(default_factory=list)


def live_part(unit, periods: Periods, cached: bool = True) -> Live:
    """The last week's consultations of the unit, per organisation, Kreis and day, with the change version (one query).

    Uncached, nothing is read here: the frozen part then runs up to today and covers everything.
    The version is read in the same statement as the rows, before the frozen part: figures computed
    later may then be newer than their key, never older. The cache is only used when the database's
    date (UTC) confirms that the triggers cover the whole frozen part (not so for a `today` ahead
    of the database's clock).
    """
    if not cached:
        return Live(through=periods.today)
    through = periods.frozen_through

    def per_day(consultations):
        return (
            consultations.filter(date__gt=through, date__lte=periods.today)
            .order_by()
            .values("organisation", "region", "date")
            .annotate(bucket=_bucket(periods, periods.today), n=Count("*"), minutes=Sum("duration_minutes"))
            .values_list("organisation", "region", "date", "bucket", "n", "minutes")
        )

    # Both halves read the week from consultation_period_idx instead of all the unit's consultations
    # from their covering indexes (10 ms instead of 40 ms at 1,000,000 consultations on SQLite).
    own, shared = own_and_shared(unit, unindexed=True)
    live = Live(through=through)
    for row in per_day(own).union(per_day(shared), stamp.stamp_row(6, date_column=2, version_column=3), all=True):
        if row[0] is not None:
            live.rows.append(row)
        elif through <= row[2] - datetime.timedelta(days=stamp.TRIGGER_LAG_DAYS):
            live.version = row[3]
    return live


def _cached(kind, unit, periods: Periods, live: Live, compute):
    """compute(), kept in the cache for this unit, day and change version where `live` allows it.

    The caller may add the live part to the value in place: the cache keeps a pickled copy.
    """
    if live.version is None:
        return compute()
    key = f"dashboard-figures:{kind}:{unit.pk}:{periods.today.isoformat()}:{live.version}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


@dataclass
class _Activity:
    """The folded rows of consultation_activity: what the figures are computed from."""

    counts: dict = field(default_factory=lambda: dict.fromkeys(BUCKETS, 0))
    minutes: dict = field(default_factory=lambda: dict.fromkeys(BUCKETS, 0))
    reached: dict = field(default_factory=lambda: {bucket: set() for bucket in BUCKETS})
    regions_this_year: set = field(default_factory=set)
    spans: dict = field(default_factory=dict)  # organisation → [earliest bucket, last date, consultations]

    def fold(self, rows):
        """Add (organisation, region, bucket, last date, consultations, minutes) rows; any split of them into
        groups (own and shared, frozen and live, per day) gives the same result."""
        for organisation, region, bucket, last, n, total in rows:
            self.counts[bucket] += n
            self.minutes[bucket] += total
            self.reached[bucket].add(organisation)
            if bucket == THIS:
                self.regions_this_year.add(region)
            span = self.spans.get(organisation)
            if span is None:
                self.spans[organisation] = [bucket, last, n]
            else:
                span[0] = min(span[0], bucket)
                span[1] = max(span[1], last)
                span[2] += n
        return self


def _frozen_activity(unit, periods: Periods, through: datetime.date) -> _Activity:
    def grouped(consultations):
        return (
            consultations.annotate(bucket=_bucket(periods, through))
            .filter(bucket__isnull=False)
            .order_by()
            .values("organisation", "region", "bucket")
            # COUNT(*), not COUNT(id): the id is not in PostgreSQL's covering index.
            .annotate(last=Max("date"), n=Count("*"), minutes=Sum("duration_minutes"))
            .values_list("organisation", "region", "bucket", "last", "n", "minutes")
        )

    # Own and shared consultations as two index-only scans (no consultation is both); an
    # organisation may appear in both halves, which the folding adds up.
    own, shared = own_and_shared(unit)
    return _Activity().fold(grouped(own).union(grouped(shared), all=True))


def consultation_activity(unit, periods: Periods, live: Live | None = None) -> dict:
    """Consultations, hours and organisations per period, new and lost organisations, Kreise reached.

    One grouped pass over the unit's consultations: one row per organisation, Kreis and stretch of
    time, so the rows grow with organisations, not consultations (one CASE per row is cheaper in
    SQLite than a filtered aggregate per period). An organisation is new in a period when its first
    consultation with the unit falls into it, i.e. it has no row in an earlier stretch; it is
    "not reached" when it had consultations but none in the last 12 months.

    The pass covers the frozen part (cached) and the live part's rows are folded in: two queries
    and the names of the lost organisations, one and the names with the frozen part cached.
    """
    live = live or live_part(unit, periods)
    activity = _cached("activity", unit, periods, live, lambda: _frozen_activity(unit, periods, live.through))
    activity.fold(
        (organisation, region, bucket, day, n, total) for organisation, region, day, bucket, n, total in live.rows
    )

    earliest = Counter(span[0] for span in activity.spans.values())
    cutoff = _one_year_before(periods.today)
    # The most recently lost first: those are the easiest to win back.
    lost = sorted(((last, n, pk) for pk, (_bucket, last, n) in activity.spans.items() if last <= cutoff), reverse=True)
    members = {"this": (THIS,), "last_ytd": (LAST_YTD,), "last_full": (LAST_YTD, LAST_REST)}
    figures = {
        name: {
            "consultations": sum(activity.counts[b] for b in buckets),
            "hours": round(sum(activity.minutes[b] for b in buckets) / 60, 1),
            "organisations": len(set().union(*(activity.reached[b] for b in buckets))),
            "new_organisations": sum(earliest[b] for b in buckets),
        }
        for name, buckets in members.items()
    }
    return {
        "figures": figures,
        "not_reached": _organisation_rows(lost[:LIST_LIMIT]),
        "not_reached_count": len(lost),
        "cutoff": cutoff,
        "regions_this_year": activity.regions_this_year,
    }


def year_to_date(unit, today: datetime.date, cached: bool = True) -> dict:
    """This year's consultations, hours and organisations reached, from 1 January to `today`.

    Counted as the dashboard's column for this year counts them (the home page shows these):
    the unit's own consultations and those shared with it, none dated after today. One query with
    the frozen part cached (the live part with the version), two without.
    """
    periods = Periods(today)
    live = live_part(unit, periods, cached)

    def frozen():
        """(consultations, minutes, organisations) from 1 January to the end of the frozen part."""
        if live.through < periods.this_start:
            return 0, 0, frozenset()  # the first week of January: nothing frozen this year

        def per_organisation(consultations):
            return (
                consultations.filter(date__gte=periods.this_start, date__lte=live.through)
                .order_by()
                .values("organisation")
                .annotate(n=Count("*"), minutes=Sum("duration_minutes"))
                .values_list("organisation", "n", "minutes")
            )

        own, shared = own_and_shared(unit)
        consultations, minutes, organisations = 0, 0, set()
        for organisation, n, total in per_organisation(own).union(per_organisation(shared), all=True):
            consultations += n
            minutes += total or 0
            organisations.add(organisation)
        return consultations, minutes, frozenset(organisations)

    consultations, minutes, organisations = _cached("year_to_date", unit, periods, live, frozen)
    organisations = set(organisations)
    for organisation, _region, _day, bucket, n, total in live.rows:
        if bucket == THIS:
            consultations += n
            minutes += total or 0
            organisations.add(organisation)
    return {"consultations": consultations, "hours": round(minutes / 60, 1), "organisations": len(organisations)}


def _organisation_rows(lost):
    """Names and places for the (last date, consultations, organisation id) triples, in their order (one query)."""
    names = {
        o["pk"]: o
        for o in Organisation.objects.filter(pk__in=[pk for _last, _n, pk in lost]).values(
            "pk", "name", "municipality", "region__name"
        )
    }
    return [
        {
            "pk": pk,
            "name": names[pk]["name"],
            "place": names[pk]["municipality"] or names[pk]["region__name"],
            "last": last,
            "consultations": n,
        }
        for last, n, pk in lost
        if pk in names
    ]


def event_figures(unit, periods: Periods) -> dict:
    """Held events and their participants per period (one query).

    Only held events count, as in the funder report (reports.figures.event_figures): planned and
    cancelled ones (and their participants) do not.
    """
    aggregates = {}
    for name, (first, last) in periods.ranges().items():
        in_period = _in("date", first, last)
        aggregates[f"{name}_count"] = Count("pk", filter=in_period)
        aggregates[f"{name}_participants"] = Coalesce(Sum("participants", filter=in_period), 0)
    row = (
        events_of(unit)
        .filter(status=Event.Status.HELD, date__gte=periods.last_start, date__lte=periods.today)
        .aggregate(**aggregates)
    )
    return {name: {"events": row[f"{name}_count"], "participants": row[f"{name}_participants"]} for name in PERIODS}


def year_comparison(unit, periods: Periods, live: Live | None = None) -> tuple[list[dict], dict]:
    """The comparison rows (this year, last year to date, all of last year) and the consultation activity."""
    activity = consultation_activity(unit, periods, live)
    events = event_figures(unit, periods)
    sources = [
        ("consultations", activity["figures"]),
        ("hours", activity["figures"]),
        ("organisations", activity["figures"]),
        ("new_organisations", activity["figures"]),
        ("events", events),
        ("participants", events),
    ]
    rows = []
    for key, source in sources:
        this, last_ytd, last_full = (source[name][key] for name in PERIODS)
        rows.append(
            {
                "key": key,
                "this": this,
                "last_ytd": last_ytd,
                "last_full": last_full,
                "change": percent_change(this, last_ytd),
            }
        )
    return rows, activity


def monthly_consultations(unit, periods: Periods, live: Live | None = None) -> dict:
    """Consultations per month: {"this": [12 counts], "last": [12 counts]}.

    Counted per day (at most 731 rows) and summed here: grouping by month would need a date
    function, which SQLite runs in Python for every row. The unit's own consultations and those
    shared with it are two index scans joined by UNION ALL (no consultation is both). The frozen
    part's months are cached; the live part's days are added (no query of their own).
    Months of this year after the current one are None: they have not happened yet.
    """
    live = live or live_part(unit, periods)

    def add(counts, days):
        for day, n in days:
            counts["this" if day.year == periods.today.year else "last"][day.month - 1] += n
        return counts

    def frozen():
        def per_day(queryset):
            return (
                queryset.filter(date__gte=periods.last_start, date__lte=live.through)
                .order_by()
                .values("date")
                .annotate(n=Count("*"))
                .values_list("date", "n")
            )

        own, shared = own_and_shared(unit)
        return add({"this": [0] * 12, "last": [0] * 12}, per_day(own).union(per_day(shared), all=True))

    counts = _cached("monthly", unit, periods, live, frozen)
    add(
        counts,
        ((day, n) for _organisation, _region, day, _bucket, n, _minutes in live.rows if day >= periods.last_start),
    )
    counts["this"] = [n if month <= periods.today.month else None for month, n in enumerate(counts["this"], 1)]
    return counts


def case_overview(unit, today: datetime.date) -> dict:
    """Open and dormant cases, and the open ones without activity for more than 90 days (one query).

    Activity as on the case list (consultations, outcomes, follow-ups: casework.cases.services).
    One row per running case of the unit (bounded by the cases, not the consultations).
    """
    idle_since = today - datetime.timedelta(days=IDLE_DAYS)
    running = with_last_activity(
        Case.objects.filter(unit=unit, status__in=[Case.Status.OPEN, Case.Status.DORMANT])
    ).values_list("pk", "status", "title", "organisation__name", "last_activity")
    counts = Counter()
    idle = []
    for pk, status, title, organisation, last_activity in running:
        counts[status] += 1
        if status == Case.Status.OPEN and last_activity < idle_since:
            idle.append((last_activity, pk, title, organisation))
    idle.sort()
    idle_cases = [
        {
            "pk": pk,
            "title": title,
            "organisation": organisation,
            "last_activity": last_activity,
            "days": (today - last_activity).days,
        }
        for last_activity, pk, title, organisation in idle[:LIST_LIMIT]
    ]
    return {
        "open": counts[Case.Status.OPEN],
        "dormant": counts[Case.Status.DORMANT],
        "idle": len(idle),
        "idle_cases": idle_cases,
    }


def overdue_follow_ups(unit, today: datetime.date) -> dict:
    """Open follow-ups of the unit due before today, the oldest first, with their total (five queries).

    Those of a consultation shared with the unit count for it too, as on the units' follow-up list.
    The unit's own and the shared ones are read apart (no follow-up is both: a consultation is never
    shared with its own unit), each from an index in due order: `unit OR shared` could use none and read
    every open follow-up twice (160 ms at 1,000,000 consultations, 300,000 follow-ups).
    """
    overdue = FollowUp.objects.filter(done_at__isnull=True, due_on__lt=today)
    own = overdue.filter(unit=unit)
    # Through the other units' index, checking the consultation of each (fewer than all shared consultations).
    shared = overdue.exclude(unit=unit).filter(consultation__shared_with=unit)
    # Pick the first rows from the index, then join: joining first made PostgreSQL join
    # every overdue follow-up to all 100,000 consultations before the LIMIT (~50 ms → ~2 ms).
    firsts = [list(part.order_by("due_on", "pk").values_list("due_on", "pk")[:LIST_LIMIT]) for part in (own, shared)]
    first_ids = [pk for _due_on, pk in sorted(firsts[0] + firsts[1])[:LIST_LIMIT]]
    first = FollowUp.objects.filter(pk__in=first_ids).order_by("due_on", "pk")
    items = []
    for follow_up in first.select_related("consultation__organisation", "case__organisation", "assigned_to"):
        owner = follow_up.consultation or follow_up.case
        items.append(
            {
                "pk": follow_up.pk,
                "what": follow_up.what,
                "due_on": follow_up.due_on,
                "days": (today - follow_up.due_on).days,
                "organisation": owner.organisation.name,
                "consultation_id": follow_up.consultation_id,
                "case_id": follow_up.case_id,
                "assigned_to": person_label(follow_up.assigned_to),
            }
        )
    return {"items": items, "count": own.count() + shared.count()}


def regions_without_consultation(periods: Periods, reached) -> list[dict]:
    """The Kreise and kreisfreie Städte valid today that are not among `reached` (one query)."""
    regions = (
        Region.objects.valid_on(periods.today)
        .exclude(kind=Region.Kind.OUTSIDE)
        .exclude(pk__in=reached)
        .order_by("name")
    )
    return [
        {"name": r.name, "district": r.get_administrative_district_display(), "kind": r.get_kind_display()}
        for r in regions
    ]


def dashboard_data(unit, today: datetime.date, cached: bool = True) -> dict:
    periods = Periods(today)
    live = live_part(unit, periods, cached)  # read once, for the activity and the months
    comparison, activity = year_comparison(unit, periods, live)
    return {
        "periods": periods,
        "comparison": comparison,
        "monthly": monthly_consultations(unit, periods, live),
        "not_reached": activity["not_reached"],
        "not_reached_count": activity["not_reached_count"],
        "not_reached_cutoff": activity["cutoff"],
        "cases": case_overview(unit, today),
        "follow_ups": overdue_follow_ups(unit, today),
        "regions": regions_without_consultation(periods, activity["regions_this_year"]),
    }
