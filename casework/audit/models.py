"""The access log (ASVS 5.0 V16): who did what, when, from where. Appended to, never changed.

Entries name people by their user id and a frozen label, and records by kind and id; they never
copy a record's content (the log would otherwise need its own erasure). Only the deletion period
(casework/audit/log.py `purge_older_than`) removes entries; on PostgreSQL a trigger refuses any other
UPDATE or DELETE (migration 0019).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccessEvent(models.Model):
    class Kind(models.TextChoices):
        SIGN_IN = "sign_in", _("Anmeldung")
        SIGN_IN_FAILED = "sign_in_failed", _("Anmeldung fehlgeschlagen")
        SIGN_OUT = "sign_out", _("Abmeldung")
        SECOND_FACTOR = "second_factor", _("Zweiter Faktor")
        DENIED = "denied", _("Zugriff verweigert")
        DOWNLOAD = "download", _("Download")
        EXPORT = "export", _("Export")
        ACCOUNT = "account", _("Konto- oder Rollenänderung")
        ERASURE = "erasure", _("Löschung/Anonymisierung")

    at = models.DateTimeField(_("Zeitpunkt"), default=timezone.now, db_index=True)
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices, db_index=True)
    # The person acting; kept as a label too, so the entry still reads after the account is gone.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    user_label = models.CharField(_("Person"), max_length=150, blank=True)
    address = models.GenericIPAddressField(_("Adresse"), null=True, blank=True)
    # What it concerned: a record kind and id ("consultation", "42"), a URL path, an export name …
    target_kind = models.CharField(_("betrifft (Art)"), max_length=40, blank=True)
    target_id = models.CharField(_("betrifft (Kennung)"), max_length=40, blank=True)
    path = models.CharField(_("Adresse im Werkzeug"), max_length=300, blank=True)
    detail = models.CharField(_("Einzelheiten"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("Eintrag im Zugriffsprotokoll")
        verbose_name_plural = _("Zugriffsprotokoll")
        ordering = ["-at", "-id"]
        default_permissions = ("view",)  # nobody changes or deletes entries by hand
        # The viewer's filters by person and by record, newest first (kind and time have their own).
        indexes = [
            models.Index(fields=["user", "-at"], name="accessevent_user_at"),
            models.Index(fields=["target_kind", "target_id"], name="accessevent_target"),
        ]

    def __str__(self):
        return f"{self.at:%d.%m.%Y %H:%M} {self.get_kind_display()} {self.user_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Access log entries are only ever appended.")
        super().save(*args, **kwargs)
