from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase
from simple_history.models import HistoricalRecords

from casework.search.fields import SearchTextField

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
            ("manage_unit_catalogues", _("Kataloge der Fachstelle pflegen")),
            ("view_unit_reports", _("Auswertungen und Berichte der Fachstelle sehen")),
        ]

    def __str__(self):
        return self.short_name


class RoleGroup(models.Model):
    """Binds a group to its role and unit by key: renaming a unit or a group changes no right."""

    class Role(models.TextChoices):
        ADVISOR = "advisor", _("Beratung")
        COORDINATOR = "coordinator", _("Koordination")
        ADMIN = "admin", _("Administration")

    group = models.OneToOneField("auth.Group", on_delete=models.CASCADE, related_name="role")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="role_groups")
    role = models.CharField(_("Rolle"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("Rollengruppe")
        verbose_name_plural = _("Rollengruppen")
        constraints = [
            models.UniqueConstraint(fields=["unit", "role"], name="one_group_per_unit_and_role"),
            models.UniqueConstraint(fields=["role"], condition=Q(unit__isnull=True), name="one_administration_group"),
            models.CheckConstraint(
                condition=Q(role="admin", unit__isnull=True) | (~Q(role="admin") & Q(unit__isnull=False)),
                name="administration_without_unit",
            ),
        ]

    def __str__(self):
        return self.group.name


class TopicQuerySet(models.QuerySet):
    def active(self):
        return self.filter(retired_at__isnull=True)

    def for_units(self, unit_ids):
        """The units' own entries plus the joint ones."""
        return self.filter(Q(unit_id__in=unit_ids) | Q(unit__isnull=True))


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
    case = models.ForeignKey(
        "Case",
        verbose_name=_("Beratungsprozess"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consultations",
    )
    criteria = models.ManyToManyField(
        "QualityCriterion",
        verbose_name=_("bearbeitete Qualitätskriterien"),
        blank=True,
        related_name="consultations",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)
    # Optimistic locking: edit forms carry the version they loaded (casework/concurrency.py).
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)
    # Normalised summary and agreements for the text search (casework/search).
    search_text = SearchTextField(sources=("summary", "agreements"))

    history = HistoricalRecords(m2m_fields=[topics, advisors, criteria], excluded_fields=["search_text"])

    class Meta:
        verbose_name = _("Beratung")
        verbose_name_plural = _("Beratungen")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["-date", "-id"], name="consultation_date_idx"),
            models.Index(fields=["unit", "-date", "-id"], name="consultation_unit_date_idx"),
            models.Index(fields=["organisation", "-date"], name="consultation_org_date_idx"),
            # A case's latest consultation in one step (its last activity: casework/cases/services.py).
            models.Index(fields=["case", "-date"], name="consultation_case_date_idx", condition=Q(case__isnull=False)),
            # Covering indexes for the per-organisation aggregates of the dashboard and the
            # reports: they read the index alone instead of the wide rows (summary texts).
            models.Index(
                fields=["unit", "organisation", "region", "date", "duration_minutes"],
                name="consultation_unit_act_idx",
            ),
            models.Index(
                fields=["shared_with", "organisation", "region", "date", "duration_minutes"],
                name="consultation_shared_act_idx",
                condition=Q(shared_with__isnull=False),
            ),
            # Covering index for the funder report's passes over a period (reports/figures.py).
            models.Index(
                fields=[
                    "date",
                    "unit",
                    "shared_with",
                    "organisation",
                    "region",
                    "format",
                    "duration_minutes",
                    "participants",
                ],
                name="consultation_period_idx",
            ),
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


# --- Catalogues of the casework (per unit, editable, retired entries keep their history) ----------


class CatalogueEntry(models.Model):
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("Fachstelle"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("Leer lassen für Einträge beider Fachstellen."),
        related_name="+",
    )
    name = models.CharField(_("Name"), max_length=150)
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    retired_at = models.DateField(_("ausgemustert am"), null=True, blank=True)

    objects = TopicQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["unit_id", "position", "name"]

    def __str__(self):
        return self.name


class CaseGoal(CatalogueEntry):
    history = HistoricalRecords()

    class Meta(CatalogueEntry.Meta):
        verbose_name = _("Ziel eines Beratungsprozesses")
        verbose_name_plural = _("Ziele von Beratungsprozessen")
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="case_goal_unique_per_unit")]


