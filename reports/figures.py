"""The figures of a funder report, aggregated in the database: `report_figures(units, period, …)`.

A fixed number of queries (about 16) whatever the data volume; every row that comes back is a
group (a format, a topic, a Kreis, a month …), never a consultation. The result is plain data in the
shape described in reports/document.py, ready to be frozen as JSON and rendered.

Two variants: the report for the funder ("funder") shows exact figures; the variant meant for
publication ("publication") protects small counts consistently (reports/confidentiality.py).
A report made before its period has ended counts up to that day ("Stand", meta["as_of"]) and compares
with the same span of the period before (reports/periods.py same_span). Hours are rounded from the
exact minutes to one decimal; the parts of a shown total by largest remainders, so they add up to it.

Scope: a consultation counts for its unit and for the unit it is shared with, an event of one unit
for that unit and a joint event for both; in the scope of both units each counts once. The report is a
German document whatever the interface language: it goes to the funder in Hessen.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Case as SqlCase
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Sum, Value, When
from django.utils import timezone, translation

from casework.dashboard.figures import percent_change
from casework.models import (
    Assessment,
    AssessmentRating,
    Case,
    CaseOutcomeReached,
    Consultation,
    Event,
    QualityArea,
    Topic,
    Unit,
)
from casework.search.ordering import german, german_key
from organisations.models import Organisation, Region
from reports.confidentiality import exact_figures, follow, is_hidden, protect, protect_total, protect_with_total
from reports.document import VERSION
from reports.models import Target
from reports.periods import Period, same_span
from reports.periods import year as calendar_year

KOMPETENZZENTRUM = "Kompetenzzentrum Vielfalt Hessen"
ALL_SCOPE = "all"  # the scope of a report over both units
LOTS_UNIT_CODE = "lots"
MONTHS = ("Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez")
FUNDER, PUBLICATION = "funder", "publication"
VARIANT_LABELS = {FUNDER: "für den Fördergeber", PUBLICATION: "zur Veröffentlichung"}
SCORE = {AssessmentRating.Rating.MET: 2, AssessmentRating.Rating.PARTLY: 1, AssessmentRating.Rating.NOT_MET: 0}


def scope_code(units) -> str:
    return units[0].code if len(units) == 1 else ALL_SCOPE


def scope_label(units) -> str:
    return units[0].short_name if len(units) == 1 else KOMPETENZZENTRUM


# --- Querysets of the scope ----------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The units a report covers; `everything` when they are all units (no unit condition needed)."""

    units: tuple
    everything: bool

    @property
    def ids(self) -> list[int]:
        return [u.pk for u in self.units]

    def condition(self, path: str = "") -> Q:
        """Consultations in scope, as a condition on `path` (e.g. "consultation__" from a link table).

        Every consultation belongs to a unit: over all units, the date range alone selects, and the
        covering index consultation_period_idx serves the passes without reading rows.
        """
        if self.everything:
            return Q()
        return Q(**{f"{path}unit__in": self.ids}) | Q(**{f"{path}shared_with__in": self.ids})

    def consultations(self):
        return Consultation.objects.filter(self.condition())

    def events(self):
        if self.everything:
            return Event.objects.all()
        return Event.objects.filter(Q(unit__in=self.ids) | Q(is_joint=True))


def _between(period: Period, field="date"):
    return Q(**{f"{field}__gte": period.first, f"{field}__lte": period.last})


def _tenths(minutes) -> int:
    """Minutes as tenths of an hour (6 minutes each), rounded half up: 111,55 h is 111,6 h."""
    return ((minutes or 0) + 3) // 6


def _hours(minutes) -> float:
    return _tenths(minutes) / 10


