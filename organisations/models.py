from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from casework.search.fields import SearchTextField, SortKeyField
from casework.search.ordering import german


class RegionQuerySet(models.QuerySet):
    def valid_on(self, day):
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=day)
        )


class Region(models.Model):
    """A Kreis or kreisfreie Stadt of Hessen (or "außerhalb Hessens").

    Regions change (Hanau left the Main-Kinzig-Kreis in 2026), so each carries
    validity dates and records keep the region they were logged with.
    """

    class Kind(models.TextChoices):
        CITY = "city", _("kreisfreie Stadt")
        DISTRICT = "district", _("Landkreis")
        OUTSIDE = "outside", _("außerhalb Hessens")

    class AdministrativeDistrict(models.TextChoices):
        DARMSTADT = "darmstadt", _("RB Darmstadt")
        GIESSEN = "giessen", _("RB Gießen")
        KASSEL = "kassel", _("RB Kassel")
        NONE = "none", _("ohne Regierungsbezirk")

    key = models.CharField(_("Kreisschlüssel"), max_length=5, blank=True)
    name = models.CharField(_("Name"), max_length=100)
    kind = models.CharField(_("Art"), max_length=10, choices=Kind.choices)
    administrative_district = models.CharField(
        _("Regierungsbezirk"), max_length=10, choices=AdministrativeDistrict.choices
    )
    valid_from = models.DateField(_("gültig ab"), null=True, blank=True)
    valid_until = models.DateField(_("gültig bis"), null=True, blank=True)
    predecessor = models.ForeignKey(
        "self",
        verbose_name=_("vorher Teil von"),
        help_text=_("Zu welcher Region das Gebiet vor „gültig ab“ gehörte (z. B. Hanau: Main-Kinzig-Kreis)."),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = RegionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Region")
        verbose_name_plural = _("Regionen")
        ordering = [german("name")]
        constraints = [
            models.UniqueConstraint(fields=["name", "valid_from"], name="region_name_valid_from_unique"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="region_validity_ordered",
            ),
        ]

    def __str__(self):
        return self.name

    def on(self, day):
        """The region this area belonged to on `day` (before it was formed: its predecessor's)."""
        region = self
        while region.valid_from and day < region.valid_from and region.predecessor_id:
            region = region.predecessor
        return region


class Organisation(models.Model):
    class Kind(models.TextChoices):
        MIGRANT_ORGANISATION = "migrant_org", _("Migrantische Organisation")
        GUIDE_PROJECT = "guide_project", _("Lots*innen-Projekt")
        OTHER = "other", _("Sonstige Organisation")

    class LegalForm(models.TextChoices):
        REGISTERED_ASSOCIATION = "ev", _("eingetragener Verein (e. V.)")
        UNREGISTERED = "initiative", _("nicht eingetragener Verein / Initiative")
        GGMBH = "ggmbh", _("gGmbH")
        FOUNDATION = "foundation", _("Stiftung")
        PUBLIC_BODY = "public", _("Körperschaft des öffentlichen Rechts (z. B. Kommune)")
        OTHER = "other", _("Sonstige")

    class HostType(models.TextChoices):
        MUNICIPALITY = "municipality", _("Kommune")
        VOLUNTEER_AGENCY = "volunteer_agency", _("Freiwilligenagentur")
        WELFARE = "welfare", _("Wohlfahrtsverband")
        ASSOCIATION = "association", _("Verein")
        OTHER = "other", _("Sonstiger Träger")

    class CharitableStatus(models.TextChoices):
        YES = "yes", _("ja")
        NO = "no", _("nein")
        APPLIED = "applied", _("beantragt")
        UNKNOWN = "unknown", _("unbekannt")

    name = models.CharField(_("Name"), max_length=200)
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices)
    legal_form = models.CharField(_("Rechtsform"), max_length=20, choices=LegalForm.choices)
    host_type = models.CharField(
        _("Art des Trägers"),
        max_length=20,
        choices=HostType.choices,
        blank=True,
        help_text=_("Nur bei Lots*innen-Projekten: wer das Projekt trägt."),
    )
    charitable_status = models.CharField(
        _("gemeinnützig"), max_length=10, choices=CharitableStatus.choices, default=CharitableStatus.UNKNOWN
    )
    founding_year = models.PositiveSmallIntegerField(
        _("Gründungsjahr"), null=True, blank=True, validators=[MinValueValidator(1800), MaxValueValidator(2100)]
    )
    region = models.ForeignKey(Region, verbose_name=_("Kreis"), on_delete=models.PROTECT, related_name="+")
    municipality = models.CharField(_("Gemeinde / Stadt"), max_length=100, blank=True)
    email = models.EmailField(_("E-Mail"), blank=True)
    phone = models.CharField(_("Telefon"), max_length=40, blank=True)
    website = models.URLField(_("Website"), blank=True)
    member_count = models.PositiveIntegerField(
        _("Mitglieder bzw. aktive Lots*innen"), null=True, blank=True, validators=[MaxValueValidator(100000)]
    )
    may_be_named = models.BooleanField(_("darf in Berichten an den Fördergeber genannt werden"), default=False)
    units = models.ManyToManyField("casework.Unit", verbose_name=_("Fachstellen"), related_name="organisations")
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Optimistic locking: edit forms carry the version they loaded (casework/concurrency.py).
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)
    # Normalised name and municipality for the text search (casework/search).
    search_text = SearchTextField(sources=("name", "municipality"))
    name_sort = SortKeyField(source="name")  # German order of the long organisation lists

    history = HistoricalRecords(m2m_fields=[units], excluded_fields=["search_text", "name_sort"])

    class Meta:
        verbose_name = _("Organisation")
        verbose_name_plural = _("Organisationen")
        ordering = ["name_sort", "name", "id"]
        indexes = [models.Index(fields=["name"]), models.Index(fields=["name_sort", "name", "id"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(founding_year__isnull=True) | Q(founding_year__gte=1800, founding_year__lte=2100),
                name="organisation_founding_year_plausible",
            ),
        ]

    def __str__(self):
        return self.name


class ContactPerson(models.Model):
    """A contact person of an organisation: personal data, kept minimal and with consent."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("Organisation"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("Name"), max_length=150)
    function = models.CharField(_("Funktion"), max_length=100, blank=True)
    email = models.EmailField(_("E-Mail"), blank=True)
    phone = models.CharField(_("Telefon"), max_length=40, blank=True)
    consent_date = models.DateField(
        _("Einwilligung am"), help_text=_("Datum, an dem die Person der Speicherung zugestimmt hat.")
    )
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)
    search_text = SearchTextField(sources=("name", "function"))
    name_sort = SortKeyField(source="name")  # German order without a Python collation per comparison

    # Deleting a contact person erases them completely (DSGVO Art. 17), their history included.
    history = HistoricalRecords(cascade_delete_history=True, excluded_fields=["search_text", "name_sort"])

    class Meta:
        verbose_name = _("Ansprechperson")
        verbose_name_plural = _("Ansprechpersonen")
        ordering = ["name_sort", "name", "id"]
        indexes = [models.Index(fields=["name_sort", "name", "id"])]

    def __str__(self):
        return self.name