class CaseOutcome(CatalogueEntry):
    history = HistoricalRecords()

    class Meta(CatalogueEntry.Meta):
        verbose_name = _("Ergebnis eines Beratungsprozesses")
        verbose_name_plural = _("Ergebnisse von Beratungsprozessen")
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="case_outcome_unique_per_unit")]


# --- Beratungsprozesse -----------------------------------------------------------------------------


class Case(models.Model):
    """A Beratungsprozess: a longer accompaniment of one organisation towards a goal."""

    class Status(models.TextChoices):
        OPEN = "open", _("offen")
        DORMANT = "dormant", _("ruhend")
        CLOSED = "closed", _("abgeschlossen")

    unit = models.ForeignKey(Unit, verbose_name=_("Fachstelle"), on_delete=models.PROTECT, related_name="cases")
    organisation = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("Organisation"), on_delete=models.PROTECT, related_name="cases"
    )
    title = models.CharField(_("Titel"), max_length=200)
    goal = models.ForeignKey(CaseGoal, verbose_name=_("Ziel"), on_delete=models.PROTECT, related_name="cases")
    description = models.TextField(_("Ausgangslage und Ziele"), max_length=5000, blank=True)
    status = models.CharField(_("Status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_on = models.DateField(_("begonnen am"))
    closed_on = models.DateField(_("abgeschlossen am"), null=True, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verantwortlich"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="responsible_cases",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)
    search_text = SearchTextField(sources=("title", "description"))

    history = HistoricalRecords(excluded_fields=["search_text"])

    class Meta:
        verbose_name = _("Beratungsprozess")
        verbose_name_plural = _("Beratungsprozesse")
        ordering = ["-opened_on", "-id"]
        indexes = [models.Index(fields=["unit", "status"], name="case_unit_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="closed") & Q(closed_on__isnull=False))
                | (~Q(status="closed") & Q(closed_on__isnull=True)),
                name="case_closed_on_iff_closed",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="case_closed_after_opened",
            ),
        ]

    def __str__(self):
        return self.title


class CaseOutcomeReached(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="outcomes_reached")
    outcome = models.ForeignKey(CaseOutcome, verbose_name=_("Ergebnis"), on_delete=models.PROTECT, related_name="+")
    reached_on = models.DateField(_("erreicht am"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("erreichtes Ergebnis")
        verbose_name_plural = _("erreichte Ergebnisse")
        ordering = ["reached_on", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "outcome"], name="case_outcome_reached_once")]

    def __str__(self):
        return f"{self.outcome} ({self.reached_on:%d.%m.%Y})"


# --- Quality profile of Lots*innen projects ---------------------------------------------------------


class QualityArea(models.Model):
    """An area of the quality standards (e.g. "Basisqualifizierung"), of the unit that works with them."""

    unit = models.ForeignKey(Unit, verbose_name=_("Fachstelle"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("Name"), max_length=150)
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    retired_at = models.DateField(_("ausgemustert am"), null=True, blank=True)
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Qualitätsbereich")
        verbose_name_plural = _("Qualitätsbereiche")
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="quality_area_unique_per_unit")]

    def __str__(self):
        return self.name


class QualityCriterion(models.Model):
    area = models.ForeignKey(QualityArea, verbose_name=_("Bereich"), on_delete=models.PROTECT, related_name="criteria")
    text = models.CharField(_("Kriterium"), max_length=300)
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    retired_at = models.DateField(_("ausgemustert am"), null=True, blank=True)
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Qualitätskriterium")
        verbose_name_plural = _("Qualitätskriterien")
        ordering = ["area__position", "position", "id"]

    def __str__(self):
        return self.text


class Assessment(models.Model):
    """A Standortbestimmung: a Lots*innen project rated against the quality criteria at a date."""

    unit = models.ForeignKey(Unit, verbose_name=_("Fachstelle"), on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("Projekt"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    date = models.DateField(_("Datum"))
    note = models.TextField(_("Anmerkung"), max_length=5000, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("durchgeführt von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Standortbestimmung")
        verbose_name_plural = _("Standortbestimmungen")
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.organisation} – {self.date:%d.%m.%Y}"


class AssessmentRating(models.Model):
    class Rating(models.TextChoices):
        MET = "met", _("erfüllt")
        PARTLY = "partly", _("teilweise")
        NOT_MET = "not_met", _("nicht erfüllt")
        NOT_RELEVANT = "not_relevant", _("nicht relevant")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="ratings")
    criterion = models.ForeignKey(
        QualityCriterion, verbose_name=_("Kriterium"), on_delete=models.PROTECT, related_name="ratings"
    )
    rating = models.CharField(_("Bewertung"), max_length=15, choices=Rating.choices)
    note = models.CharField(_("Notiz"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Bewertung")
        verbose_name_plural = _("Bewertungen")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "criterion"], name="assessment_rates_criterion_once")
        ]

    def __str__(self):
        return f"{self.criterion}: {self.get_rating_display()}"


# --- Wiedervorlagen ---------------------------------------------------------------------------------


class FollowUp(models.Model):
    """A Wiedervorlage on a consultation or a case: what is due when, and who does it."""

    unit = models.ForeignKey(Unit, verbose_name=_("Fachstelle"), on_delete=models.PROTECT, related_name="follow_ups")
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, null=True, blank=True, related_name="follow_ups"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, blank=True, related_name="follow_ups")
    due_on = models.DateField(_("fällig am"))
    what = models.CharField(_("Was ist zu tun?"), max_length=200)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("wer"),
        on_delete=models.PROTECT,
        related_name="follow_ups",
    )
    done_at = models.DateTimeField(_("erledigt am"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Wiedervorlage")
        verbose_name_plural = _("Wiedervorlagen")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["assigned_to", "done_at", "due_on"], name="follow_up_person_due_idx"),
            models.Index(fields=["unit", "done_at", "due_on"], name="follow_up_unit_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(consultation__isnull=False) & Q(case__isnull=True))
                | (Q(consultation__isnull=True) & Q(case__isnull=False)),
                name="follow_up_on_consultation_or_case",
            ),
        ]

    def __str__(self):
        return f"{self.what} ({self.due_on:%d.%m.%Y})"


