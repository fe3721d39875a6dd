"""What can be imported: per kind, the fields with their German template headers and recognised aliases.

`catalogue` names where a field's values come from (mapping.py resolves them): "topic", "region",
"organisation", "advisor", "unit" are records; "organisation_kind", "legal_form", "host_type",
"charitable_status", "consultation_format", "initiator", "event_kind", "event_format", "event_status"
are choices. Yes/no columns have no catalogue (values.parse_boolean reads them). `multiple`: several
values per cell, separated by ";" or ",".
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ImportField:
    key: str
    label: str  # German header of the template
    required: bool = False
    aliases: tuple[str, ...] = ()  # other German headers recognised
    catalogue: str | None = None
    multiple: bool = False
    value: str = "text"  # how values.py parses the cell: text, date, integer, duration, boolean


@dataclass(frozen=True)
class ImportKind:
    key: str
    label: str  # German, plural
    fields: list[ImportField] = field(default_factory=list)

    def field(self, key) -> ImportField:
        return next(f for f in self.fields if f.key == key)


ORGANISATIONS = ImportKind(
    "organisations",
    _("Organisationen"),
    [
        ImportField(
            "name",
            _("Name"),
            True,
            ("Organisation", "Name der Organisation", "Organisationsname", "Verein", "Projekt", "Projektname"),
        ),
        ImportField(
            "kind",
            _("Art der Organisation"),
            False,
            ("Art", "Organisationsart", "Typ", "Organisationstyp"),
            "organisation_kind",
        ),
        ImportField("legal_form", _("Rechtsform"), True, ("Rechtsform der Organisation",), "legal_form"),
        ImportField("host_type", _("Art des Trägers"), False, ("Träger", "Trägerart"), "host_type"),
        ImportField("charitable_status", _("gemeinnützig"), False, ("Gemeinnützigkeit",), "charitable_status"),
        ImportField("founding_year", _("Gründungsjahr"), False, ("gegründet", "Gründung"), value="integer"),
        ImportField(
            "region",
            _("Kreis"),
            True,
            ("Landkreis", "Kreis / kreisfreie Stadt", "Kreis/Stadt", "Region", "Kreis oder kreisfreie Stadt"),
            "region",
        ),
        ImportField("municipality", _("Gemeinde / Stadt"), False, ("Gemeinde", "Stadt", "Ort", "Sitz", "Wohnort")),
        ImportField("email", _("E-Mail"), False, ("Email", "Mail", "E-Mail-Adresse", "E-Mail Organisation")),
        ImportField("phone", _("Telefon"), False, ("Tel.", "Tel", "Telefonnummer", "Telefon Organisation")),
        ImportField("website", _("Website"), False, ("Webseite", "Homepage", "Internetseite", "Internet")),
        ImportField(
            "member_count",
            _("Mitglieder bzw. aktive Lots*innen"),
            False,
            ("Mitglieder", "Mitgliederzahl", "Anzahl Mitglieder", "aktive Lots*innen", "Anzahl Lots*innen"),
            value="integer",
        ),
        ImportField(
            "may_be_named",
            _("darf genannt werden"),
            False,
            ("darf in Berichten genannt werden", "Nennung erlaubt"),
            value="boolean",
        ),
        ImportField("allow_duplicate", _("Trotzdem neu anlegen"), False, ("trotzdem anlegen",), value="boolean"),
        ImportField(
            "contact_name",
            _("Ansprechperson"),
            False,
            (
                "Ansprechpartner*in",
                "Ansprechpartner",
                "Ansprechpartnerin",
                "Kontaktperson",
                "Kontakt",
                "Name Ansprechperson",
            ),
        ),
        ImportField("contact_function", _("Funktion"), False, ("Funktion Ansprechperson", "Rolle")),
        ImportField(
            "contact_email", _("E-Mail Ansprechperson"), False, ("E-Mail Kontaktperson", "E-Mail Ansprechpartner*in")
        ),
        ImportField(
            "contact_phone", _("Telefon Ansprechperson"), False, ("Telefon Kontaktperson", "Telefon Ansprechpartner*in")
        ),
        ImportField(
            "contact_consent",
            _("Einwilligung am"),
            False,
            ("Einwilligung", "Einwilligungsdatum", "Datum der Einwilligung"),
            value="date",
        ),
    ],
)

CONSULTATIONS = ImportKind(
    "consultations",
    _("Beratungen"),
    [
        ImportField(
            "organisation",
            _("Organisation"),
            True,
            ("Name der Organisation", "Verein", "Projekt", "Organisation / Projekt"),
            "organisation",
        ),
        ImportField("municipality", _("Gemeinde / Stadt"), False, ("Gemeinde", "Stadt", "Ort", "Sitz")),
        ImportField("date", _("Datum"), True, ("Beratungsdatum", "Datum der Beratung", "Tag"), value="date"),
        ImportField(
            "duration_minutes",
            _("Dauer"),
            True,
            ("Dauer (Minuten)", "Dauer in Minuten", "Minuten", "Dauer (h)", "Dauer in Stunden", "Stunden", "Zeit"),
            value="duration",
        ),
        ImportField(
            "format", _("Format"), True, ("Beratungsformat", "Form", "Art der Beratung"), "consultation_format"
        ),
        ImportField("initiated_by", _("Anstoß durch"), True, ("Anstoß", "Initiative", "Anfrage durch"), "initiator"),
        ImportField(
            "participants",
            _("Teilnehmende"),
            False,
            ("Teilnehmer", "Teilnehmer*innen", "Anzahl Teilnehmende", "Personen", "TN"),
            value="integer",
        ),
        ImportField("topics", _("Themen"), True, ("Thema", "Beratungsthemen", "Beratungsthema"), "topic", True),
        ImportField(
            "advisors",
            _("Berater*innen"),
            False,
            ("Berater*in", "Beraterin", "Berater", "Beratende", "Beratung durch"),
            "advisor",
            True,
        ),
        ImportField("shared_with", _("gemeinsam mit"), False, ("gemeinsame Beratung mit",), "unit"),
        ImportField("summary", _("Zusammenfassung"), False, ("Inhalt", "Notizen", "Beschreibung", "Notiz")),
        ImportField(
            "agreements",
            _("Vereinbarungen / nächste Schritte"),
            False,
            ("Vereinbarungen", "nächste Schritte", "Absprachen"),
        ),
    ],
)

EVENTS = ImportKind(
    "events",
    _("Veranstaltungen"),
    [
        ImportField("title", _("Titel"), True, ("Veranstaltung", "Name der Veranstaltung", "Titel der Veranstaltung")),
        ImportField("kind", _("Art"), True, ("Art der Veranstaltung", "Veranstaltungsart", "Typ"), "event_kind"),
        ImportField("date", _("Datum"), True, ("Veranstaltungsdatum", "Datum der Veranstaltung", "Tag"), value="date"),
        ImportField("format", _("Format"), True, ("Veranstaltungsformat", "Form"), "event_format"),
        ImportField("status", _("Status"), False, ("Stand", "durchgeführt?"), "event_status"),
        ImportField("place", _("Ort"), False, ("Veranstaltungsort", "Adresse", "Ort der Veranstaltung")),
        ImportField("region", _("Kreis"), False, ("Landkreis", "Kreis / kreisfreie Stadt", "Region"), "region"),
        ImportField(
            "teaching_units",
            _("Unterrichtseinheiten"),
            False,
            ("UE", "Anzahl UE", "Unterrichtseinheiten (UE)"),
            value="integer",
        ),
        ImportField(
            "participants",
            _("Teilnehmende"),
            False,
            ("Teilnehmer", "Teilnehmer*innen", "Anzahl Teilnehmende", "TN"),
            value="integer",
        ),
        ImportField("topics", _("Themen"), False, ("Thema",), "topic", True),
        ImportField(
            "organisations",
            _("teilnehmende Organisationen"),
            False,
            ("Organisationen", "Organisation", "beteiligte Organisationen"),
            "organisation",
            True,
        ),
        ImportField(
            "is_joint",
            _("gemeinsame Veranstaltung"),
            False,
            ("gemeinsam", "gemeinsame Veranstaltung beider Fachstellen"),
            value="boolean",
        ),
    ],
)

KINDS: dict[str, ImportKind] = {kind.key: kind for kind in (ORGANISATIONS, CONSULTATIONS, EVENTS)}
