"""Models of the Lots*innen figures (imported by casework/models.py).

Per Lots*innen project the Fachstelle WIR-Lots*innen keeps, over time, how many Lots*innen are active
(a count as of a date) and which trainings the project held (Basisqualifizierung or further trainings,
with teaching units and participants). Both belong to the unit that recorded them.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

MAX_ACTIVE_GUIDES = 10000
MAX_TEACHING_UNITS = 200
MAX_TRAINING_PARTICIPANTS = 500


class GuideCount(models.Model):
    """How many Lots*innen were active in a project as of a date."""

    unit = models.ForeignKey("casework.Unit", verbose_name=_("Fachstelle"), on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("Projekt"),
        on_delete=models.PROTECT,
        related_name="guide_counts",
    )
    as_of = models.DateField(_("Stand am"))
    active = models.PositiveIntegerField(_("aktive Lots*innen"), validators=[MaxValueValidator(MAX_ACTIVE_GUIDES)])
    note = models.CharField(_("Anmerkung"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)
    # Optimistic locking: edit forms carry the version they loaded (casework/concurrency.py).
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Zahl aktiver Lots*innen")
        verbose_name_plural = _("Zahlen aktiver Lots*innen")
        ordering = ["-as_of", "-id"]
        indexes = [
            # The report's "latest count per project up to a day" reads this index alone.
            models.Index(fields=["unit", "organisation", "as_of", "active"], name="guide_count_latest_idx"),
        ]
        # One count per project and day is the form's rule, not a constraint: merging two duplicate
        # projects (organisations/services.py) may bring two counts of one day together; the later wins.
        constraints = [
            models.CheckConstraint(
                condition=Q(active__gte=0, active__lte=MAX_ACTIVE_GUIDES), name="guide_count_active_range"
            ),
        ]

    def __str__(self):
        return f"{self.organisation} – {self.as_of:%d.%m.%Y}: {self.active}"


class GuideTraining(models.Model):
    """A training a Lots*innen project held for its Lots*innen."""

    class Kind(models.TextChoices):
        BASIC = "basic", _("Basisqualifizierung")
        FURTHER = "further", _("Aufbau-/Fortbildung")

    unit = models.ForeignKey("casework.Unit", verbose_name=_("Fachstelle"), on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("Projekt"),
        on_delete=models.PROTECT,
        related_name="guide_trainings",
    )
    kind = models.CharField(_("Art"), max_length=10, choices=Kind.choices)
    date = models.DateField(_("Datum"), help_text=_("Bei mehrtägigen Schulungen der letzte Tag."))
    title = models.CharField(_("Titel"), max_length=200)
    teaching_units = models.PositiveSmallIntegerField(
        _("Unterrichtseinheiten (UE)"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_TEACHING_UNITS)],
    )
    participants = models.PositiveSmallIntegerField(
        _("Teilnehmende"), validators=[MinValueValidator(1), MaxValueValidator(MAX_TRAINING_PARTICIPANTS)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Schulung von Lots*innen")
        verbose_name_plural = _("Schulungen von Lots*innen")
        ordering = ["-date", "-id"]
        indexes = [
            # The report's sums over a period read this index alone.
            models.Index(
                fields=["unit", "date", "organisation", "kind", "teaching_units", "participants"],
                name="guide_training_period_idx",
            ),
            models.Index(fields=["organisation", "-date"], name="guide_training_org_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(teaching_units__gte=1, teaching_units__lte=MAX_TEACHING_UNITS),
                name="guide_training_units_range",
            ),
            models.CheckConstraint(
                condition=Q(participants__gte=1, participants__lte=MAX_TRAINING_PARTICIPANTS),
                name="guide_training_participants_range",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.date:%d.%m.%Y})"