class CalendarFeedToken(models.Model):
    """A secret, revocable token for a person's follow-up calendar feed; only its hash is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Kalender-Token")
        verbose_name_plural = _("Kalender-Tokens")

    def __str__(self):
        return f"{self.user} ({self.created_at:%d.%m.%Y})"


# --- Events (Qualifizierung und Vernetzung) ---------------------------------------------------------


class Event(models.Model):
    class Kind(models.TextChoices):
        TRAINING = "training", _("Schulung")
        NETWORKING = "networking", _("Vernetzungstreffen")
        CONFERENCE = "conference", _("Fachtag")
        OTHER = "other", _("Sonstige Veranstaltung")

    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("in Präsenz")
        ONLINE = "online", _("online")
        HYBRID = "hybrid", _("hybrid")

    class Status(models.TextChoices):
        PLANNED = "planned", _("geplant")
        HELD = "held", _("durchgeführt")
        CANCELLED = "cancelled", _("abgesagt")

    unit = models.ForeignKey(Unit, verbose_name=_("Fachstelle"), on_delete=models.PROTECT, related_name="events")
    is_joint = models.BooleanField(
        _("gemeinsame Veranstaltung beider Fachstellen"),
        default=False,
        help_text=_("Gemeinsame Veranstaltungen sehen und bearbeiten beide Fachstellen."),
    )
    title = models.CharField(_("Titel"), max_length=200)
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices)
    date = models.DateField(_("Datum"))
    format = models.CharField(_("Format"), max_length=20, choices=Format.choices)
    # Only held events count in the figures (dashboard, funder report); a future event cannot be held.
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.HELD)
    place = models.CharField(
        _("Ort"), max_length=200, blank=True, help_text=_("Bei Präsenz- und Hybridveranstaltungen; leer bei online.")
    )
    # The Kreis of the place on the event's date; online events have none.
    region = models.ForeignKey(
        "organisations.Region",
        verbose_name=_("Kreis"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    teaching_units = models.PositiveSmallIntegerField(
        _("Unterrichtseinheiten"), default=0, validators=[MaxValueValidator(100)]
    )
    topics = models.ManyToManyField(Topic, verbose_name=_("Themen"), blank=True, related_name="events")
    participants = models.PositiveSmallIntegerField(_("Teilnehmende"), default=0, validators=[MaxValueValidator(2000)])
    organisations = models.ManyToManyField(
        "organisations.Organisation", verbose_name=_("teilnehmende Organisationen"), blank=True, related_name="events"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)
    search_text = SearchTextField(sources=("title",))

    history = HistoricalRecords(m2m_fields=[topics, organisations], excluded_fields=["search_text"])

    class Meta:
        verbose_name = _("Veranstaltung")
        verbose_name_plural = _("Veranstaltungen")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["unit", "-date"], name="event_unit_date_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(teaching_units__lte=100), name="event_teaching_units_range"),
            models.CheckConstraint(condition=Q(status__in=["planned", "held", "cancelled"]), name="event_status_valid"),
            models.CheckConstraint(condition=Q(participants__lte=2000), name="event_participants_range"),
        ]

    def __str__(self):
        return self.title

    @property
    def status_overdue(self) -> bool:
        """Planned, but its date has passed: someone has to say whether it was held or cancelled."""
        return self.status == self.Status.PLANNED and self.date < timezone.localdate()


# --- One-time tokens of create forms (casework/concurrency.py) --------------------------------------


class Submission(models.Model):
    """A create form sent with its one-time token, and the record it created.

    The same token again (double click, back button, a second tab) leads to that record instead of a
    second one; the unique token makes a parallel second request fail and find the first.
    """

    token = models.UUIDField(unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("gesendetes Formular")
        verbose_name_plural = _("gesendete Formulare")

    def __str__(self):
        return str(self.token)


# --- E-mail notifications (casework/accounts/notify.py) ---------------------------------------------


class NotificationSettings(models.Model):
    """Which e-mails a person wants; a person without a row gets both (they opt out on their settings page)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    daily_digest = models.BooleanField(
        _("Tägliche Übersicht per E-Mail"),
        default=True,
        help_text=_("Fällige und überfällige Wiedervorlagen und neu mit meiner Fachstelle geteilte Beratungen."),
    )
    report_ready = models.BooleanField(
        _("E-Mail, wenn ein angeforderter Bericht fertig ist"),
        default=True,
    )
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)

    class Meta:
        verbose_name = _("E-Mail-Einstellung")
        verbose_name_plural = _("E-Mail-Einstellungen")

    def __str__(self):
        return str(self.user)