def hours_parts(minutes: list) -> list[float]:
    """Hours of the parts of a total, to one decimal, adding up to the total's hours `_hours(sum)`.

    Largest remainders: each part gets its exact tenths rounded down, then the tenths still missing
    to the rounded total go to the parts with the largest remainders (the first of equal ones).
    """
    minutes = [m or 0 for m in minutes]
    floors = [m // 6 for m in minutes]
    missing = _tenths(sum(minutes)) - sum(floors)
    by_remainder = sorted(range(len(minutes)), key=lambda i: (-(minutes[i] % 6), i))
    for i in by_remainder[:missing]:
        floors[i] += 1
    return [f / 10 for f in floors]


def _table(key, title, columns, rows, *, total=None, note="", chart=None) -> dict:
    return {
        "key": key,
        "title": title,
        "columns": columns,
        "rows": rows,
        "total": total,
        "note": note,
        "chart": chart,
    }


# --- Consultations -------------------------------------------------------------------------------


def consultation_totals(scope, period: Period, previous: Period) -> dict:
    """Consultations, hours and participants in the period and the one before (one query)."""
    aggregates = {}
    for name, p in (("cur", period), ("prev", previous)):
        aggregates[f"{name}_n"] = Count("pk", filter=_between(p))
        aggregates[f"{name}_minutes"] = Sum("duration_minutes", filter=_between(p))
        aggregates[f"{name}_participants"] = Sum("participants", filter=_between(p))
    row = scope.consultations().filter(date__gte=previous.first, date__lte=period.last).aggregate(**aggregates)
    return {
        name: {
            "consultations": row[f"{name}_n"],
            "hours": _hours(row[f"{name}_minutes"]),
            "participants": row[f"{name}_participants"] or 0,
        }
        for name in ("cur", "prev")
    }


def organisations_reached(scope, period: Period) -> dict:
    """Organisations reached in the period by kind, new or returning (one query).

    Returning: the organisation had a consultation in this scope before the period began.
    """
    in_scope = scope.consultations().filter(organisation=OuterRef("pk"))
    rows = (
        Organisation.objects.filter(Exists(in_scope.filter(_between(period))))
        .annotate(returning=Exists(in_scope.filter(date__lt=period.first)))
        .order_by()
        .values_list("kind", "returning")
        .annotate(n=Count("pk"))
    )
    by_kind = defaultdict(int)
    new = returning = 0
    for kind, was_there, n in rows:
        by_kind[kind] += n
        if was_there:
            returning += n
        else:
            new += n
    return {"total": new + returning, "new": new, "returning": returning, "by_kind": dict(by_kind)}


def organisations_count(scope, period: Period) -> int:
    """Distinct organisations reached in a period (one query)."""
    return scope.consultations().filter(_between(period)).values("organisation").distinct().count()


def by_format(scope, period: Period) -> dict:
    rows = (
        scope.consultations()
        .filter(_between(period))
        .order_by()
        .values_list("format")
        .annotate(n=Count("*"), minutes=Sum("duration_minutes"))
    )
    found = {fmt: (n, minutes or 0) for fmt, n, minutes in rows}
    labels = [str(label) for _value, label in Consultation.Format.choices]
    counts = [found.get(value, (0, 0))[0] for value in Consultation.Format.values]
    minutes = [found.get(value, (0, 0))[1] for value in Consultation.Format.values]
    cells, total = protect_with_total(counts)
    hour_cells = follow(cells, hours_parts(minutes))
    return _table(
        "by_format",
        "Beratungen nach Format",
        ["Format", "Beratungen", "Stunden"],
        [[label, n, h] for label, n, h in zip(labels, cells, hour_cells, strict=True)],
        total=["Summe", total, _hours(sum(minutes))],
        note="Stunden je Format sind so gerundet, dass sie die Summe ergeben (siehe Hinweise).",
    )


def by_topic(scope, period: Period) -> dict:
    """Consultations per topic; a consultation may have several topics, so no total (one query)."""
    through = Consultation.topics.through
    consultation_ids = scope.consultations().filter(_between(period)).values("pk")
    counts = dict(
        through.objects.filter(consultation__in=consultation_ids).order_by().values_list("topic").annotate(n=Count("*"))
    )
    topics = (
        Topic.objects.filter(pk__in=list(counts)).select_related("unit").order_by("unit_id", "position", german("name"))
    )
    rows = []
    for topic in topics:
        owner = topic.unit.short_name if topic.unit_id else "gemeinsam"
        name = f"{topic.name} (ausgemustert)" if topic.retired_at else topic.name
        rows.append([name, owner, counts[topic.pk]])
    cells = protect([r[2] for r in rows], additive=False)
    return _table(
        "by_topic",
        "Beratungen nach Thema",
        ["Thema", "Fachstelle", "Beratungen"],
        [[name, owner, cell] for (name, owner, _n), cell in zip(rows, cells, strict=True)],
        note="Eine Beratung kann mehrere Themen haben; die Zeilen ergeben daher keine Summe.",
    )


def by_region(scope, period: Period) -> list[dict]:
    """Consultations and organisations per Regierungsbezirk and per Kreis (two queries).

    The Kreis of a consultation is the one its organisation had at the time, so Kreise that no
    longer exist still appear. Kreise are protected within their Regierungsbezirk, whose figures
    are shown too.
    """
    base = scope.consultations().filter(_between(period)).order_by()
    per_district = {
        district: (n, orgs)
        for district, n, orgs in base.values_list("region__administrative_district").annotate(
            n=Count("*"), orgs=Count("organisation", distinct=True)
        )
    }
    per_region = {
        pk: (n, orgs)
        for pk, n, orgs in base.values_list("region").annotate(n=Count("*"), orgs=Count("organisation", distinct=True))
    }
    regions = Region.objects.filter(pk__in=list(per_region)).order_by("administrative_district", german("name"))

    district_labels = dict(Region.AdministrativeDistrict.choices)
    district_keys = sorted(per_district, key=lambda d: str(district_labels.get(d, d or "")))
    d_consultations, d_total = protect_with_total([per_district[d][0] for d in district_keys])
    d_organisations = protect([per_district[d][1] for d in district_keys], additive=True)
    districts = _table(
        "by_district",
        "Beratungen nach Regierungsbezirk",
        ["Regierungsbezirk", "Beratungen", "Organisationen"],
        [
            [str(district_labels.get(d, "ohne Regierungsbezirk")) if d else "außerhalb Hessens", c, o]
            for d, c, o in zip(district_keys, d_consultations, d_organisations, strict=True)
        ],
        total=["Summe", d_total, None],
        note="Eine Organisation, die in mehreren Kreisen beraten wurde, zählt in jedem.",
    )

    grouped = defaultdict(list)
    for region in regions:
        grouped[region.administrative_district].append(region)
    rows = []
    for d in district_keys:
        members = grouped[d]
        c_cells = protect([per_region[r.pk][0] for r in members], additive=True)
        o_cells = protect([per_region[r.pk][1] for r in members], additive=True)
        for region, c, o in zip(members, c_cells, o_cells, strict=True):
            name = region.name
            if region.valid_until and region.valid_until < period.last:
                name = f"{name} (bis {region.valid_until:%d.%m.%Y})"
            rows.append([name, str(district_labels.get(d, "")) if d else "außerhalb Hessens", c, o])
    regions_table = _table(
        "by_region",
        "Beratungen nach Kreis und kreisfreier Stadt",
        ["Kreis / kreisfreie Stadt", "Regierungsbezirk", "Beratungen", "Organisationen"],
        rows,
        note="Kleine Werte sind innerhalb ihres Regierungsbezirks geschützt.",
    )
    return [districts, regions_table]


def by_month(scope, period: Period, previous: Period) -> dict:
    """Consultations per month of the period beside the months of the period before (one query).

    Row n sets the n-th month of the period beside the n-th month of the period before, each
    labelled with its own month ("Jan 2026 | Jul 2025" in a half-year report).
    """
    per_day = (
        scope.consultations()
        .filter(Q(_between(period)) | Q(_between(previous)))
        .order_by()
        .values_list("date")
        .annotate(n=Count("*"))
    )
    months, before_months = _months(period), _months(previous)
    index = {m: i for i, m in enumerate(months)}
    prev_index = {m: i for i, m in enumerate(before_months)}
    current, before = [0] * len(months), [0] * len(before_months)
    for day, n in per_day:
        key = (day.year, day.month)
        if period.first <= day <= period.last:
            current[index[key]] += n
        elif previous.first <= day <= previous.last:
            before[prev_index[key]] += n
    cells, cells_total = protect_with_total(current)
    before_cells, before_total = protect_with_total(before)
    rows_n = max(len(months), len(before_months))

    def at(items, i):
        return items[i] if i < len(items) else None

    def month_label(month):
        return f"{MONTHS[month[1] - 1]} {month[0]}" if month else "–"

    def category(i):
        names = [MONTHS[m[1] - 1] for m in (at(months, i), at(before_months, i)) if m]
        return names[0] if len(set(names)) == 1 else "/".join(names)

    rows = [
        [f"{month_label(at(months, i))} | {month_label(at(before_months, i))}", at(cells, i), at(before_cells, i)]
        for i in range(rows_n)
    ]
    return _table(
        "by_month",
        "Beratungen je Monat",
        ["Monat (Bericht | Vergleich)", period.label, previous.label],
        rows,
        total=["Summe", cells_total, before_total],
        note=(
            "Jede Zeile stellt einen Monat des Berichtszeitraums dem entsprechenden Monat des "
            "Vergleichszeitraums gegenüber (Monat im Bericht | Monat im Vergleich)."
        ),
        chart={
            "kind": "bars",
            "categories": [category(i) for i in range(rows_n)],
            "series": [
                {
                    "label": previous.label,
                    "values": _chart_values([at(before_cells, i) for i in range(rows_n)]),
                    "colour": "grey",
                },
                {
                    "label": period.label,
                    "values": _chart_values([at(cells, i) for i in range(rows_n)]),
                    "colour": _colour(scope.units),
                },
            ],
        },
    )


def _colour(units) -> str:
    """The unit's colour, or blue (joint work) for both units."""
    return units[0].colour if len(units) == 1 else "blue"


def _months(period: Period) -> list[tuple[int, int]]:
    months, y, m = [], period.first.year, period.first.month
    while (y, m) <= (period.last.year, period.last.month):
        months.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def _chart_values(cells):
    return [c if isinstance(c, int) and not isinstance(c, bool) else None for c in cells]


def organisation_tables(reached: dict) -> list[dict]:
    kinds = Organisation.Kind
    counts = [reached["by_kind"].get(value, 0) for value in kinds.values]
    kind_cells, kind_total = protect_with_total(counts)
    new_cells, new_total = protect_with_total([reached["new"], reached["returning"]])
    return [
        _table(
            "new_returning",
            "Erreichte Organisationen: neu und wiederkehrend",
            ["", "Organisationen"],
            [["neu (erste Beratung in diesem Zeitraum)", new_cells[0]], ["wiederkehrend", new_cells[1]]],
            total=["Summe", new_total],
        ),
        _table(
            "by_kind",
            "Erreichte Organisationen nach Art",
            ["Art", "Organisationen"],
            [[str(label), c] for label, c in zip(kinds.labels, kind_cells, strict=True)],
            total=["Summe", kind_total],
        ),
    ]


# --- Cases, quality, events ----------------------------------------------------------------------


def case_tables(scope, period: Period) -> tuple[dict, list[dict]]:
    """Cases opened and closed per goal, and outcomes reached (two queries)."""
    opened, closed = _between(period, "opened_on"), _between(period, "closed_on")
    per_goal = list(
        Case.objects.filter(unit__in=scope.ids)
        .filter(opened | closed)
        .order_by()
        .values_list("goal__name", "goal__retired_at")
        .annotate(opened=Count("pk", filter=opened), closed=Count("pk", filter=closed))
        .order_by("goal__unit_id", "goal__position", "goal__name")
    )
    outcomes = list(
        CaseOutcomeReached.objects.filter(case__unit__in=scope.ids)
        .filter(_between(period, "reached_on"))
        .order_by()
        .values_list("outcome__name", "outcome__retired_at")
        .annotate(n=Count("*"))
        .order_by("outcome__unit_id", "outcome__position", "outcome__name")
    )

    def name(text, retired):
        return f"{text} (ausgemustert)" if retired else text

    opened_cells, opened_total = protect_with_total([r[2] for r in per_goal])
    closed_cells, closed_total = protect_with_total([r[3] for r in per_goal])
    outcome_cells, outcome_total = protect_with_total([r[2] for r in outcomes])
    totals = {"opened": sum(r[2] for r in per_goal), "closed": sum(r[3] for r in per_goal)}
    tables = [
        _table(
            "cases_by_goal",
            "Beratungsprozesse nach Ziel",
            ["Ziel", "begonnen", "abgeschlossen"],
            [[name(r[0], r[1]), o, c] for r, o, c in zip(per_goal, opened_cells, closed_cells, strict=True)],
            total=["Summe", opened_total, closed_total],
        ),
        _table(
            "outcomes",
            "Erreichte Ergebnisse",
            ["Ergebnis", "erreicht"],
            [[name(r[0], r[1]), n] for r, n in zip(outcomes, outcome_cells, strict=True)],
            total=["Summe", outcome_total],
            note="Ein Beratungsprozess kann mehrere Ergebnisse erreichen.",
        ),
    ]
    return totals, tables


def quality_table(unit, period: Period) -> dict:
    """How the Lots*innen projects' quality profiles changed (three queries).

    For each project assessed in the period: its latest assessment in the period against the one
    before (if any). Per area, the degree of fulfilment is the share of points reached (erfüllt 2,
    teilweise 1, nicht erfüllt 0; "nicht relevant" left out); a project improved in an area when
    its degree rose.
    """
    assessed = Assessment.objects.filter(unit=unit, date__lte=period.last).filter(
        organisation__in=Assessment.objects.filter(unit=unit).filter(_between(period)).values("organisation")
    )
    pairs = {}  # organisation → [latest id, previous id]
    for pk, organisation in assessed.order_by("organisation", "-date", "-pk").values_list("pk", "organisation"):
        pair = pairs.setdefault(organisation, [])
        if len(pair) < 2:
            pair.append(pk)
    wanted = [pk for pair in pairs.values() for pk in pair]
    points = (
        AssessmentRating.objects.filter(assessment__in=wanted)
        .exclude(rating=AssessmentRating.Rating.NOT_RELEVANT)
        .order_by()
        .values_list("assessment", "criterion__area")
        .annotate(reached=Sum(_score_case()), possible=Count("*"))
    )
    degree = {}  # (assessment, area) → share 0..1
    for assessment, area, reached, possible in points:
        degree[(assessment, area)] = reached / (2 * possible)
    rated = {area for _assessment, area in degree}
    areas = QualityArea.objects.filter(pk__in=rated).order_by("position", german("name")).values_list("pk", "name")

    rows = []
    for area, area_name in areas:
        projects = improved = same = worse = 0
        before, after = [], []
        for latest, *earlier in pairs.values():
            now = degree.get((latest, area))
            if now is None:
                continue
            projects += 1
            after.append(now)
            then = degree.get((earlier[0], area)) if earlier else None
            if then is None:
                continue
            before.append(then)
            improved += now > then
            worse += now < then
            same += now == then
        cells, compared_cell = protect_with_total([improved, same, worse])
        small = projects < 3
        rows.append(
            [
                area_name,
                protect_total(projects),
                compared_cell,
                *cells,
                None if small or not before else round(100 * sum(before) / len(before)),
                None if small or not after else round(100 * sum(after) / len(after)),
            ]
        )
    return _table(
        "quality",
        "Qualitätsprofile der Lots*innen-Projekte",
        # Short headers: a narrow column breaks long words (with a hyphen), the note explains them.
        ["Bereich", "Projekte", "mit Vergleich", "besser", "gleich", "schlechter", "vorher (%)", "zuletzt (%)"],
        rows,
        note=(
            "Projekte: mit Standortbestimmung im Zeitraum; mit Vergleich: davon mit einer früheren. Besser, gleich, "
            "schlechter: Erfüllungsgrad der letzten Standortbestimmung im Zeitraum gegen die vorherige des Projekts. "
            "Vorher, zuletzt: durchschnittlicher Erfüllungsgrad in Prozent, d. h. erreichte Punkte (erfüllt 2, "
            "teilweise 1, nicht erfüllt 0) je möglicher Punkte, ohne „nicht relevant“."
        ),
    )


def _score_case():
    return SqlCase(
        *(When(rating=rating, then=Value(score)) for rating, score in SCORE.items()),
        default=Value(0),
        output_field=IntegerField(),
    )


def event_figures(scope, period: Period, previous: Period) -> tuple[dict, list[dict]]:
    """Held events, teaching units and participants now and before, by kind and by Kreis (two queries).

    Only held events count: planned and cancelled ones (and their participants and teaching units) do
    not, as on the dashboard. Returns the totals and two tables: by kind, and by Kreis (online events
    and those without a Kreis in rows of their own).
    """
    from casework.search.ordering import german_key

    aggregates = {}
    for name, p in (("cur", period), ("prev", previous)):
        aggregates[f"{name}_n"] = Count("pk", filter=_between(p))
        aggregates[f"{name}_units"] = Sum("teaching_units", filter=_between(p))
        aggregates[f"{name}_participants"] = Sum("participants", filter=_between(p))
    events = scope.events().filter(status=Event.Status.HELD)
    row = events.filter(date__gte=previous.first, date__lte=period.last).aggregate(**aggregates)
    totals = {
        name: {
            "events": row[f"{name}_n"],
            "teaching_units": row[f"{name}_units"] or 0,
            "event_participants": row[f"{name}_participants"] or 0,
        }
        for name in ("cur", "prev")
    }
    total_row = [
        "Summe",
        totals["cur"]["events"],
        totals["cur"]["teaching_units"],
        totals["cur"]["event_participants"],
    ]
    in_period = events.filter(_between(period)).order_by()

    def cells(figures):
        """Protected (count, teaching units, participants) columns for the (n, tu, part) triples."""
        counts = protect([n for n, _tu, _part in figures], additive=True)
        teaching = follow(counts, [tu or 0 for _n, tu, _part in figures])
        participants = protect([part or 0 for _n, _tu, part in figures], additive=True)
        return counts, teaching, participants

    # One grouped query feeds both tables: by kind, and by the Kreis recorded with the event (as it
    # was on its date; online events have none).
    found = defaultdict(lambda: [0, 0, 0])
    per_place = defaultdict(lambda: [0, 0, 0])
    names = {}
    for kind, region, name, until, fmt, n, tu, part in in_period.values_list(
        "kind", "region", "region__name", "region__valid_until", "format"
    ).annotate(n=Count("*"), tu=Sum("teaching_units"), part=Sum("participants")):
        if region is not None:
            key = region
            names[region] = f"{name} (bis {until:%d.%m.%Y})" if until and until < period.last else name
        else:
            key = "online" if fmt == Event.Format.ONLINE else "unknown"
        for sums in (found[kind], per_place[key]):
            sums[0] += n
            sums[1] += tu or 0
            sums[2] += part or 0
    kinds = Event.Kind
    by_kind = _table(
        "events_by_kind",
        "Veranstaltungen nach Art",
        ["Art", "Veranstaltungen", "Unterrichtseinheiten", "Teilnehmende"],
        [
            [str(label), c, t, p]
            for label, c, t, p in zip(
                kinds.labels, *cells([tuple(found.get(v, (0, 0, 0))) for v in kinds.values]), strict=True
            )
        ],
        total=total_row,
    )

    keys = sorted((k for k in per_place if k not in ("online", "unknown")), key=lambda k: german_key(names[k]))
    keys += [k for k in ("online", "unknown") if k in per_place]
    labels = {**names, "online": "online (ohne Kreis)", "unknown": "ohne Angabe des Kreises"}
    by_region = _table(
        "events_by_region",
        "Veranstaltungen nach Kreis und kreisfreier Stadt",
        ["Kreis / kreisfreie Stadt", "Veranstaltungen", "Unterrichtseinheiten", "Teilnehmende"],
        [[labels[k], c, t, p] for k, c, t, p in zip(keys, *cells([tuple(per_place[k]) for k in keys]), strict=True)],
        total=total_row,
        note="Nur durchgeführte Veranstaltungen; der Kreis ist der des Veranstaltungsorts.",
    )
    return totals, [by_kind, by_region]


# --- Targets ------------------------------------------------------------------------------------


def _round_half_up(value: float) -> int:
    return int(value + 0.5) if value >= 0 else -int(-value + 0.5)


def pro_rata_targets(units, period: Period) -> dict[str, int]:
    """The targets for `period`, whole numbers (one query).

    Targets are set per unit and calendar year; a shorter period is compared with its share of the
    year (by days), a period across years with the sum of the shares; the sum is rounded half up.
    """
    years = range(period.first.year, period.last.year + 1)
    shares = defaultdict(float)
    rows = Target.objects.filter(unit__in=[u.pk for u in units], year__in=years).values_list("metric", "value", "year")
    for metric, value, year in rows:
        first = max(period.first, datetime.date(year, 1, 1))
        last = min(period.last, datetime.date(year, 12, 31))
        days_in_year = (datetime.date(year, 12, 31) - datetime.date(year, 1, 1)).days + 1
        shares[metric] += value * ((last - first).days + 1) / days_in_year
    return {metric: _round_half_up(share) for metric, share in shares.items()}


def target_table(scope, period: Period, actuals: dict) -> dict | None:
    """Targets agreed with the funder against the actual figures (one query).

    `actuals` are the key figures as shown (in the publication variant possibly "< 3"): a hidden
    actual hides the share reached too, which would give it away.
    """
    targets = pro_rata_targets(scope.units, period)
    if not targets:
        return None
    labels = dict(Target.Metric.choices)
    rows = []
    for metric in Target.Metric.values:
        if metric not in targets:
            continue
        target, actual = targets[metric], actuals[metric]
        reached = round(100 * actual / target) if target and not is_hidden(actual) else None
        rows.append([str(labels[metric]), target, actual, reached])
    whole_years = period.first == datetime.date(period.first.year, 1, 1) and period.last == datetime.date(
        period.last.year, 12, 31
    )
    note = (
        ""
        if whole_years
        else "Ziele gelten je Kalenderjahr; für diesen Zeitraum anteilig nach Tagen, auf ganze Zahlen gerundet."
    )
    return _table("targets", "Ziele und Ist-Werte", ["Kennzahl", "Ziel", "Ist", "erreicht (%)"], rows, note=note)


def named_organisations(scope, period: Period) -> list[str]:
    """Organisations reached in the period that agreed to be named in funder reports, in German order (one query)."""
    reached = scope.consultations().filter(_between(period), organisation=OuterRef("pk"))
    names = Organisation.objects.filter(may_be_named=True).filter(Exists(reached)).values_list("name", flat=True)
    return sorted(names, key=german_key)


# --- The whole report ----------------------------------------------------------------------------

ROUNDING_NOTE = (
    "Stunden sind aus den genauen Minuten auf eine Nachkommastelle gerundet (ab 0,05 aufgerundet). "
    "Teilwerte einer gezeigten Summe, etwa die Stunden nach Format, sind nach dem Verfahren der größten "
    "Reste gerundet: Jeder Teil erhält seinen abgerundeten Wert, die bis zur gerundeten Summe fehlenden "
    "Zehntel gehen an die Teile mit den größten Resten. So ergeben die Teile stets die gezeigte Summe."
)
VARIANT_NOTES = {
    FUNDER: (
        "Fassung für den Fördergeber: alle Zahlen sind genau, auch kleine Werte. "
        "Diese Fassung ist nicht zur Veröffentlichung bestimmt."
    ),
    PUBLICATION: (
        "Fassung zur Veröffentlichung: Werte von 1 oder 2 sind als „< 3“ dargestellt, weitere Werte mit "
        "„x“ gesperrt, sodass kein verborgener Wert aus Summen, Kennzahlen oder anderen Zellen errechnet "
        "werden kann."
    ),
}


def report_figures(units, period: Period, *, generated_by: str, now=None, variant: str = FUNDER) -> dict:
    """All figures of a report for `units` (a list of Unit) and `period`, as plain data.

    `variant`: FUNDER (exact figures) or PUBLICATION (small counts protected consistently).
    """
    if variant not in VARIANT_LABELS:
        raise ValueError(f"unknown report variant {variant!r}")
    units = tuple(sorted(units, key=lambda u: u.pk))
    scope = Scope(units, everything=len(units) == Unit.objects.count())
    now = now or timezone.now()
    today = timezone.localdate(now)
    if period.is_running(today):
        counted, previous = same_span(period, today)
        as_of = today
    else:
        counted, previous, as_of = period, period.previous(), None
    with translation.override("de"), exact_figures(variant == FUNDER):
        figures = _report_figures(scope, counted, previous, generated_by, now)
    meta = figures["meta"]
    meta["period"] = period.as_dict()  # the whole period; counted up to as_of
    meta["period_column"] = counted.label
    meta["as_of"] = as_of.isoformat() if as_of else None
    meta["variant"] = variant
    meta["variant_label"] = VARIANT_LABELS[variant]
    notes = []
    if as_of:
        notes.append(
            f"Stand: {as_of:%d.%m.%Y}. Der Berichtszeitraum ist noch nicht abgeschlossen; gezählt ist bis zu "
            f"diesem Tag. Verglichen wird mit demselben Abschnitt des Vergleichszeitraums "
            f"({previous.first:%d.%m.%Y}–{previous.last:%d.%m.%Y})."
        )
    notes += [ROUNDING_NOTE, VARIANT_NOTES[variant]]
    figures["notes"] = notes
    return figures


def year_actuals(units, year: int) -> dict:
    """A calendar year's exact figures of the target metrics for `units` (about seven queries).

    What the targets page compares a new target with, and what the demo data's targets are near.
    """
    units = tuple(sorted(units, key=lambda u: u.pk))
    scope = Scope(units, everything=len(units) == Unit.objects.count())
    period = calendar_year(year)
    with translation.override("de"), exact_figures():
        return _actuals(scope, period, period.previous())[0]


def _actuals(scope, period, previous):
    consultations = consultation_totals(scope, period, previous)
    reached = organisations_reached(scope, period)
    case_totals, cases = case_tables(scope, period)
    events, events_tables = event_figures(scope, period, previous)
    cur = consultations["cur"]
    actuals = {
        "consultations": cur["consultations"],
        "hours": cur["hours"],
        "organisations": reached["total"],
        "new_organisations": reached["new"],
        "cases_closed": case_totals["closed"],
        "events": events["cur"]["events"],
        "teaching_units": events["cur"]["teaching_units"],
        "event_participants": events["cur"]["event_participants"],
    }
    return actuals, consultations, reached, case_totals, cases, events, events_tables


def _report_figures(scope, period, previous, generated_by, now) -> dict:
    units = scope.units
    _exact, consultations, reached, case_totals, cases, events, events_tables = _actuals(scope, period, previous)
    reached_before = organisations_count(scope, previous)
    cur, prev = consultations["cur"], consultations["prev"]
    organisation_section = organisation_tables(reached)
    # "davon neu" is a cell of the table of new and returning organisations: shown (or hidden) alike.
    new_shown = organisation_section[0]["rows"][0][1]

    totals = [
        _total("consultations", "Beratungen", cur["consultations"], prev["consultations"]),
        _total("hours", "Beratungsstunden", cur["hours"], prev["hours"], count=False),
        _total("participants", "Teilnehmende an Beratungen", cur["participants"], prev["participants"]),
        _total("organisations", "erreichte Organisationen", reached["total"], reached_before),
        _total("new_organisations", "davon neu", new_shown, None),
        _total("cases_opened", "begonnene Beratungsprozesse", case_totals["opened"], None),
        _total("cases_closed", "abgeschlossene Beratungsprozesse", case_totals["closed"], None),
        _total("events", "Veranstaltungen", events["cur"]["events"], events["prev"]["events"]),
        _total(
            "teaching_units",
            "Unterrichtseinheiten",
            events["cur"]["teaching_units"],
            events["prev"]["teaching_units"],
            count=False,
        ),
        _total(
            "event_participants",
            "Teilnehmende an Veranstaltungen",
            events["cur"]["event_participants"],
            events["prev"]["event_participants"],
        ),
    ]
    shown = {total["key"]: total["value"] for total in totals}

    sections = [
        {
            "key": "consultations",
            "title": "Beratungen",
            "tables": [by_month(scope, period, previous), by_format(scope, period), by_topic(scope, period)],
        },
        {"key": "organisations", "title": "Erreichte Organisationen", "tables": organisation_section},
        {"key": "regions", "title": "Regionale Verteilung", "tables": by_region(scope, period)},
        {"key": "cases", "title": "Beratungsprozesse", "tables": cases},
    ]
    lots = [u for u in units if u.code == LOTS_UNIT_CODE]
    if lots:
        from reports.guides import guide_section  # here, not at the top: reports/guides.py imports this module

        sections.append({"key": "quality", "title": "Qualitätsstandards", "tables": [quality_table(lots[0], period)]})
        sections.append(guide_section(lots[0], period))
    sections.append({"key": "events", "title": "Qualifizierung und Vernetzung", "tables": events_tables})
    targets = target_table(scope, period, {metric: shown[metric] for metric in Target.Metric.values})
    if targets:
        sections.append({"key": "targets", "title": "Ziele", "tables": [targets]})
    for section in sections:
        for table in section["tables"]:
            _protect_totals(table)

    return {
        "version": VERSION,
        "meta": {
            "scope": scope_code(units),
            "scope_label": scope_label(units),
            "units": [
                {"code": u.code, "name": u.name, "short_name": u.short_name, "colour": u.colour, "host": u.host}
                for u in units
            ],
            "period": period.as_dict(),
            "previous": previous.as_dict(),
            "generated_at": timezone.localtime(now).isoformat(timespec="seconds"),
            "generated_by": generated_by,
        },
        "totals": totals,
        "sections": sections,
        "named_organisations": named_organisations(scope, period),
    }


def _protect_totals(table: dict) -> None:
    """No total row shows a count of 1 or 2 where small counts are protected (publication variant)."""
    if table.get("total"):
        table["total"] = [table["total"][0], *(protect_total(cell) for cell in table["total"][1:])]


def _total(key, label, value, previous, *, count=True):
    """A key figure; counts are protected like totals (publication variant), hours and units are not."""
    if count:
        value, previous = protect_total(value), protect_total(previous)
    numbers = not is_hidden(value) and not is_hidden(previous)
    return {
        "key": key,
        "label": label,
        "value": value,
        "previous": previous,
        "change": percent_change(value, previous) if numbers else None,
    }
