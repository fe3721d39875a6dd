"""Demo data for events (called by seed_demo after consultations exist).

About 40 events per unit and year over last year and this one (some joint), with topics and
3–15 participating organisations each. Past events were held, a few of them cancelled (no
participants), and the status of a few from the last days is still to be set (planned, date passed);
events later this year are planned: no participants yet. Events in person or hybrid take place in a
town of Hessen with its Kreis; online ones have neither.
Written in bulk with their "created" history, like the rest of the demo data.
"""

import datetime
from collections import defaultdict

from django.utils import timezone

from casework.management.seeding import UNIT_CODES, DemoContext, explicit_timestamps, units_by_code
from casework.models import Event, Topic
from casework.roles import ADVISOR, COORDINATOR, role_group
from organisations.models import Organisation, Region

EVENTS_PER_UNIT_AND_YEAR = 40
JOINT_PER_YEAR = 6
T, N, C = Event.Kind.TRAINING, Event.Kind.NETWORKING, Event.Kind.CONFERENCE
# Town → its Kreis (organisations.Region name; Hanau was part of the Main-Kinzig-Kreis until 2026).
PLACES = {
    "Frankfurt am Main": "Frankfurt am Main",
    "Kassel": "Kassel (Stadt)",
    "Gießen": "Gießen",
    "Darmstadt": "Darmstadt",
    "Wiesbaden": "Wiesbaden",
    "Fulda": "Fulda",
    "Marburg": "Marburg-Biedenkopf",
    "Offenbach am Main": "Offenbach am Main",
    "Hanau": "Hanau",
    "Wetzlar": "Lahn-Dill-Kreis",
    "Limburg an der Lahn": "Limburg-Weilburg",
    "Bad Hersfeld": "Hersfeld-Rotenburg",
    "Rüsselsheim am Main": "Groß-Gerau",
    "Bensheim": "Bergstraße",
    "Friedberg (Hessen)": "Wetteraukreis",
    "Korbach": "Waldeck-Frankenberg",
}
# Where each unit usually meets: its office (beramí in Frankfurt, LAGFA in Offenbach) and nearby.
HOME_PLACES = {"mo": "Frankfurt am Main", "lots": "Offenbach am Main"}
VENUES = ["Bürgerhaus", "Stadtteilzentrum", "Rathaus, Sitzungssaal", "Volkshochschule", "Haus der Vereine"]
CANCELLED_SHARE = 0.08

