"""Seed the two Fachstellen and the proposed topic catalogues (editable in the admin)."""

from django.db import migrations

UNITS = [
    {
        "code": "mo",
        "name": "Fachstelle Migrantische Organisationen",
        "short_name": "Fachstelle MO",
        "colour": "orange",
        "host": "beramí berufliche Integration e.V., Frankfurt am Main",
    },
    {
        "code": "lots",
        "name": "Fachstelle WIR-Lots*innen",
        "short_name": "Fachstelle Lots*innen",
        "colour": "green",
        "host": "LAGFA Hessen e.V., Offenbach am Main",
    },
]

TOPICS = {
    "mo": [
        "Vereinsgründung und Satzung",
        "Gemeinnützigkeit und Steuern",
        "Fördermittelakquise",
        "Projektabrechnung und Verwendungsnachweis",
        "Finanzen und Buchführung",
        "Spenden und Sponsoring",
        "Vorstandsarbeit und Vereinsstruktur",
        "Ehrenamts- und Mitgliedermanagement",
        "Projektmanagement",
        "Öffentlichkeitsarbeit und Website",
        "Datenschutz",
        "Vernetzung mit Kommune, Schule, Politik",
        "Interkulturelle Öffnung",
        "Antidiskriminierung",
    ],
    "lots": [
        "Qualitätsstandards der Lots*innen-Arbeit (Kernprofil)",
        "Aufbau eines Lots*innen-Projekts",
        "Weiterentwicklung des Projekts",
        "Koordination und Struktur",
        "Gewinnung von Lots*innen",
        "Basisqualifizierung",
        "Begleitung und Reflexion",
        "Anerkennung und Empowerment der Lots*innen",
        "Rahmenbedingungen (Versicherung, Aufwandsentschädigung)",
        "Vernetzung mit Regeldiensten",
        "Datenschutz und Schweigepflicht",
        "Dokumentation",
    ],
    None: [
        "Landesprogramm WIR und Förderung",
        "Kooperation von Migrantenorganisationen und Lots*innen-Projekten",
        "Engagementförderung und Ehrenamt allgemein",
    ],
}


def seed(apps, schema_editor):
    Unit = apps.get_model("casework", "Unit")
    Topic = apps.get_model("casework", "Topic")
    for data in UNITS:
        Unit.objects.update_or_create(code=data["code"], defaults=data)
    for code, names in TOPICS.items():
        unit = Unit.objects.get(code=code) if code else None
        for position, name in enumerate(names, start=1):
            Topic.objects.get_or_create(unit=unit, name=name, defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("casework", "0002_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
