"""Demo data for the Lots*innen figures (called by seed_demo after consultations exist).

Every Lots*innen project of the Lots*innen unit gets a count of active Lots*innen at the end of each
quarter over the last two years (8–35, drifting a little from quarter to quarter, with a jump after a
Basisqualifizierung), 2–3 Basisqualifizierungen a year (24–40 UE) and 2–5 further trainings a year
(4–8 UE). Written as plain INSERTs (raw_insert, like the assessment ratings) and the "created" history rows
with one INSERT … SELECT per table: a handful of queries, about 3 s for 1,600 projects (31,000 rows).
"""

import datetime

from django.db import connection
from django.utils import timezone

from casework.guides.models import GuideCount, GuideTraining
from casework.management.seeding import raw_insert
from casework.models import Unit
from casework.roles import ADVISOR, COORDINATOR, role_group
from organisations.models import Organisation

YEARS = 2
BASIC_TITLES = [
    "Basisqualifizierung Frühjahr {year}",
    "Basisqualifizierung Herbst {year}",
    "Basisqualifizierung für neue Lots*innen {year}",
    "Basisqualifizierung (Wochenendkurs) {year}",
]
FURTHER_TITLES = [
    "Aufbauschulung: Datenschutz und Schweigepflicht",
    "Fortbildung: Interkulturelle Kommunikation",
    "Aufbauschulung: Lokale Netzwerke und Regeldienste",
    "Fortbildung: Umgang mit Behörden und Formularen",
    "Fortbildung: Grenzen setzen und Selbstfürsorge",
    "Aufbauschulung: Aufenthaltsrecht – Grundlagen",
    "Fortbildung: Begleitung zu Schule und Kita",
    "Reflexionstag für aktive Lots*innen",
]
COUNT_NOTES = [
    "",
    "",
    "",
    "Neue Gruppe nach der Basisqualifizierung.",
    "Zwei Lots*innen pausieren (Elternzeit, Studium).",
    "Laut Koordination; Liste wird aktualisiert.",
]


def _quarter_ends(today, years):
    """The last days of the quarters over the last `years` years that have passed, oldest first."""
    ends = []
    for year in range(today.year - years, today.year + 1):
        for month in (3, 6, 9, 12):
            last = datetime.date(year, month, 31 if month in (3, 12) else 30)
            if today - datetime.timedelta(days=365 * years) < last <= today:
                ends.append(last)
    return ends


def _aware(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


COUNT_FIELDS = ["unit_id", "organisation_id", "as_of", "active", "note"]
TRAINING_FIELDS = ["unit_id", "organisation_id", "kind", "date", "title", "teaching_units", "participants"]
RECORD_FIELDS = ["created_by_id", "created_at", "updated_at", "version"]


def _plan_trainings(rng, organisation_id, today, unit_id):
    """(training rows, days of the Basisqualifizierungen) of one project over the demo window."""
    trainings, basic_days = [], []
    first = today - datetime.timedelta(days=365 * YEARS)
    for year in range(first.year, today.year + 1):
        kinds = [GuideTraining.Kind.BASIC] * rng.choice([2, 2, 3]) + [GuideTraining.Kind.FURTHER] * rng.randint(2, 5)
        for kind in kinds:
            day = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randint(14, 340))
            if not first <= day <= today:
                continue
            if kind == GuideTraining.Kind.BASIC:
                title = rng.choice(BASIC_TITLES).format(year=year)
                teaching_units, participants = rng.randint(24, 40), rng.randint(6, 18)
                basic_days.append(day)
            else:
                title = rng.choice(FURTHER_TITLES)
                teaching_units, participants = rng.randint(4, 8), rng.randint(5, 22)
            trainings.append((day, [unit_id, organisation_id, str(kind), day, title, teaching_units, participants]))
    return trainings, basic_days


def _plan_counts(rng, organisation_id, today, unit_id, basic_days):
    counts = []
    active = rng.randint(8, 30)
    for day in _quarter_ends(today, YEARS):
        # After a Basisqualifizierung in the quarter some new Lots*innen start; otherwise a few leave or join.
        grew = sum(1 for basic in basic_days if day - datetime.timedelta(days=92) < basic <= day)
        active += grew * rng.randint(2, 5) + rng.randint(-3, 2)
        active = max(8, min(35, active))
        counts.append((day, [unit_id, organisation_id, day, active, rng.choice(COUNT_NOTES)]))
    return counts


def _rows(rng, planned, staff, today, date_index):
    """Rows with their author and time of recording (a few days after the date, never in the future)."""
    ops, now = connection.ops, timezone.now()
    days, moments, rows = {}, {}, []
    for day, values in planned:
        key = (day, rng.randint(1, 10))
        if key not in moments:  # a few hundred distinct days: adapt each once
            recorded = min(day + datetime.timedelta(days=key[1]), today)
            moments[key] = ops.adapt_datetimefield_value(min(_aware(recorded), now))
        if day not in days:
            days[day] = ops.adapt_datefield_value(day)
        values[date_index] = days[day]
        rows.append((*values, rng.choice(staff), moments[key], moments[key], 1))
    return rows


def _history(model, fields):
    """The "created" history rows of every record of `model` (all new: the demo fills an empty database)."""
    qn = connection.ops.quote_name
    columns = ["id", *fields, *RECORD_FIELDS]
    source = ", ".join(qn(model._meta.get_field(name).column) for name in columns)
    history = model.history.model
    target = ", ".join(
        qn(history._meta.get_field(name).column)
        for name in [*columns, "history_date", "history_change_reason", "history_type", "history_user_id"]
    )
    created = qn(model._meta.get_field("created_at").column)
    author = qn(model._meta.get_field("created_by_id").column)
    # Identifiers come from model metadata (quoted); the values are the rows' own.
    sql = (
        f"INSERT INTO {qn(history._meta.db_table)} ({target}) "  # noqa: S608
        f"SELECT {source}, {created}, '', '+', {author} FROM {qn(model._meta.db_table)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)


def seed(*, rng, today, log):
    """Create demo records; `rng` is a seeded random.Random, `today` a date, `log` prints a German line."""
    lots = Unit.objects.filter(code="lots").first()
    if lots is None or GuideCount.objects.exists() or GuideTraining.objects.exists():
        return
    staff = [
        *role_group(lots, COORDINATOR).user_set.values_list("pk", flat=True),
        *role_group(lots, ADVISOR).user_set.values_list("pk", flat=True),
    ]
    projects = list(
        Organisation.objects.filter(kind=Organisation.Kind.GUIDE_PROJECT, units=lots)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not projects or not staff:
        return
    counts, trainings = [], []
    for organisation_id in projects:
        planned, basic_days = _plan_trainings(rng, organisation_id, today, lots.pk)
        trainings += planned
        counts += _plan_counts(rng, organisation_id, today, lots.pk, basic_days)
    raw_insert(GuideCount, COUNT_FIELDS + RECORD_FIELDS, _rows(rng, counts, staff, today, COUNT_FIELDS.index("as_of")))
    raw_insert(
        GuideTraining,
        TRAINING_FIELDS + RECORD_FIELDS,
        _rows(rng, trainings, staff, today, TRAINING_FIELDS.index("date")),
    )
    _history(GuideCount, COUNT_FIELDS)
    _history(GuideTraining, TRAINING_FIELDS)
    log(
        f"Lots*innen-Zahlen: {len(counts)} Zählstände und {len(trainings)} Schulungen "
        f"für {len(projects)} Lots*innen-Projekte angelegt."
    )
