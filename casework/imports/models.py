"""Models of the import feature (imported by casework/models.py)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportRun(models.Model):
    """One import of a file into one unit: who, when, which file, what it did (and whether it was undone)."""

    class Kind(models.TextChoices):
        ORGANISATIONS = "organisations", _("Organisationen")
        CONSULTATIONS = "consultations", _("Beratungen")
        EVENTS = "events", _("Veranstaltungen")

    class Status(models.TextChoices):
        DONE = "done", _("importiert")
        UNDONE = "undone", _("rückgängig gemacht")

    unit = models.ForeignKey(
        "casework.Unit", verbose_name=_("Fachstelle"), on_delete=models.PROTECT, related_name="import_runs"
    )
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices)
    filename = models.CharField(_("Datei"), max_length=255)
    sha256 = models.CharField(_("Prüfsumme (SHA-256)"), max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by_name = models.CharField(_("importiert von"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("importiert am"), auto_now_add=True)
    status = models.CharField(_("Status"), max_length=10, choices=Status.choices, default=Status.DONE)
    # {"new": n, "update": n, "unchanged": n}
    counts = models.JSONField(_("Anzahl"), default=dict)
    undone_at = models.DateTimeField(_("rückgängig gemacht am"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    undone_by_name = models.CharField(_("rückgängig gemacht von"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("Import")
        verbose_name_plural = _("Importe")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["unit", "-created_at"], name="import_run_unit_idx")]

    def __str__(self):
        return f"{self.filename} ({self.get_kind_display()})"

    @property
    def change_reason(self) -> str:
        """The reason written into the history of every record the import created or changed."""
        return _("Import „%(file)s“ (#%(pk)s)") % {"file": self.filename, "pk": self.pk}


class ImportedRecord(models.Model):
    """A record an import created or changed, with what undo needs: its version then and its values before."""

    class Action(models.TextChoices):
        CREATED = "created", _("angelegt")
        UPDATED = "updated", _("geändert")

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="records")
    # "organisations.organisation", "organisations.contactperson", "casework.consultation", "casework.event"
    model = models.CharField(max_length=100)
    object_id = models.PositiveBigIntegerField()
    action = models.CharField(max_length=10, choices=Action.choices)
    row_number = models.PositiveIntegerField(null=True, blank=True)
    # The record's version as the import left it: undo refuses when it differs.
    version = models.PositiveIntegerField()
    # Updated records: field values (and many-to-many ids) before the import, to restore them.
    previous = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = _("importierter Datensatz")
        verbose_name_plural = _("importierte Datensätze")
        ordering = ["run", "id"]

    def __str__(self):
        return f"{self.model} #{self.object_id} ({self.get_action_display()})"


# Saved column mappings (import UI)


class ImportUpload(models.Model):
    """A file between the steps of the import screens; only the person who uploaded it sees it.

    The bytes are kept until the import is done (then dropped) and the row at most UPLOADS_KEPT.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("in Vorbereitung")
        PLANNING = "planning", _("wird geprüft")
        QUEUED = "queued", _("wartet")
        RUNNING = "running", _("läuft")
        DONE = "done", _("abgeschlossen")
        FAILED = "failed", _("fehlgeschlagen")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("casework.Unit", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("Art"), max_length=20)
    filename = models.CharField(_("Datei"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    data = models.BinaryField()
    row_count = models.PositiveIntegerField(default=0)
    mapping = models.JSONField(default=dict)  # column index (as text) → field key
    value_map = models.JSONField(default=dict)  # field key → {raw value: catalogue pk}
    saved_mapping = models.ForeignKey("ImportMapping", null=True, blank=True, on_delete=models.SET_NULL)
    plan = models.JSONField(null=True, blank=True)  # the last dry run: counts and rows, cleared by any change
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    run = models.ForeignKey("ImportRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hochgeladene Importdatei")
        verbose_name_plural = _("hochgeladene Importdateien")
        indexes = [models.Index(fields=["created_at"], name="importupload_created")]

    def __str__(self):
        return self.filename


class ImportMapping(models.Model):
    """A column mapping (and the catalogue values chosen with it) saved under a name for a unit and kind."""

    unit = models.ForeignKey("casework.Unit", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("Art"), max_length=20)
    name = models.CharField(_("Name"), max_length=100)
    columns = models.JSONField(default=dict)  # header of the file → field key
    value_map = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("gespeicherte Spaltenzuordnung")
        verbose_name_plural = _("gespeicherte Spaltenzuordnungen")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["unit", "kind", "name"], name="importmapping_unique_name")]

    def __str__(self):
        return self.name
