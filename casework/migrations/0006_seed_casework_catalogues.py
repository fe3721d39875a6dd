"""Seed goal, outcome and quality catalogues; turn consultation follow-up dates into follow-ups."""

from django.db import migrations

GOALS = {
    "mo": [
        "Eintragung ins Vereinsregister",
        "Gemeinnützigkeit",
        "Erster Förderantrag",
        "Professionelle Finanzverwaltung",
        "Stabile Vorstands- und Vereinsstruktur",
        "Öffentlichkeitsarbeit aufbauen",
    ],
    "lots": [
        "Aufbau eines Lots*innen-Projekts",
        "Basisqualifizierung neuer Lots*innen",
        "Weiterentwicklung nach Qualitätsstandards",
        "Verstetigung und Finanzierung",
    ],
}
OUTCOMES = {
    "mo": [
        "Satzung beschlossen",
        "Eintragung ins Vereinsregister erfolgt",
        "Gemeinnützigkeit anerkannt",
        "Förderantrag gestellt",
        "Förderung bewilligt",
        "Verwendungsnachweis eingereicht",
        "Vorstand neu aufgestellt",
    ],
    "lots": [
        "Projektkonzept erstellt",
        "Koordination eingerichtet",
        "Erste Lots*innen gewonnen",
        "Basisqualifizierung durchgeführt",
        "Qualitätsstandards vereinbart",
        "Finanzierung gesichert",
    ],
}
# Proposal built on the "Kernprofil der WIR-Integrationslots*innen" and the Basisqualifizierung.
QUALITY = [
    ("Koordination und Struktur", [
        "Eine feste Ansprechperson koordiniert das Projekt mit ausreichend Stunden.",
        "Aufgaben und Grenzen der Lots*innen-Tätigkeit sind schriftlich beschrieben.",
        "Anfragen werden nach einem geregelten Verfahren an Lots*innen vermittelt.",
    ]),
    ("Gewinnung", [
        "Es gibt einen Plan zur Gewinnung neuer Lots*innen, auch mit eigener Migrationsgeschichte.",
        "Erstgespräche mit Interessierten finden strukturiert statt.",
    ]),
    ("Basisqualifizierung", [
        "Neue Lots*innen durchlaufen die Basisqualifizierung (8 Module, 20–36 UE).",
        "Die Module Rolle und Aufgaben sowie Werte und Haltungen werden vor dem ersten Einsatz besucht.",
    ]),
    ("Begleitung und Reflexion", [
        "Regelmäßige Austausch- und Reflexionstreffen finden statt.",
        "Lots*innen können sich bei schwierigen Einsätzen kurzfristig beraten lassen.",
    ]),
    ("Anerkennung", [
        "Das Engagement wird sichtbar gewürdigt (z. B. Nachweise, Feiern, Fortbildungen).",
    ]),
    ("Rahmenbedingungen", [
        "Lots*innen sind haftpflicht- und unfallversichert.",
        "Aufwandsentschädigung und Fahrtkosten sind geregelt.",
    ]),
    ("Vernetzung mit Regeldiensten", [
        "Das Projekt ist mit Ausländerbehörde, Jobcenter, Schulen und Beratungsstellen vernetzt.",
    ]),
    ("Datenschutz und Schweigepflicht", [
        "Lots*innen haben eine Schweigepflichterklärung unterschrieben.",
        "Der Umgang mit personenbezogenen Daten der Begleiteten ist geregelt.",
    ]),
    ("Dokumentation", [
        "Einsätze werden datensparsam dokumentiert.",
        "Das Projekt wertet seine Arbeit jährlich aus.",
    ]),
]  # fmt: skip


def seed(apps, schema_editor):
    Unit = apps.get_model("casework", "Unit")
    units = {unit.code: unit for unit in Unit.objects.all()}
    for model_name, catalogue in (("CaseGoal", GOALS), ("CaseOutcome", OUTCOMES)):
        model = apps.get_model("casework", model_name)
        for code, names in catalogue.items():
            for position, name in enumerate(names, start=1):
                model.objects.get_or_create(unit=units[code], name=name, defaults={"position": position})
    QualityArea = apps.get_model("casework", "QualityArea")
    QualityCriterion = apps.get_model("casework", "QualityCriterion")
    for area_position, (area_name, criteria) in enumerate(QUALITY, start=1):
        area, _ = QualityArea.objects.get_or_create(
            unit=units["lots"], name=area_name, defaults={"position": area_position}
        )
        for position, text in enumerate(criteria, start=1):
            QualityCriterion.objects.get_or_create(area=area, text=text, defaults={"position": position})


def follow_up_dates_to_follow_ups(apps, schema_editor):
    Consultation = apps.get_model("casework", "Consultation")
    FollowUp = apps.get_model("casework", "FollowUp")
    pending = Consultation.objects.filter(follow_up_date__isnull=False).prefetch_related("advisors")
    follow_ups = []
    for consultation in pending.iterator(chunk_size=2000):
        advisors = list(consultation.advisors.all())
        assignee_id = advisors[0].pk if advisors else consultation.created_by_id
        if assignee_id is None:
            continue
        follow_ups.append(
            FollowUp(
                unit_id=consultation.unit_id,
                consultation=consultation,
                due_on=consultation.follow_up_date,
                what="Wiedervorlage",
                assigned_to_id=assignee_id,
                created_by_id=consultation.created_by_id,
            )
        )
    FollowUp.objects.bulk_create(follow_ups, batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("casework", "0005_casework_in_depth")]
    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(follow_up_dates_to_follow_ups, migrations.RunPython.noop),
    ]
