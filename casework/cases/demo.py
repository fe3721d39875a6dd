"""Demo data for cases (called by seed_demo after consultations exist).

About one in four organisations with consultations gets a case in the unit that advised it most,
open, dormant or closed (closed ones with outcomes). The organisation's consultations of that unit
within the case's time span are attached to it. A few queries whatever the volume: one read of
all consultations, bulk inserts, and one batched UPDATE for the attachments.
"""

import datetime
from collections import defaultdict

from django.db import connection
from django.utils import timezone

from casework.access import advisors_of
from casework.management.seeding import BATCH_SIZE, explicit_timestamps
from casework.models import Case, CaseGoal, CaseOutcome, CaseOutcomeReached, Consultation

SHARE_OF_ORGANISATIONS = 0.25
SHARE_ATTACHED = 0.85

# goal → (titles, outcomes that fit it); entries missing from an edited catalogue are skipped.
GOALS = {
    "Eintragung ins Vereinsregister": (
        ["Vereinsgründung und Eintragung", "Satzung überarbeiten und eintragen lassen"],
        ["Satzung beschlossen", "Eintragung ins Vereinsregister erfolgt"],
    ),
    "Gemeinnützigkeit": (
        ["Anerkennung der Gemeinnützigkeit", "Satzung gemeinnützigkeitskonform gestalten"],
        ["Satzung beschlossen", "Gemeinnützigkeit anerkannt"],
    ),
    "Erster Förderantrag": (
        ["Erster Antrag im Landesprogramm WIR", "Förderantrag für ein Jugendprojekt", "Antrag bei der Kommune"],
        ["Förderantrag gestellt", "Förderung bewilligt"],
    ),
    "Professionelle Finanzverwaltung": (
        ["Buchführung aufbauen", "Kassenprüfung und Jahresabschluss", "Projektabrechnung üben"],
        ["Verwendungsnachweis eingereicht"],
    ),
    "Stabile Vorstands- und Vereinsstruktur": (
        ["Generationswechsel im Vorstand", "Aufgabenverteilung im Vorstand"],
        ["Vorstand neu aufgestellt", "Satzung beschlossen"],
    ),
    "Öffentlichkeitsarbeit aufbauen": (
        ["Website und soziale Medien", "Jahresbericht und Pressearbeit"],
        ["Förderantrag gestellt"],
    ),
    "Aufbau eines Lots*innen-Projekts": (
        ["Projektstart vorbereiten", "Konzept und Koordination aufbauen"],
        ["Projektkonzept erstellt", "Koordination eingerichtet", "Erste Lots*innen gewonnen"],
    ),
    "Basisqualifizierung neuer Lots*innen": (
        ["Basisqualifizierung für den neuen Jahrgang", "Qualifizierung neuer Lots*innen"],
        ["Erste Lots*innen gewonnen", "Basisqualifizierung durchgeführt"],
    ),
    "Weiterentwicklung nach Qualitätsstandards": (
        ["Qualitätsstandards einführen", "Reflexionstreffen etablieren"],
        ["Qualitätsstandards vereinbart"],
    ),
    "Verstetigung und Finanzierung": (
        ["Anschlussfinanzierung sichern", "Verstetigung mit der Kommune"],
        ["Finanzierung gesichert"],
    ),
}
DESCRIPTIONS = [
    "Erstgespräch mit dem Vorstand; Ziel und nächste Schritte gemeinsam festgelegt.",
    "Die Organisation hat um längerfristige Begleitung gebeten. Zeitplan bis zum Ziel abgestimmt.",
    "Ausgangslage in einem Termin vor Ort geklärt; Unterlagen liegen teilweise vor.",
    "Anfrage über das Netzwerk vermittelt. Ehrenamtliche Ansprechperson im Vorstand benannt.",
]


def _aware(day):
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)), timezone.get_current_timezone())
    return min(moment, timezone.now())