# (kind, title) per unit; "{place}" and "{year}" are filled in.
TITLES = {
    "mo": [
        (T, "Schulung: Gemeinnützigkeit und Vereinsbesteuerung"),
        (T, "Schulung: Buchführung und Kassenprüfung im Verein"),
        (T, "Workshop: Fördermittel erfolgreich beantragen"),
        (T, "Seminar: Projektabrechnung und Verwendungsnachweis"),
        (T, "Workshop: Öffentlichkeitsarbeit und Social Media für Vereine"),
        (T, "Schulung: Datenschutz im Verein (DSGVO)"),
        (T, "Workshop: Vorstandsarbeit, Haftung und Versicherungen"),
        (T, "Seminar: Ehrenamtliche gewinnen und halten"),
        (T, "Workshop: Von der Idee zum eingetragenen Verein – Satzung und Gründung"),
        (T, "Schulung: Spenden, Sponsoring und Zuwendungsbestätigungen"),
        (T, "Workshop: Projektmanagement für Migrantenorganisationen"),
        (T, "Seminar: Interkulturelle Öffnung von Vereinen und Verbänden"),
        (N, "Vernetzungstreffen Migrantenorganisationen Nordhessen"),
        (N, "Vernetzungstreffen Migrantenorganisationen Mittelhessen"),
        (N, "Vernetzungstreffen Migrantenorganisationen Südhessen"),
        (N, "Netzwerktreffen migrantischer Frauenvereine"),
        (N, "Austausch mit Integrationsbüros und Kommunen in {place}"),
        (N, "Stammtisch Vereinsvorstände {place}"),
        (C, "Fachtag Migrantenorganisationen als Akteure der Zivilgesellschaft {year}"),
    ],
    "lots": [
        (T, "Basisqualifizierung für neue Lots*innen – Modul 1: Kennenlernen und Motivation"),
        (T, "Basisqualifizierung für neue Lots*innen – Modul 2: Migration und Integration"),
        (T, "Basisqualifizierung für neue Lots*innen – Modul 3: Rolle und Aufgaben"),
        (T, "Basisqualifizierung für neue Lots*innen – Modul 4: Werte und Haltungen"),
        (T, "Basisqualifizierung für neue Lots*innen – Modul 5: Rahmenbedingungen"),
        (T, "Basisqualifizierung für neue Lots*innen – Modul 6: Datenschutz und Schweigepflicht"),
        (T, "Basisqualifizierung für neue Lots*innen – Modul 7: Interkulturelle Kommunikation"),
        (T, "Basisqualifizierung für neue Lots*innen – Modul 8: Lokale Netzwerke"),
        (T, "Fortbildung: Begleitung zu Ämtern und Behörden"),
        (T, "Fortbildung: Grenzen setzen und Selbstfürsorge im Ehrenamt"),
        (T, "Reflexionsworkshop für Koordinator*innen"),
        (T, "Fortbildung: Anerkennungskultur und Aufwandsentschädigung"),
        (N, "Landesweites Koordinator*innentreffen WIR-Lots*innen"),
        (N, "Regionaltreffen Lots*innenprojekte Nordhessen"),
        (N, "Regionaltreffen Lots*innenprojekte Mittelhessen"),
        (N, "Regionaltreffen Lots*innenprojekte Südhessen"),
        (N, "Austausch Lots*innen und Regeldienste in {place}"),
        (C, "Fachtag WIR-Lots*innen {year}"),
    ],
    "joint": [
        (C, "Fachtag Vielfalt {year}"),
        (N, "Jahresauftakt des Kompetenzzentrums Vielfalt {year}"),
        (T, "Online-Fachgespräch: Antidiskriminierung in der Vereinsarbeit"),
        (T, "Workshop: Rassismuskritische Öffnung von Projekten"),
        (N, "Vernetzungstreffen Migrantenorganisationen und Lots*innenprojekte {place}"),
        (C, "Fachtag Teilhabe im ländlichen Raum {year}"),
    ],
}
FORMATS = {
    T: ([Event.Format.IN_PERSON, Event.Format.ONLINE, Event.Format.HYBRID], [5, 4, 1]),
    N: ([Event.Format.IN_PERSON, Event.Format.ONLINE, Event.Format.HYBRID], [6, 2, 2]),
    C: ([Event.Format.IN_PERSON, Event.Format.HYBRID], [7, 3]),
}


def _title(rng, kind_title, year):
    """(kind, title, town): the town the title names, or None."""
    kind, title = kind_title
    town = rng.choice(list(PLACES)) if "{place}" in title else None
    return kind, title.format(place=town, year=year), town


def _status(rng, day, today):
    """Future events are planned; past ones held, a few cancelled, a few of the last days not yet updated."""
    if day > today:
        return Event.Status.PLANNED
    if (today - day).days <= 10 and rng.random() < 0.3:
        return Event.Status.PLANNED  # shown as "Status aktualisieren"
    return Event.Status.CANCELLED if rng.random() < CANCELLED_SHARE else Event.Status.HELD


def _place(rng, fmt, code, town, regions, day):
    """(place, Kreis) of an event: none online; else the town the title names, the unit's office town or another."""
    if fmt == Event.Format.ONLINE:
        return "", None
    if town is None:
        town = HOME_PLACES.get(code) if rng.random() < 0.5 else None
        town = town or rng.choice(list(PLACES))
    region = regions.get(PLACES[town])
    return f"{town}, {rng.choice(VENUES)}", region.on(day) if region else None


def _figures(rng, kind, title):
    """(teaching units, participants) as such an event would have them."""
    if kind == T:
        teaching_units = 4 if "Modul" in title else rng.choice((2, 3, 4, 4, 6, 8))
        return teaching_units, rng.randint(8, 24)
    if kind == N:
        return 0, rng.randint(10, 40)
    return rng.choice((4, 6, 6, 8)), rng.randint(60, 180)


