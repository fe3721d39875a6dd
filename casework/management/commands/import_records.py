"""Import a Fachstelle's list (XLSX or CSV) from the command line, with the same checks as the screens."""

import hashlib
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from casework.imports import engine, mapping
from casework.imports.kinds import KINDS
from casework.imports.reading import MAX_BYTES, ImportFileError, read_table
from casework.models import Unit


class Command(BaseCommand):
    help = (
        "Importiert eine Liste (XLSX oder CSV) mit Organisationen, Beratungen oder Veranstaltungen in eine "
        "Fachstelle. Mit --dry-run wird nur geprüft und nichts gespeichert."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS), help="organisations, consultations oder events")
        parser.add_argument("file", help="Pfad der XLSX- oder CSV-Datei")
        parser.add_argument("--unit", required=True, help="Kürzel der Fachstelle (mo oder lots)")
        parser.add_argument("--dry-run", action="store_true", help="nur prüfen, nichts speichern")
        parser.add_argument(
            "--user", help="Benutzername der Koordinator*in, in deren Namen importiert wird (sonst: Administrator*in)"
        )

    def handle(self, *args, **options):
        kind = KINDS[options["kind"]]
        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None:
            codes = ", ".join(Unit.objects.values_list("code", flat=True))
            raise CommandError(f"Unbekannte Fachstelle „{options['unit']}“. Möglich: {codes}.")
        user = self._user(options.get("user"))
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Die Datei „{path}“ gibt es nicht.")
        if path.stat().st_size > MAX_BYTES:
            raise CommandError(f"Die Datei ist zu groß. Erlaubt sind höchstens {MAX_BYTES // (1024 * 1024)} MB.")
        data = path.read_bytes()
        try:
            table = read_table(data, path.name)
        except ImportFileError as error:
            raise CommandError(error.message) from None
        columns = mapping.guess_mapping(kind, table.headers)
        ignored = [table.headers[index] for index, key in columns.items() if not key]
        self.stdout.write(
            f"Datei „{path.name}“: {len(table.rows)} Zeilen, {kind.label} für {unit.short_name}, als {user.username}."
        )
        if ignored:
            self.stdout.write("Nicht zugeordnete Spalten (werden ignoriert): " + ", ".join(f"„{h}“" for h in ignored))
        try:
            plan = engine.dry_run(kind=kind, table=table, mapping=columns, value_map={}, unit=unit, user=user)
        except engine.ImportRefused as error:
            raise CommandError(error.message) from None
        for line in engine.report_lines(plan):
            self.stdout.write(line)
        self.stdout.write("Ergebnis: " + engine.summary(plan.counts) + ".")
        if not plan.ok:
            raise CommandError(
                f"{plan.counts['error']} Zeile(n) mit Fehlern – es wurde nichts importiert. "
                "Bitte die Datei korrigieren und erneut einlesen."
            )
        if options["dry_run"]:
            self.stdout.write("Probelauf: es wurde nichts gespeichert.")
            return
        try:
            run = engine.run_import(
                kind=kind,
                table=table,
                mapping=columns,
                value_map={},
                unit=unit,
                user=user,
                filename=path.name,
                sha256=hashlib.sha256(data).hexdigest(),
            )
        except engine.ImportRefused as error:
            raise CommandError(error.message) from None
        self.stdout.write(self.style.SUCCESS(f"Importiert (Import #{run.pk}): {engine.summary(run.counts)}."))

    def _user(self, username):
        User = get_user_model()
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"Unbekannte oder gesperrte Person „{username}“.")
            return user
        user = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if user is None:
            raise CommandError("Bitte mit --user angeben, in wessen Namen importiert wird.")
        return user