def _add_days(day, days):
    return day + datetime.timedelta(days=days)


class _Catalogue:
    def __init__(self, unit_ids):
        goals = CaseGoal.objects.filter(unit_id__in=unit_ids, retired_at__isnull=True)
        outcomes = CaseOutcome.objects.filter(unit_id__in=unit_ids, retired_at__isnull=True)
        self.goals, self.outcomes = defaultdict(list), defaultdict(list)
        for goal in goals.order_by("position", "name"):
            self.goals[goal.unit_id].append(goal)
        for outcome in outcomes.order_by("position", "name"):
            self.outcomes[outcome.unit_id].append(outcome)
        self.advisors = {unit_id: list(advisors_of([unit_id])) for unit_id in unit_ids}

    def fitting_outcomes(self, goal):
        names = GOALS.get(goal.name, ((), ()))[1]
        fitting = [o for o in self.outcomes[goal.unit_id] if o.name in names]
        return fitting or self.outcomes[goal.unit_id][:2]


def seed(*, rng, today, log):
    """Create demo records; `rng` is a seeded random.Random, `today` a date, `log` prints a German line."""
    # (organisation, unit) → [(date, consultation id)], from one read of all consultations.
    groups = defaultdict(list)
    for pk, organisation_id, unit_id, date in Consultation.objects.values_list(
        "pk", "organisation_id", "unit_id", "date"
    ).order_by("pk"):
        groups[(organisation_id, unit_id)].append((date, pk))
    if not groups:
        return
    # Per organisation the unit that advised it most.
    lead = {}
    for (organisation_id, unit_id), rows in sorted(groups.items()):
        if organisation_id not in lead or len(rows) > len(groups[(organisation_id, lead[organisation_id])]):
            lead[organisation_id] = unit_id
    catalogue = _Catalogue(sorted({unit_id for _org, unit_id in groups}))
    chosen = rng.sample(sorted(lead), k=max(1, round(len(lead) * SHARE_OF_ORGANISATIONS)))

    cases, attached, reached = [], {}, []
    for organisation_id in sorted(chosen):
        unit_id = lead[organisation_id]
        if not catalogue.goals[unit_id]:
            continue
        rows = sorted(groups[(organisation_id, unit_id)])
        case, window = _make_case(rng, today, catalogue, organisation_id, unit_id, rows)
        cases.append(case)
        attached[len(cases) - 1] = [pk for date, pk in rows if window[0] <= date <= window[1]]
        reached.append(_outcomes(rng, today, catalogue, case))

    log(f"Lege {len(cases)} Beratungsprozesse an …")
    with explicit_timestamps(Case):
        Case.objects.bulk_create(cases, batch_size=BATCH_SIZE)
    outcomes = []
    for case, case_outcomes in zip(cases, reached, strict=True):
        for outcome in case_outcomes:
            outcome.case = case
            outcomes.append(outcome)
    CaseOutcomeReached.objects.bulk_create(outcomes, batch_size=BATCH_SIZE)
    if connection.features.can_return_rows_from_bulk_insert:
        _write_history(cases, outcomes)
    pairs = [(cases[index].pk, pk) for index, pks in attached.items() for pk in pks if rng.random() < SHARE_ATTACHED]
    _attach(pairs)
    closed = sum(case.status == Case.Status.CLOSED for case in cases)
    dormant = sum(case.status == Case.Status.DORMANT for case in cases)
    log(
        f"Beratungsprozesse: {len(cases)} (davon {closed} abgeschlossen, {dormant} ruhend), "
        f"{len(outcomes)} erreichte Ergebnisse, {len(pairs)} Beratungen zugeordnet."
    )


