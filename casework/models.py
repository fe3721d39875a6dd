from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase
from simple_history.models import HistoricalRecords

MAX_DURATION_MINUTES = 12 * 60
MAX_PARTICIPANTS = 500


class Unit(models.Model):
    """A Fachstelle. Access to its records is granted on this object (django-guardian)."""

    class Colour(models.TextChoices):
        ORANGE = "orange", _("orange")
        GREEN = "green", _("grün")
        BLUE = "blue", _("blau")

    code = models.SlugField(_("Kürzel"), max_length=20, unique=True)
    name = models.CharField(_("Name"), max_length=100)
    short_name = models.CharField(_("Kurzname"), max_length=40)
    colour = models.CharField(_("Farbe"), max_length=10, choices=Colour.choices)
    host = models.CharField(_("Träger"), max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Fachstelle")
        verbose_name_plural = _("Fachstellen")
        ordering = ["id"]
        permissions = [
            ("view_unit_records", _("Datensätze der Fachstelle sehen")),
            ("change_unit_records", _("Datensätze der Fachstelle anlegen und bearbeiten")),
            ("delete_unit_records", _("Datensätze der Fachstelle löschen")),
            ("view_unit_history", _("Änderungshistorie der Fachstelle sehen")),
        ]

    def __str__(self):
        return self.short_name


class TopicQuerySet(models.QuerySet):
    def active(self):
        return self.filter(retired_at__isnull=True)

    def for_unit(self, unit):
        """The unit's own topics plus the joint ones."""
        return self.filter(Q(unit=unit) | Q(unit__isnull=True))


class Topic(models.Model):
    """A consultation topic of one unit's catalogue, or a joint topic (no unit)."""

    unit = models.ForeignKey(
        Unit,
        verbose_name=_("Fachstelle"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("Leer lassen für gemeinsame Themen beider Fachstellen."),
        related_name="topics",
    )
    name = models.CharField(_("Name"), max_length=120)
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    retired_at = models.DateField(
        _("ausgemustert am"),
        null=True,
        blank=True,
        help_text=_("Ausgemusterte Themen bleiben an alten Beratungen erhalten, sind aber nicht mehr wählbar."),
    )

    objects = TopicQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Thema")
        verbose_name_plural = _("Themen")
        ordering = ["unit_id", "position", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="topic_unique_per_unit")]

    def __str__(self):
        return self.name

    @property
    def colour_class(self):
        return f"unit-{self.unit.code}" if self.unit_id else "unit-joint"


class Consultation(models.Model):
    """A Beratung: the core record of a unit's work with an organisation."""

    class Format(models.TextChoices):
        ON_SITE = "on_site", _("vor Ort bei der Organisation")
        OFFICE = "office", _("in der Fachstelle")
        PHONE = "phone", _("telefonisch")
        VIDEO = "video", _("Video")
        WRITTEN = "written", _("schriftlich / E-Mail")

    class Initiator(models.TextChoices):
        ORGANISATION = "organisation", _("die Organisation")
        UNIT = "unit", _("die Fachstelle")
        THIRD_PARTY = "third_party", _("Dritte (Vermittlung)")

    unit = models.ForeignKey(Unit, verbose_name=_("Fachstelle"), on_delete=models.PROTECT, related_name="consultations")
    shared_with = models.ForeignKey(
        Unit,
        verbose_name=_("gemeinsam mit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="shared_consultations",
        help_text=_("Gemeinsame Beratung: die andere Fachstelle sieht und bearbeitet sie mit."),
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("Organisation"),
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    # The region the organisation had when the consultation took place: regions change over time.
    region = models.ForeignKey(
        "organisations.Region", verbose_name=_("Kreis"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("Datum"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("Dauer (Minuten)"), validators=[MinValueValidator(1), MaxValueValidator(MAX_DURATION_MINUTES)]
    )
    format = models.CharField(_("Format"), max_length=20, choices=Format.choices)
    initiated_by = models.CharField(_("Anstoß durch"), max_length=20, choices=Initiator.choices)
    topics = models.ManyToManyField(Topic, verbose_name=_("Themen"), related_name="consultations")
    participants = models.PositiveSmallIntegerField(
        _("Teilnehmende"), default=1, validators=[MaxValueValidator(MAX_PARTICIPANTS)]
    )
    advisors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("Berater*innen"), related_name="consultations"
    )
    summary = models.TextField(_("Zusammenfassung"), max_length=5000, blank=True)
    agreements = models.TextField(_("Vereinbarungen / nächste Schritte"), max_length=5000, blank=True)
    follow_up_date = models.DateField(_("Wiedervorlage"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[topics, advisors])

    class Meta:
        verbose_name = _("Beratung")
        verbose_name_plural = _("Beratungen")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["-date", "-id"], name="consultation_date_idx"),
            models.Index(fields=["unit", "-date", "-id"], name="consultation_unit_date_idx"),
            models.Index(fields=["organisation", "-date"], name="consultation_org_date_idx"),
            models.Index(fields=["follow_up_date"], name="consultation_follow_up_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gt=0, duration_minutes__lte=MAX_DURATION_MINUTES),
                name="consultation_duration_range",
            ),
            models.CheckConstraint(
                condition=Q(participants__gte=0, participants__lte=MAX_PARTICIPANTS),
                name="consultation_participants_range",
            ),
            models.CheckConstraint(
                condition=Q(shared_with__isnull=True) | ~Q(shared_with=F("unit")),
                name="consultation_shared_with_other_unit",
            ),
            models.CheckConstraint(
                condition=Q(follow_up_date__isnull=True) | Q(follow_up_date__gte=F("date")),
                name="consultation_follow_up_after_date",
            ),
        ]

    def __str__(self):
        return f"{self.organisation} – {self.date:%d.%m.%Y}"

    @property
    def is_joint(self):
        return self.shared_with_id is not None

    @property
    def colour_class(self):
        return "unit-joint" if self.is_joint else f"unit-{self.unit.code}"

    @property
    def duration_hours(self):
        return self.duration_minutes / 60


class ConsultationGroupObjectPermission(GroupObjectPermissionBase):
    """Per-object grants for consultations shared with the other unit.

    A direct foreign key (instead of guardian's generic table) keeps the
    visibility query a plain indexed join.
    """

    content_object = models.ForeignKey(Consultation, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("Freigabe einer Beratung")
        verbose_name_plural = _("Freigaben von Beratungen")
