"""Fill a development database with demo logins and realistic, reproducible demo data."""

import random
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from casework import demo, demo_cases, demo_dashboard, demo_events, demo_follow_ups, demo_quality
from casework.models import Consultation
from organisations.models import Organisation
from reports import demo as demo_reports


def _non_negative(value):
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


def _de(number, decimals=0):
    """German number formatting: 100.000 / 12,3."""
    text = f"{number:,.{decimals}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


class Command(BaseCommand):
    help = (
        "Legt Demo-Zugänge (Passwort „demo“) sowie Demo-Organisationen, Ansprechpersonen und Beratungen an. "
        "Nur für Entwicklung (DEBUG=1). Daten werden nur erzeugt, wenn noch keine Organisationen existieren."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--organisations", type=_non_negative, default=80, help="Anzahl Organisationen (Standard: 80)"
        )
        parser.add_argument(
            "--consultations", type=_non_negative, default=600, help="Anzahl Beratungen (Standard: 600)"
        )
        parser.add_argument("--seed", type=int, default=2026, help="Startwert des Zufallsgenerators (Standard: 2026)")

    def handle(self, *args, organisations, consultations, seed, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo legt Zugänge mit dem Passwort „demo“ an und läuft deshalb nur mit DEBUG=1 "
                "(Entwicklungsumgebung). Abgebrochen – es wurde nichts verändert."
            )
        started = time.monotonic()
        with transaction.atomic():
            units = demo.demo_units()
            missing = [code for code in demo.UNIT_CODES if code not in units]
            if missing:
                raise CommandError(
                    f"Fachstelle(n) {', '.join(missing)} fehlen. Bitte zuerst „manage.py migrate“ ausführen."
                )
            self.stdout.write("Lege Rollen und Demo-Personen an …")
            logins, staff = demo.ensure_demo_people(units)

            existing = Organisation.objects.count()
            if existing:
                self.stdout.write(
                    self.style.WARNING(
                        f"Es gibt bereits {_de(existing)} Organisationen und "
                        f"{_de(Consultation.objects.count())} Beratungen – es werden keine weiteren Demodaten "
                        "erzeugt. (Für neue Demodaten eine leere Datenbank verwenden.)"
                    )
                )
            else:
                generator = demo.DemoDataGenerator(units=units, staff=staff, seed=seed, log=self.stdout.write)
                result = generator.run(organisations, consultations)
                for feature in (demo_cases, demo_quality, demo_follow_ups, demo_events, demo_dashboard, demo_reports):
                    feature.seed(rng=random.Random(seed), today=generator.today, log=self.stdout.write)
                self.stdout.write(
                    self.style.SUCCESS(
                        f"Angelegt: {_de(result['organisations'])} Organisationen, "
                        f"{_de(result['contacts'])} Ansprechpersonen, {_de(result['consultations'])} Beratungen "
                        f"(davon {_de(result['shared'])} gemeinsam)."
                    )
                )
        self.stdout.write(f"Fertig nach {_de(time.monotonic() - started, 1)} s.")
        self._print_logins(logins)

    def _print_logins(self, logins):
        rows = [("Benutzername", "Name", "Rolle")] + [
            (user.username, user.get_full_name(), label) for _person, user, label in logins
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING("Demo-Zugänge (Passwort jeweils: demo)"))
        for index, row in enumerate(rows):
            self.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
            if index == 0:
                self.stdout.write("  ".join("-" * width for width in widths))
