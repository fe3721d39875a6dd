"""Targets agreed with the funder, the archive of generated reports, and the workers that generate them."""

import datetime
import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# The calendar years targets and reports can concern (a wider year is a typo).
FIRST_YEAR, LAST_YEAR = 2000, 2100


class Target(models.Model):
    """A figure a unit agreed with the funder for a calendar year."""

    class Metric(models.TextChoices):
        CONSULTATIONS = "consultations", _("Beratungen")
        HOURS = "hours", _("Beratungsstunden")
        ORGANISATIONS = "organisations", _("erreichte Organisationen")
        NEW_ORGANISATIONS = "new_organisations", _("neu erreichte Organisationen")
        CASES_CLOSED = "cases_closed", _("abgeschlossene Beratungsprozesse")
        EVENTS = "events", _("Veranstaltungen")
        TEACHING_UNITS = "teaching_units", _("Unterrichtseinheiten")
        EVENT_PARTICIPANTS = "event_participants", _("Teilnehmende an Veranstaltungen")

    unit = models.ForeignKey("casework.Unit", verbose_name=_("Fachstelle"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(
        _("Jahr"), validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]
    )
    metric = models.CharField(_("Kennzahl"), max_length=30, choices=Metric.choices)
    value = models.PositiveIntegerField(_("Ziel"), validators=[MaxValueValidator(1_000_000)])
    # Optimistic locking: the targets page carries the versions it loaded (reports/targets.py).
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Ziel")
        verbose_name_plural = _("Ziele")
        ordering = ["unit_id", "year", "metric"]
        constraints = [models.UniqueConstraint(fields=["unit", "year", "metric"], name="target_unique_per_year")]

    def __str__(self):
        return f"{self.unit} {self.year}: {self.get_metric_display()} {self.value}"


class Report(models.Model):
    """An archived funder report: its parameters, who asked for it, the frozen figures and files.

    The figures and files never change once the report is done; a report is generated in the
    background (reports.tasks) and can be downloaded again, identical, however the records change.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("wartet")
        RUNNING = "running", _("wird erzeugt")
        DONE = "done", _("fertig")
        FAILED = "failed", _("fehlgeschlagen")

    class PeriodKind(models.TextChoices):
        YEAR = "year", _("Kalenderjahr")
        HALF = "half", _("Halbjahr")
        QUARTER = "quarter", _("Quartal")
        CUSTOM = "custom", _("eigener Zeitraum")

    class Variant(models.TextChoices):
        # The funder reads exact figures; small counts are protected only in a version for publication.
        FUNDER = "funder", _("für den Fördergeber (genaue Zahlen)")
        PUBLICATION = "publication", _("zur Veröffentlichung (kleine Werte geschützt)")

    units = models.ManyToManyField("casework.Unit", verbose_name=_("Fachstellen"), related_name="+")
    scope = models.CharField(_("Bereich"), max_length=10)
    period_kind = models.CharField(_("Zeitraum"), max_length=10, choices=PeriodKind.choices)
    first_day = models.DateField(_("von"))
    last_day = models.DateField(_("bis"))
    variant = models.CharField(_("Fassung"), max_length=12, choices=Variant.choices, default=Variant.FUNDER)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("angefordert von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_by_name = models.CharField(_("angefordert von"), max_length=150)
    requested_at = models.DateTimeField(_("angefordert am"), auto_now_add=True)
    status = models.CharField(_("Status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("Versuche"), default=0)
    started_at = models.DateTimeField(_("begonnen am"), null=True, blank=True)
    finished_at = models.DateTimeField(_("fertig am"), null=True, blank=True)
    error = models.CharField(_("Fehler"), max_length=300, blank=True)
    # The django-tasks worker id of the last attempt: its heartbeat tells whether that worker still lives.
    worker_id = models.CharField(_("Worker"), max_length=64, blank=True, editable=False)
    figures = models.JSONField(_("Zahlen"), null=True, blank=True)

    class Meta:
        verbose_name = _("Bericht")
        verbose_name_plural = _("Berichte")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["status", "started_at"], name="report_status_idx")]

    def __str__(self):
        return f"{self.scope} {self.first_day:%d.%m.%Y}–{self.last_day:%d.%m.%Y}"

    @property
    def is_pending(self):
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class ReportFile(models.Model):
    """One rendering of an archived report; written once, never changed."""

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    CONTENT_TYPES = {
        "pdf": "application/pdf",
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="files")
    format = models.CharField(_("Format"), max_length=5, choices=Format.choices)
    content = models.BinaryField(_("Inhalt"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("Größe (Bytes)"))

    class Meta:
        verbose_name = _("Berichtsdatei")
        verbose_name_plural = _("Berichtsdateien")
        ordering = ["report_id", "format"]
        constraints = [models.UniqueConstraint(fields=["report", "format"], name="report_file_unique_format")]

    def __str__(self):
        return f"{self.report} ({self.format})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("Archivierte Berichtsdateien können nicht geändert werden."))
        content = bytes(self.content)
        self.sha256 = hashlib.sha256(content).hexdigest()
        self.size = len(content)
        super().save(*args, **kwargs)

    @property
    def content_type(self):
        return self.CONTENT_TYPES[self.format]


class WorkerHeartbeatQuerySet(models.QuerySet):
    def alive(self, now: datetime.datetime):
        return self.filter(last_seen__gte=now - WorkerHeartbeat.DEAD_AFTER)


class WorkerHeartbeat(models.Model):
    """A running task worker (`manage.py worker`) says every INTERVAL that it is alive.

    One row per worker process; a row that stops being renewed belongs to a worker that died,
    and the reports it was generating are queued again by a living worker (reports/worker.py).
    """

    INTERVAL = datetime.timedelta(seconds=10)
    # Six missed beats: a busy database or a slow disk may delay one beat, not six.
    DEAD_AFTER = datetime.timedelta(seconds=60)
    # Rows of workers stopped long ago only make the table grow; their reports fall back to Report age.
    FORGET_AFTER = datetime.timedelta(days=7)

    worker_id = models.CharField(_("Worker"), max_length=64, unique=True)
    host = models.CharField(_("Rechner"), max_length=255)
    pid = models.PositiveIntegerField(_("Prozess"))
    started_at = models.DateTimeField(_("gestartet am"))
    last_seen = models.DateTimeField(_("zuletzt gesehen"), db_index=True)

    objects = WorkerHeartbeatQuerySet.as_manager()

    class Meta:
        verbose_name = _("Worker-Herzschlag")
        verbose_name_plural = _("Worker-Herzschläge")
        ordering = ["-last_seen"]

    def __str__(self):
        return f"{self.host}:{self.pid} ({self.worker_id})"


# --- Sachbericht: narrative texts and title page (reports/narrative.py) --------------------------------

DEFAULT_FUNDING_NOTICE = (
    "Gefördert durch das Hessische Ministerium für Arbeit, Integration, Jugend und Soziales "
    "im Rahmen des Landesprogramms WIR – Vielfalt und Teilhabe"
)


class NarrativeDraft(models.Model):
    """The texts of a Sachbericht a coordinator writes for one scope (mo / lots / all) and period.

    `texts` maps the keys of reports.narrative.OUTLINE to plain text. Saved while writing; a report
    requested later copies them (ReportNarrative), so editing the draft never changes an archived report.
    """

    scope = models.CharField(_("Bereich"), max_length=10)
    period_kind = models.CharField(_("Zeitraum"), max_length=10, choices=Report.PeriodKind.choices)
    first_day = models.DateField(_("von"))
    last_day = models.DateField(_("bis"))
    texts = models.JSONField(_("Texte"), default=dict, blank=True)
    # Optimistic locking (casework/concurrency.py): autosave and the save button carry the loaded version.
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("zuletzt geändert von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("zuletzt geändert am"), auto_now=True)

    class Meta:
        verbose_name = _("Berichtstext")
        verbose_name_plural = _("Berichtstexte")
        ordering = ["scope", "-first_day"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "period_kind", "first_day", "last_day"], name="narrative_draft_unique_period"
            )
        ]

    def __str__(self):
        return f"{self.scope} {self.first_day:%d.%m.%Y}–{self.last_day:%d.%m.%Y}"


class ReportNarrative(models.Model):
    """The texts and title page of a report as they were when it was requested (never changed)."""

    report = models.OneToOneField(Report, on_delete=models.CASCADE, related_name="narrative_snapshot")
    sections = models.JSONField(_("Texte"), default=list)
    title_page = models.JSONField(_("Titelseite"), default=dict)

    class Meta:
        verbose_name = _("Berichtstext (archiviert)")
        verbose_name_plural = _("Berichtstexte (archiviert)")

    def __str__(self):
        return str(self.report)


class TitlePageSettings(models.Model):
    """The one row of title page settings an administrator keeps (the funding notice)."""

    funding_notice = models.TextField(_("Förderhinweis"), max_length=1000, default=DEFAULT_FUNDING_NOTICE)
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)

    class Meta:
        verbose_name = _("Titelseite der Berichte")
        verbose_name_plural = _("Titelseite der Berichte")

    def __str__(self):
        return str(self._meta.verbose_name)


class FundingReference(models.Model):
    """The Aktenzeichen of a unit's Zuwendungsbescheid, printed on the title page."""

    unit = models.OneToOneField(
        "casework.Unit", verbose_name=_("Fachstelle"), on_delete=models.CASCADE, related_name="+"
    )
    reference = models.CharField(_("Aktenzeichen des Zuwendungsbescheids"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("Aktenzeichen")
        verbose_name_plural = _("Aktenzeichen")

    def __str__(self):
        return f"{self.unit}: {self.reference}"


class ReportLogo(models.Model):
    """A logo for the title page: PNG or JPEG bytes kept in the database (with the project's backups).

    The image is never changed once uploaded (a new logo is a new row); reports refer to it by id and
    checksum and embed it as a data: URL, so the PDF fetches nothing.
    """

    name = models.CharField(_("Bezeichnung"), max_length=100)
    content = models.BinaryField(_("Bild"))
    content_type = models.CharField(_("Bildformat"), max_length=20)
    width = models.PositiveIntegerField(_("Breite (Pixel)"))
    height = models.PositiveIntegerField(_("Höhe (Pixel)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    uploaded_at = models.DateTimeField(_("hochgeladen am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Logo")
        verbose_name_plural = _("Logos")
        ordering = ["position", "id"]

    def __str__(self):
        return self.name
