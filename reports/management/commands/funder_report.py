"""Generate and archive a funder report from the command line (scheduled runs, scripting).

manage.py funder_report --scope mo|lots|all --year 2025 [--half 1|2 | --quarter 1-4 | --from D --to D]
    --format pdf|csv|xlsx --output FILE
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from casework.models import Unit
from reports import generation, periods
from reports.figures import ALL_SCOPE
from reports.models import Report


def iso_date(text):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"Kein gültiges Datum (JJJJ-MM-TT): {text}") from None


class Command(BaseCommand):
    help = "Erzeugt einen Bericht für den Fördergeber, archiviert ihn und schreibt eine Datei."

    def add_arguments(self, parser):
        parser.add_argument("--scope", required=True, help="mo, lots oder all")
        parser.add_argument("--year", type=int, help="Kalenderjahr")
        period = parser.add_mutually_exclusive_group()
        period.add_argument("--half", type=int, choices=[1, 2])
        period.add_argument("--quarter", type=int, choices=[1, 2, 3, 4])
        period.add_argument("--from", dest="first", type=iso_date, help="Anfang (JJJJ-MM-TT) eines eigenen Zeitraums")
        parser.add_argument("--to", dest="last", type=iso_date, help="Ende (JJJJ-MM-TT) eines eigenen Zeitraums")
        parser.add_argument("--format", required=True, choices=["pdf", "csv", "xlsx"])
        parser.add_argument("--output", required=True, help="Zieldatei")

    def handle(self, *args, scope, year, half, quarter, first, last, format, output, **options):
        units = self._units(scope)
        period = self._period(year, half, quarter, first, last)
        report = generation.generate_now(None, units, period)
        if report.status != Report.Status.DONE:
            raise CommandError(f"Der Bericht {report.pk} konnte nicht erzeugt werden: {report.error}")
        content = bytes(report.files.get(format=format).content)
        with open(output, "wb") as target:
            target.write(content)
        self.stdout.write(f"Bericht {report.pk} ({period.label}, {scope}) archiviert; {format.upper()} in {output}.")

    def _units(self, scope):
        units = list(Unit.objects.order_by("pk"))
        if scope == ALL_SCOPE:
            return units
        chosen = [u for u in units if u.code == scope]
        if not chosen:
            codes = ", ".join([u.code for u in units] + [ALL_SCOPE])
            raise CommandError(f"Unbekannter Bereich „{scope}“; möglich: {codes}.")
        return chosen

    def _period(self, year, half, quarter, first, last):
        try:
            if first or last:
                if not (first and last):
                    raise CommandError("Für einen eigenen Zeitraum bitte --from und --to angeben.")
                return periods.custom(first, last)
            if year is None:
                raise CommandError("Bitte --year angeben (oder --from und --to).")
            if half:
                return periods.half(year, half)
            if quarter:
                return periods.quarter(year, quarter)
            return periods.year(year)
        except ValueError as error:
            raise CommandError(str(error)) from None
