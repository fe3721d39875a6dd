"""Fill a development database with demo logins and realistic, reproducible demo data."""

import random
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from casework.accounts.demo import ensure_people
from casework.accounts.two_factor import demo as two_factor_demo
from casework.cases import demo as cases
from casework.consultations.demo import ConsultationDemo
from casework.events import demo as events
from casework.follow_ups import demo as follow_ups
from casework.guides import demo as guides
from casework.management.seeding import UNIT_CODES, DemoContext, units_by_code
from casework.models import Consultation
from casework.quality import demo as quality
from casework.search import documents as search_documents
from casework.search.index import compact_text_index
from organisations.demo import OrganisationDemo
from organisations.models import Organisation
from reports import demo as reports

# Features that add to the organisations and consultations, in this order; each gets the same seed.
FEATURES = (cases, quality, guides, follow_ups, events, reports)


def seed_organisations_and_consultations(ctx, n_organisations, n_consultations) -> dict:
    """The records every feature's demo builds on; returns what was created."""
    organisation_demo, consultation_demo = OrganisationDemo(ctx), ConsultationDemo(ctx)
    # Consultations are planned before organisations are written: an organisation is "created"
    # shortly before its first consultation.
    planned_organisations, unit_codes = organisation_demo.plan(n_organisations)
    consultations, topics, advisors = consultation_demo.plan(n_consultations, planned_organisations, unit_codes)
    organisations, contacts = organisation_demo.write(planned_organisations, unit_codes, consultations)
    shared = consultation_demo.write(consultations, topics, advisors)
    return {
        "organisations": len(organisations),
        "contacts": contacts,
        "consultations": len(consultations),
        "shared": shared,
    }


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
            units = units_by_code()
            missing = [code for code in UNIT_CODES if code not in units]
            if missing:
                raise CommandError(
                    f"Fachstelle(n) {', '.join(missing)} fehlen. Bitte zuerst „manage.py migrate“ ausführen."
                )
            self.stdout.write("Lege Rollen und Demo-Personen an …")
            logins, staff = ensure_people(units)

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
                result = self._seed(units, staff, seed, organisations, consultations)
                self.stdout.write(
                    self.style.SUCCESS(
                        f"Angelegt: {_de(result['organisations'])} Organisationen, "
                        f"{_de(result['contacts'])} Ansprechpersonen, {_de(result['consultations'])} Beratungen "
                        f"(davon {_de(result['shared'])} gemeinsam)."
                    )
                )
        self.stdout.write(f"Fertig nach {_de(time.monotonic() - started, 1)} s.")
        self._print_logins(logins)

    def _seed(self, units, staff, seed, n_organisations, n_consultations):
        ctx = DemoContext(units=units, staff=staff, seed=seed, log=self.stdout.write)
        result = seed_organisations_and_consultations(ctx, n_organisations, n_consultations)
        for feature in FEATURES:
            feature.seed(rng=random.Random(seed), today=ctx.today, log=self.stdout.write)
        # Written in bulk, past the signals that keep the search documents (casework/search/documents.py).
        self.stdout.write("Baue die Suchtexte …")
        search_documents.refresh_all()
        compact_text_index()  # as the nightly apply_retention leaves it: rewriting every document fragments the index
        return result

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
        for line in two_factor_demo.enrolment_note():
            self.stdout.write(line)