def _plan(rng, today):
    """(unit code or "joint", date) for every event of last year and this year."""
    plan = []
    for year in (today.year - 1, today.year):
        days = (datetime.date(year, 12, 31) - datetime.date(year, 1, 1)).days
        for code in UNIT_CODES:
            for _ in range(EVENTS_PER_UNIT_AND_YEAR - JOINT_PER_YEAR // 2):
                plan.append((code, datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randint(0, days))))
        for _ in range(JOINT_PER_YEAR):
            plan.append(("joint", datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randint(0, days))))
    # Events take place on working days.
    return sorted((code, day - datetime.timedelta(days=max(0, day.weekday() - 4))) for code, day in plan)


def seed(*, rng, today, log):
    """Create demo records; `rng` is a seeded random.Random, `today` a date, `log` prints a German line."""
    units = units_by_code()
    if set(units) != set(UNIT_CODES):
        return
    organisations = defaultdict(list)
    for organisation_id, unit_id in Organisation.units.through.objects.values_list("organisation_id", "unit_id"):
        organisations[unit_id].append(organisation_id)
    topics = defaultdict(list)
    for topic in Topic.objects.active():
        topics[topic.unit_id].append(topic.pk)
    staff = {
        code: list(role_group(unit, COORDINATOR).user_set.all()) + list(role_group(unit, ADVISOR).user_set.all())
        for code, unit in units.items()
    }
    if not all(staff.values()):
        return

    # Regions valid today by name, with their predecessors loaded for Region.on().
    regions = {r.name: r for r in Region.objects.valid_on(today).select_related("predecessor")}

    now = timezone.now()
    events, topic_lists, organisation_lists = [], [], []
    for code, day in _plan(rng, today):
        lead = units[code] if code != "joint" else units[rng.choice(UNIT_CODES)]
        kind, title, town = _title(rng, rng.choice(TITLES[code]), day.year)
        teaching_units, participants = _figures(rng, kind, title)
        fmt = rng.choices(*FORMATS[kind])[0]
        status = _status(rng, day, today)
        place, region = _place(rng, fmt, code if code != "joint" else lead.code, town, regions, day)
        candidates = organisations[lead.pk] + (organisations[units["lots"].pk] if code == "joint" else [])
        candidates = sorted(set(candidates))
        attended = []
        if status == Event.Status.HELD and candidates:
            attended = rng.sample(candidates, min(len(candidates), rng.randint(3, 15)))
            participants = max(participants, len(attended))
        else:
            participants = 0  # planned or cancelled: nobody has attended (yet)
        # A joint event draws on both units' catalogues.
        own_topics = topics[units["mo"].pk] + topics[units["lots"].pk] if code == "joint" else topics[lead.pk]
        chosen = rng.sample(own_topics, min(len(own_topics), rng.randint(1, 2))) + rng.sample(
            topics[None], min(len(topics[None]), rng.randint(0, 1))
        )
        author = rng.choice(staff[lead.code])
        created = min(
            timezone.make_aware(
                datetime.datetime.combine(day - datetime.timedelta(days=rng.randint(20, 60)), datetime.time(10))
            ),
            now,
        )
        event = Event(
            unit=lead,
            is_joint=code == "joint",
            title=title,
            kind=kind,
            date=day,
            format=fmt,
            status=status,
            place=place,
            region=region,
            teaching_units=teaching_units,
            participants=participants,
            created_by=author,
            created_at=created,
            updated_at=created,
        )
        event._history_user = author
        event._history_date = created
        events.append(event)
        topic_lists.append(chosen)
        organisation_lists.append(attended)

    writer = DemoContext(units=units, staff={}, seed=0, log=log, today=today)
    with explicit_timestamps(Event):
        joint = sum(1 for e in events if e.is_joint)
        history = writer.insert(Event, events, f"Lege {len(events)} Veranstaltungen an (davon {joint} gemeinsam) …")
    writer.insert_m2m(
        Event.topics.field,
        [(e.pk, t) for e, chosen in zip(events, topic_lists, strict=True) for t in chosen],
        history,
        "casework.HistoricalEvent_topics",
    )
    writer.insert_m2m(
        Event.organisations.field,
        [(e.pk, o) for e, attended in zip(events, organisation_lists, strict=True) for o in attended],
        history,
        "casework.HistoricalEvent_organisations",
    )
