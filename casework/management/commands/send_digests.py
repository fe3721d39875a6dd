"""Send each person's daily digest by e-mail; run once a day (a systemd timer), safe to run again."""

from django.core.management.base import BaseCommand, CommandError

from casework.accounts import notify


class Command(BaseCommand):
    help = (
        "Versendet die tägliche Übersicht (Wiedervorlagen, neu geteilte Beratungen); je Person höchstens einmal am Tag."
    )

    def handle(self, *args, **options):
        try:
            run = notify.send_digests()
        except notify.SiteUrlMissing:
            raise CommandError(
                "SITE_URL fehlt: ohne die Adresse des Werkzeugs (z. B. https://beratung.example.org) "
                "können die E-Mails nicht verlinken."
            ) from None
        self.stdout.write(notify.digest_summary(run))
        if run.failed:
            # A non-zero exit marks the timer's run as failed in systemd; the next run retries.
            raise CommandError(f"{run.failed} E-Mail(s) konnten nicht versandt werden (siehe Log).")