def _make_case(rng, today, catalogue, organisation_id, unit_id, rows):
    """A case over part of the organisation's consultations; returns it with the date window it spans."""
    first, last = rows[0][0], rows[-1][0]
    span = (last - first).days
    opened_on = _add_days(first, int(span * rng.uniform(0, 0.4)) - rng.randint(0, 14))
    roll = rng.random()
    if roll < 0.35:
        status = Case.Status.CLOSED
        closed_on = min(_add_days(opened_on, max(14, int((last - opened_on).days * rng.uniform(0.5, 1.0)))), today)
        window = (opened_on, closed_on)
    elif roll < 0.55:
        # Dormant: the work stopped a while ago.
        status, closed_on = Case.Status.DORMANT, None
        window = (opened_on, _add_days(opened_on, int((last - opened_on).days * rng.uniform(0.3, 0.7))))
    else:
        status, closed_on, window = Case.Status.OPEN, None, (opened_on, today)
    goal = rng.choice(catalogue.goals[unit_id])
    titles = GOALS.get(goal.name, ([goal.name], ()))[0]
    advisors = catalogue.advisors[unit_id]
    responsible = rng.choice(advisors) if advisors else None
    created_at = _aware(opened_on)
    case = Case(
        unit_id=unit_id,
        organisation_id=organisation_id,
        title=rng.choice(titles),
        goal=goal,
        description=rng.choice(DESCRIPTIONS),
        status=status,
        opened_on=opened_on,
        closed_on=closed_on,
        responsible=responsible,
        created_by=responsible,
        created_at=created_at,
        updated_at=_aware(closed_on) if closed_on else created_at,
    )
    return case, window


def _outcomes(rng, today, catalogue, case):
    """Closed cases reach one or two outcomes; some running ones have reached a first step."""
    fitting = catalogue.fitting_outcomes(case.goal)
    if case.status == Case.Status.CLOSED:
        chosen = fitting[-rng.randint(1, min(2, len(fitting))) :] if fitting else []
        end = case.closed_on
    elif rng.random() < 0.3 and fitting:
        chosen, end = fitting[:1], today
    else:
        return []
    days = sorted(rng.randint(0, max(0, (end - case.opened_on).days)) for _ in chosen)
    if case.status == Case.Status.CLOSED and days:
        days[-1] = (end - case.opened_on).days  # the last outcome closes the case
    return [
        CaseOutcomeReached(outcome=outcome, reached_on=_add_days(case.opened_on, offset))
        for outcome, offset in zip(chosen, days, strict=True)
    ]


def _write_history(cases, outcomes):
    """A "created" entry per case as it began; closed cases get a second entry when they were closed."""
    closing = {case.pk: (case.status, case.closed_on) for case in cases if case.status == Case.Status.CLOSED}
    for case in cases:
        case._history_user = case.responsible
        case._history_date = case.created_at
        if case.pk in closing:
            case.status, case.closed_on = Case.Status.OPEN, None
    Case.history.bulk_history_create(cases, batch_size=BATCH_SIZE)
    closed = [case for case in cases if case.pk in closing]
    for case in closed:
        case.status, case.closed_on = closing[case.pk]
        case._history_date = case.updated_at
    Case.history.bulk_history_create(closed, batch_size=BATCH_SIZE, update=True)
    responsible = {case.pk: case.responsible for case in cases}
    for outcome in outcomes:
        outcome._history_user = responsible[outcome.case_id]
        outcome._history_date = _aware(outcome.reached_on)
    CaseOutcomeReached.history.bulk_history_create(outcomes, batch_size=BATCH_SIZE)


def _attach(pairs):
    """Set the case of the consultations (and of their "created" history rows) in batched UPDATEs."""
    if not pairs:
        return
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in (Consultation, Consultation.history.model):
            table = qn(model._meta.db_table)
            # Identifiers come from model metadata (quoted); all values are bound parameters.
            sql = f"UPDATE {table} SET {qn('case_id')} = %s WHERE {qn('id')} = %s"  # noqa: S608
            for offset in range(0, len(pairs), BATCH_SIZE * 10):
                cursor.executemany(sql, pairs[offset : offset + BATCH_SIZE * 10])
