"""Apply the deletion periods (settings.RETENTION); daily from deploy/systemd/vielfalt-retention.timer.

Lists what falls due by kind, id, rule and due date – never by name or content, since the output lands
in the system journal. Without --dry-run each record is erased in its own transaction; a second run finds
nothing (idempotent).
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from casework.imports.tasks import remove_old_uploads
from casework.privacy import retention
from casework.search.index import compact_text_index


class Command(BaseCommand):
    help = "Löschfristen anwenden: Ansprechpersonen, Freitexte, Historie und Zugriffsprotokoll."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Nur auflisten, was gelöscht würde; nichts ändern.")

    def handle(self, *args, dry_run=False, **options):
        today = timezone.localdate()
        due = retention.all_due(today)
        done = 0
        for item in due:
            what = f"{item.kind_label} #{item.record_id}" if item.record_id else f"{item.count} {item.kind_label}"
            if item.model_label:
                what += f" ({item.model_label})"
            line = f"{what}: {item.rule_label}, fällig am {item.due_on:%d.%m.%Y}"
            if dry_run:
                self.stdout.write(f"würde gelöscht: {line}")
                continue
            count = retention.apply(item, today)
            done += count
            if count:
                self.stdout.write(f"gelöscht: {line}")
        if not dry_run:
            # Import uploads hold whole files of personal data: kept a day after the import, a week at most.
            uploads = remove_old_uploads()
            if uploads:
                self.stdout.write(f"gelöscht: {uploads} Import-Uploads")
            # Daily, erasures or not: merged, the SQLite search index answers two frequent words ~3x faster.
            compact_text_index()
        if dry_run:
            self.stdout.write(f"Probelauf: {len(due)} Einträge fällig, nichts geändert.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Löschfristen angewandt: {done} Datensätze bzw. Einträge gelöscht."))