class SentNotification(models.Model):
    """An e-mail that was sent: a person's digest of one day, or the notice that a report is ready.

    The conditional unique constraints make sending idempotent: a second (or parallel) run of
    `send_digests`, or a report finished twice, finds the row and sends nothing.
    """

    class Kind(models.TextChoices):
        DIGEST = "digest", _("Tägliche Übersicht")
        REPORT_READY = "report_ready", _("Bericht fertig")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices)
    day = models.DateField(_("Tag"))
    # Not a foreign key: reports build on casework, not the other way round.
    report_id = models.PositiveBigIntegerField(null=True, blank=True)
    sent_at = models.DateTimeField(_("versandt am"), default=timezone.now)

    class Meta:
        verbose_name = _("versandte E-Mail")
        verbose_name_plural = _("versandte E-Mails")
        indexes = [models.Index(fields=["user", "kind", "sent_at"], name="sent_notification_last_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "day"], condition=Q(kind="digest"), name="one_digest_per_person_and_day"
            ),
            models.UniqueConstraint(
                fields=["report_id"], condition=Q(kind="report_ready"), name="one_report_ready_per_report"
            ),
            models.CheckConstraint(
                condition=Q(kind="digest", report_id__isnull=True) | Q(kind="report_ready", report_id__isnull=False),
                name="sent_notification_report_iff_report_ready",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.user} ({self.day:%d.%m.%Y})"


# Feature packages that keep their models beside their code; imported here so Django finds them.
from casework.audit.models import AccessEvent  # noqa: E402, F401
from casework.dashboard import models as dashboard_models  # noqa: E402, F401
from casework.guides import models as guides_models  # noqa: E402, F401
from casework.imports import models as imports_models  # noqa: E402, F401
from casework.ui import models as ui_models  # noqa: E402, F401
