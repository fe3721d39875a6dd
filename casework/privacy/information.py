"""Art. 15 DSGVO information: every stored datum about an organisation or a contact person.

`organisation_information(user, organisation)` and `contact_information(user, contact)` collect what
is stored, as the person asking may see it (casework/access.py: a coordinator's unit sees its own
records and what is shared with it, administrators see everything). Each record is written with all
its concrete fields and many-to-many relations, found by introspection, so a field added to a model
later is exported without anyone remembering to (tests/casework/privacy/test_information_complete.py
holds the list built from the models against the export). Only derived copies are left out: the
normalised search text and sort keys repeat fields that are exported anyway.

`build_package()` turns the collected data into one ZIP: a readable PDF (rendered in a child
process with the project's safe fetcher, reports/pdf.py), the JSON and one CSV per section.
Everything is built in memory; the size is bounded by one organisation's records.
"""

import csv
import datetime
import io
import json
import zipfile
from collections import defaultdict

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casework import access
from casework.access import Action
from casework.guides import access as guides_access
from casework.guides.models import GuideCount, GuideTraining
from casework.history import _m2m_prefetches
from casework.models import (
    Assessment,
    AssessmentRating,
    Case,
    CaseOutcomeReached,
    Consultation,
    Event,
    FollowUp,
)
from casework.search.fields import SearchTextField, SortKeyField
from casework.ui.labels import person_label
from organisations.models import ContactPerson, Organisation
from reports.exports import neutralise
from reports.models import Report
from reports.pdf import render_pdf_limited

FORMAT = "vielfalt-beratung/auskunft-art-15"
VERSION = 1
# Shown instead of a related record the person asking may not see (as in histories).
HIDDEN = gettext_lazy("anderer Datensatz")
# Derived copies of exported fields (search text, German sort key): not separate data.
DERIVED_FIELD_TYPES = (SearchTextField, SortKeyField)


# --- Fields and values -----------------------------------------------------------------------------


def exported_fields(model):
    """The fields of `model` the export writes: every concrete field and many-to-many relation but derived copies."""
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, DERIVED_FIELD_TYPES)]
    return fields + list(model._meta.many_to_many)


# German labels for fields that have no verbose name of their own (Django derives "created by" from the name).
FALLBACK_LABELS = {
    "id": gettext_lazy("Nr."),
    "created_by": gettext_lazy("angelegt von"),
    "done_by": gettext_lazy("erledigt von"),
    "case": gettext_lazy("Beratungsprozess"),
    "consultation": gettext_lazy("Beratung"),
    "assessment": gettext_lazy("Standortbestimmung"),
    "history_id": gettext_lazy("Nr. des Historieneintrags"),
    "history_date": gettext_lazy("Zeitpunkt der Änderung"),
    "history_change_reason": gettext_lazy("Grund der Änderung"),
    "history_type": gettext_lazy("Art der Änderung"),
    "history_user": gettext_lazy("geändert von"),
}


def field_label(field) -> str:
    label = str(field.verbose_name)
    if label.lower() in (field.name.replace("_", " "), "id") and field.name in FALLBACK_LABELS:
        return str(FALLBACK_LABELS[field.name])
    return label


def _json_scalar(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return f"<{len(bytes(value))} Bytes>"
    return value


class _Related:
    """Names of related records, looked up once per model; only what the person asking may see is named."""

    def __init__(self, user, subject_organisation_ids):
        self.user = user
        self.subject_organisation_ids = set(subject_organisation_ids)
        self.cache = defaultdict(dict)

    def prefetch(self, model, pks):
        missing = {pk for pk in pks if pk is not None} - self.cache[model].keys()
        if not missing:
            return
        if model is get_user_model():
            found = {u.pk: person_label(u) for u in model._default_manager.filter(pk__in=missing)}
        else:
            restricted = access.visible_related(self.user, model)
            queryset = model._default_manager.all() if restricted is None else restricted
            # select_related(): labels such as a consultation's ("organisation – date") read related rows.
            found = {obj.pk: str(obj) for obj in queryset.filter(pk__in=missing).select_related()}
        for pk in missing:
            self.cache[model][pk] = found.get(pk)

    def ref(self, model, pk):
        if pk is None:
            return None
        name = self.cache[model].get(pk)
        if name is None:
            # Never reveal a record the person asking may not see, not even by its id.
            return {"id": None, "name": str(HIDDEN)}
        return {"id": pk, "name": name}


def _m2m_rows(records, field, related: _Related):
    """Per record, the related records of `field` (one query); other organisations are never named."""
    through = field.remote_field.through
    source = field.m2m_field_name()
    target = field.m2m_reverse_field_name()
    pairs = through.objects.filter(**{f"{source}__in": [r.pk for r in records]}).values_list(
        f"{source}_id", f"{target}_id"
    )
    by_record = defaultdict(list)
    for record_pk, target_pk in pairs:
        by_record[record_pk].append(target_pk)
    return _m2m_refs(by_record, field.related_model, related)


def _m2m_refs(by_record, model, related: _Related):
    if model is Organisation:
        # Which other organisations took part in an event is their data, not the subject's.
        by_record = {k: [pk for pk in v if pk in related.subject_organisation_ids] for k, v in by_record.items()}
    related.prefetch(model, {pk for pks in by_record.values() for pk in pks})
    return {
        k: sorted((related.ref(model, pk) for pk in v), key=lambda r: (r["id"] is None, r["id"] or 0))
        for k, v in by_record.items()
    }


def _serialise(records, model, related: _Related, history_m2m=None):
    """Rows of `model` as JSON-ready dicts: field name → value (related records as {"id", "name"})."""
    records = list(records)
    fields = exported_fields(model)
    for field in fields:
        if field.many_to_one or field.one_to_one:
            related.prefetch(field.related_model, {getattr(r, field.attname) for r in records})
    m2m_values = {f.name: _m2m_rows(records, f, related) for f in fields if f.many_to_many}
    rows = []
    for record in records:
        row = {}
        for field in fields:
            if field.many_to_many:
                row[field.name] = m2m_values[field.name].get(record.pk, [])
            elif field.many_to_one or field.one_to_one:
                row[field.name] = related.ref(field.related_model, getattr(record, field.attname))
            else:
                row[field.name] = _json_scalar(getattr(record, field.attname))
        for name, values in (history_m2m or {}).items():
            row[name] = values.get(record.pk, [])
        rows.append(row)
    return rows


def _history_m2m(history_model, entries, related: _Related):
    """For historical rows: the many-to-many values as they were at each entry (simple-history's m2m tables)."""
    result = {}
    relations = {rel.get_accessor_name(): rel for rel in history_model._meta.related_objects}
    for field, (_prefetch, accessor, target) in _m2m_prefetches(history_model).items():
        rows = (
            relations[accessor]
            .related_model.objects.filter(history__in=[e.pk for e in entries])
            .values_list("history_id", f"{target}_id")
        )
        by_entry = defaultdict(list)
        for entry_pk, target_pk in rows:
            by_entry[entry_pk].append(target_pk)
        result[field.name] = _m2m_refs(by_entry, field.related_model, related)
    return result


def _section(key, title, model, records, related, *, note=""):
    records = list(records)
    history_m2m = None
    if getattr(model, "_history_m2m_fields", None) is not None and records:
        history_m2m = _history_m2m(model, records, related)
    fields = exported_fields(model)
    columns = [{"name": f.name, "label": field_label(f)} for f in fields]
    if history_m2m:
        columns += [{"name": f.name, "label": field_label(f)} for f in model._history_m2m_fields]
    return {
        "key": key,
        "title": str(title),
        "model": model._meta.label_lower,
        "note": str(note),
        "fields": columns,
        "records": _serialise(records, model, related, history_m2m),
        "_choices": {f.name: {str(k): str(v) for k, v in f.flatchoices} for f in fields if getattr(f, "choices", None)},
    }


# --- What the person asking may see ----------------------------------------------------------------


def _with_history_right(user, consultations):
    """Consultations whose history `user` may read (access.can_on_consultation(HISTORY) as a query)."""
    history_units = access.unit_ids_for(user, Action.HISTORY)
    return consultations.filter(Q(unit_id__in=history_units) | Q(shared_with_id__in=history_units))


def _history_about(model, user, *, about: Q, live_visible_ids, partner_field=None):
    """History entries of `model` matching `about` that `user` may read.

    Live records: those the person may see now. Deleted records (their history stays until the
    retention run purges it): those whose entries belong to one of the person's units.
    """
    history = model.history.model.objects.filter(about)
    candidates = set(history.values_list("id", flat=True).distinct())
    live = set(model._default_manager.filter(pk__in=candidates).values_list("pk", flat=True))
    deleted = candidates - live
    history_units = access.unit_ids_for(user, Action.HISTORY)
    of_deleted = Q(id__in=deleted, unit_id__in=history_units)
    if partner_field:
        of_deleted |= Q(id__in=deleted, **{f"{partner_field}__in": history_units})
    entries = history.filter(Q(id__in=set(live_visible_ids) & live) | of_deleted)
    return entries.order_by("id", "history_date", "history_id")


def _reports_naming(user, names):
    """Archived funder reports the person may read that name one of `names` (the organisation's names over time)."""
    visible = access.reports_visible_to(user).filter(status=Report.Status.DONE)
    ids = [
        pk
        for pk, named in visible.values_list("pk", "figures__named_organisations")
        if isinstance(named, list) and names & set(named)
    ]
    return Report.objects.filter(pk__in=ids).order_by("first_day", "pk")


def _log_entries(models_and_ids):
    """Entries of Django's admin log about the given records."""
    condition = Q(pk__in=[])
    for model, ids in models_and_ids:
        if ids:
            content_type = ContentType.objects.get_for_model(model)
            condition |= Q(content_type=content_type, object_id__in=[str(pk) for pk in ids])
    return LogEntry.objects.filter(condition).order_by("action_time", "pk")


def _history_section(model, entries, related):
    label = model._meta.verbose_name_plural
    return _section(
        f"history_{model._meta.model_name}",
        _("Änderungshistorie: %(kind)s") % {"kind": label},
        model.history.model,
        entries,
        related,
        note=_("Frühere Fassungen, wie sie bei jeder Änderung gespeichert wurden."),
    )


def organisation_information(user, organisation) -> dict:
    """Everything stored about `organisation` that `user` may see, as plain data (see `_document`)."""
    related = _Related(user, {organisation.pk})
    consultations = access.consultations_visible_to(user).filter(organisation=organisation).order_by("date", "pk")
    cases = access.cases_visible_to(user).filter(organisation=organisation).order_by("opened_on", "pk")
    follow_ups = (
        access.follow_ups_visible_to(user)
        .filter(Q(consultation__organisation=organisation) | Q(case__organisation=organisation))
        .order_by("due_on", "pk")
    )
    events = access.events_visible_to(user).filter(organisations=organisation).order_by("date", "pk")
    assessments = access.assessments_visible_to(user).filter(organisation=organisation).order_by("date", "pk")
    contacts = organisation.contacts.order_by("pk")
    guide_counts = guides_access.guide_counts_visible_to(user).filter(organisation=organisation).order_by("as_of", "pk")
    guide_trainings = (
        guides_access.guide_trainings_visible_to(user).filter(organisation=organisation).order_by("date", "pk")
    )

    consultation_history = _history_about(
        Consultation,
        user,
        about=Q(organisation_id=organisation.pk),
        live_visible_ids=_with_history_right(user, consultations).values_list("pk", flat=True),
        partner_field="shared_with_id",
    )
    case_history = _history_about(
        Case, user, about=Q(organisation_id=organisation.pk), live_visible_ids=cases.values_list("pk", flat=True)
    )
    assessment_history = _history_about(
        Assessment,
        user,
        about=Q(organisation_id=organisation.pk),
        live_visible_ids=assessments.values_list("pk", flat=True),
    )
    # Records (live or deleted) whose history is exported: their dependent rows' history belongs here too.
    consultation_ids = set(consultation_history.values_list("id", flat=True)) | set(
        consultations.values_list("pk", flat=True)
    )
    case_ids = set(case_history.values_list("id", flat=True)) | set(cases.values_list("pk", flat=True))
    assessment_ids = set(assessment_history.values_list("id", flat=True)) | set(
        assessments.values_list("pk", flat=True)
    )
    follow_up_history = FollowUp.history.filter(Q(consultation_id__in=consultation_ids) | Q(case_id__in=case_ids))
    names = {organisation.name, *organisation.history.values_list("name", flat=True)}
    reports = list(_reports_naming(user, names))

    sections = [
        _section("organisation", _("Organisation"), Organisation, [organisation], related),
        _section("contact_persons", _("Ansprechpersonen"), ContactPerson, contacts, related),
        _section("consultations", _("Beratungen"), Consultation, consultations, related),
        _section("cases", _("Beratungsprozesse"), Case, cases, related),
        _section(
            "case_outcomes",
            _("Erreichte Ergebnisse von Beratungsprozessen"),
            CaseOutcomeReached,
            CaseOutcomeReached.objects.filter(case__in=cases).order_by("reached_on", "pk"),
            related,
        ),
        _section("follow_ups", _("Wiedervorlagen"), FollowUp, follow_ups, related),
        _section(
            "events",
            _("Teilnahme an Veranstaltungen"),
            Event,
            events,
            related,
            note=_("Andere teilnehmende Organisationen werden nicht genannt."),
        ),
        _section("assessments", _("Standortbestimmungen (Qualitätsprofil)"), Assessment, assessments, related),
        _section(
            "assessment_ratings",
            _("Bewertungen der Standortbestimmungen"),
            AssessmentRating,
            AssessmentRating.objects.filter(assessment__in=assessments).order_by("assessment_id", "pk"),
            related,
        ),
        _section("guide_counts", _("Aktive Lots*innen (Zählstände)"), GuideCount, guide_counts, related),
        _section("guide_trainings", _("Schulungen von Lots*innen"), GuideTraining, guide_trainings, related),
        _history_section(Organisation, organisation.history.order_by("history_date", "history_id"), related),
        _history_section(
            ContactPerson,
            ContactPerson.history.filter(organisation_id=organisation.pk).order_by("id", "history_date", "history_id"),
            related,
        ),
        _history_section(Consultation, consultation_history, related),
        _history_section(Case, case_history, related),
        _history_section(
            CaseOutcomeReached,
            CaseOutcomeReached.history.filter(case_id__in=case_ids).order_by("id", "history_date", "history_id"),
            related,
        ),
        _history_section(FollowUp, follow_up_history.order_by("id", "history_date", "history_id"), related),
        _history_section(
            Event,
            Event.history.filter(id__in=list(events.values_list("pk", flat=True))).order_by(
                "id", "history_date", "history_id"
            ),
            related,
        ),
        _history_section(Assessment, assessment_history, related),
        _history_section(
            AssessmentRating,
            AssessmentRating.history.filter(assessment_id__in=assessment_ids).order_by(
                "id", "history_date", "history_id"
            ),
            related,
        ),
        _history_section(
            GuideCount,
            GuideCount.history.filter(id__in=list(guide_counts.values_list("pk", flat=True))).order_by(
                "id", "history_date", "history_id"
            ),
            related,
        ),
        _history_section(
            GuideTraining,
            GuideTraining.history.filter(id__in=list(guide_trainings.values_list("pk", flat=True))).order_by(
                "id", "history_date", "history_id"
            ),
            related,
        ),
        _section(
            "admin_log",
            _("Protokoll der Verwaltungsoberfläche"),
            LogEntry,
            _log_entries(
                [
                    (Organisation, [organisation.pk]),
                    (
                        ContactPerson,
                        set(ContactPerson.history.filter(organisation_id=organisation.pk).values_list("id", flat=True)),
                    ),
                ]
            ),
            related,
            note=_("Änderungen an der Organisation und ihren Ansprechpersonen über die Django-Verwaltung."),
        ),
        _report_section(reports, names, related),
    ]
    return _document(user, "organisation", organisation, sections)


def _report_section(reports, names, related):
    section = _section(
        "reports",
        _("Archivierte Berichte für den Fördergeber, die die Organisation nennen"),
        Report,
        reports,
        related,
        note=_(
            "Berichte für den Fördergeber sind Nachweise, die der Träger aufbewahren muss. Sie nennen eine "
            "Organisation nur, wenn sie der Nennung zugestimmt hat; sonst enthalten sie nur Zahlen."
        ),
    )
    # A report's frozen figures are counts of everyone's work; what concerns the subject is that it names it.
    section["fields"] = [f for f in section["fields"] if f["name"] != "figures"] + [
        {"name": "named_as", "label": str(_("nennt die Organisation als"))}
    ]
    for row, report in zip(section["records"], reports, strict=True):
        named = (report.figures or {}).get("named_organisations") or []
        row.pop("figures", None)
        row["named_as"] = sorted(names & set(named))
    return section


def contact_information(user, contact) -> dict:
    """Everything stored about the contact person `contact` that `user` may see."""
    related = _Related(user, {contact.organisation_id})
    sections = [
        _section("contact_person", _("Ansprechperson"), ContactPerson, [contact], related),
        _history_section(ContactPerson, contact.history.order_by("history_date", "history_id"), related),
        _section(
            "admin_log",
            _("Protokoll der Verwaltungsoberfläche"),
            LogEntry,
            _log_entries([(ContactPerson, [contact.pk])]),
            related,
        ),
        _mentions_section(user, contact),
    ]
    return _document(user, "contact", contact, sections)


MENTION_SOURCES = [
    # (model, selector, free-text fields, date field)
    (Consultation, access.consultations_visible_to, ("summary", "agreements"), "date"),
    (Case, access.cases_visible_to, ("title", "description"), "opened_on"),
    (FollowUp, access.follow_ups_visible_to, ("what",), "due_on"),
    (Assessment, access.assessments_visible_to, ("note",), "date"),
]


def _mentions_section(user, contact):
    """Free texts of records the person asking may see that name the contact person (name or e-mail)."""
    needles = [n for n in (contact.name.strip(), contact.email.strip()) if len(n) >= 3]
    rows = []
    for model, selector, fields, date_field in MENTION_SOURCES:
        if not needles:
            break
        condition = Q(pk__in=[])
        for field in fields:
            for needle in needles:
                condition |= Q(**{f"{field}__icontains": needle})
        for record in selector(user).filter(condition).order_by(date_field, "pk"):
            for field in fields:
                text = getattr(record, field)
                if any(needle.lower() in text.lower() for needle in needles):
                    rows.append(
                        {
                            "record": model._meta.label_lower,
                            "record_kind": str(model._meta.verbose_name),
                            "id": record.pk,
                            "date": _json_scalar(getattr(record, date_field)),
                            "field": str(model._meta.get_field(field).verbose_name),
                            "text": text,
                        }
                    )
    labels = [
        ("record_kind", _("Art")),
        ("id", _("Nr.")),
        ("date", _("Datum")),
        ("field", _("Feld")),
        ("text", _("Text")),
    ]
    return {
        "key": "mentions",
        "title": str(_("Erwähnungen in Freitexten")),
        "model": "",
        "note": str(
            _(
                "Freitexte von Beratungen, Beratungsprozessen, Wiedervorlagen und Standortbestimmungen, die den Namen "
                "oder die E-Mail-Adresse der Person enthalten."
            )
        ),
        "fields": [{"name": n, "label": str(label)} for n, label in labels],
        "records": rows,
        "_choices": {},
    }


# --- Purposes and periods (also the page for the data-protection officer) --------------------------


def retention_periods() -> list[dict]:
    """The deletion periods in force (settings.RETENTION), in German."""
    r = settings.RETENTION
    return [
        {
            "key": "contact_person_years",
            "kind": _("Ansprechpersonen"),
            "period": _("%(n)s Jahre nach dem letzten Kontakt mit ihrer Organisation")
            % {"n": r["contact_person_years"]},
        },
        {
            "key": "free_text_years",
            "kind": _("Freitexte von Beratungen, Beratungsprozessen, Veranstaltungen und Standortbestimmungen"),
            "period": _("%(n)s Jahre nach Ende des Förderjahres, zu dem sie gehören (danach geleert; Zahlen bleiben)")
            % {"n": r["free_text_years"]},
        },
        {
            "key": "history_years",
            "kind": _("Einträge der Änderungshistorie"),
            "period": _("%(n)s Jahre nach der Änderung") % {"n": r["history_years"]},
        },
        {
            "key": "access_log_days",
            "kind": _("Zugriffsprotokoll"),
            "period": _("%(n)s Tage nach dem Eintrag") % {"n": r["access_log_days"]},
        },
    ]


def purposes() -> list[str]:
    return [
        _(
            "Beratung, Qualifizierung und Vernetzung von migrantischen Organisationen und Lots*innen-Projekten "
            "durch die Fachstellen des Kompetenzzentrums Vielfalt Hessen."
        ),
        _(
            "Nachweis der Verwendung der Fördermittel gegenüber dem Fördergeber (Landesprogramm „WIR – Vielfalt und "
            "Teilhabe“): Berichte enthalten Zahlen; eine Organisation wird nur mit ihrer Zustimmung genannt."
        ),
        _("Nachvollziehbarkeit der Arbeit (Änderungshistorie) und Sicherheit (Zugriffsprotokoll)."),
    ]


def processing_record() -> list[dict]:
    """What is stored per kind of data, why, how long, and who sees it: the content of an Art. 30 record."""
    r = settings.RETENTION
    return [
        {
            "kind": _("Organisationen"),
            "data": _(
                "Name, Art, Rechtsform, Träger, Gemeinnützigkeit, Gründungsjahr, Kreis und Gemeinde, E-Mail, "
                "Telefon, Website, Mitglieder bzw. aktive Lots*innen, Zustimmung zur Nennung in Berichten"
            ),
            "purpose": _("Beratung und Begleitung der Organisation; Zählung erreichter Organisationen"),
            "period": _(
                "solange die Zusammenarbeit besteht; danach auf Antrag oder bei Zweckende anonymisiert "
                "(der Name wird ersetzt, Zahlen bleiben)"
            ),
            "who": _(
                "Berater*innen und Koordinator*innen der Fachstellen, zu denen die Organisation gehört, und der "
                "Fachstelle, mit der eine ihrer Beratungen geteilt ist; Administrator*innen"
            ),
        },
        {
            "kind": _("Ansprechpersonen"),
            "data": _("Name, Funktion, E-Mail, Telefon, Datum der Einwilligung"),
            "purpose": _("Kontakt zur Organisation"),
            "period": _("%(n)s Jahre nach dem letzten Kontakt mit ihrer Organisation")
            % {"n": r["contact_person_years"]},
            "who": _("wie die Organisation"),
        },
        {
            "kind": _("Beratungen, Beratungsprozesse, Wiedervorlagen"),
            "data": _(
                "Datum, Dauer, Format, Themen, Teilnehmende, beteiligte Berater*innen; Freitexte "
                "(Zusammenfassung, Vereinbarungen, Ausgangslage, Aufgaben)"
            ),
            "purpose": _("Dokumentation der Beratung; Zahlen für den Verwendungsnachweis"),
            "period": _(
                "Freitexte %(n)s Jahre nach Ende des Förderjahres (Nachweise zur Förderung werden 5 Jahre "
                "aufbewahrt); Zahlen, Daten, Kreis und Themen bleiben anonym für die Statistik"
            )
            % {"n": r["free_text_years"]},
            "who": _(
                "die Fachstelle der Beratung und, bei gemeinsamen Beratungen, die Partner-Fachstelle; "
                "Administrator*innen"
            ),
        },
        {
            "kind": _("Veranstaltungen und Teilnahme"),
            "data": _("Titel, Art, Datum, Format, Unterrichtseinheiten, Teilnehmende, teilnehmende Organisationen"),
            "purpose": _("Nachweis von Qualifizierung und Vernetzung"),
            "period": _("Freitexte %(n)s Jahre nach Ende des Förderjahres") % {"n": r["free_text_years"]},
            "who": _("die veranstaltende Fachstelle; gemeinsame Veranstaltungen beide Fachstellen"),
        },
        {
            "kind": _("Standortbestimmungen (Qualitätsprofil)"),
            "data": _("Datum, Bewertungen je Qualitätskriterium, Anmerkungen"),
            "purpose": _("Begleitung der Qualitätsentwicklung von Lots*innen-Projekten"),
            "period": _("Anmerkungen %(n)s Jahre nach Ende des Förderjahres") % {"n": r["free_text_years"]},
            "who": _("die Fachstelle WIR-Lots*innen; Administrator*innen"),
        },
        {
            "kind": _("Änderungshistorie"),
            "data": _("frühere Fassungen der Datensätze, wer sie wann geändert hat"),
            "purpose": _("Nachvollziehbarkeit der Dokumentation"),
            "period": _("%(n)s Jahre nach der Änderung") % {"n": r["history_years"]},
            "who": _("Koordinator*innen der Fachstellen, die den Datensatz sehen; Administrator*innen"),
        },
        {
            "kind": _("Berichte für den Fördergeber (Archiv)"),
            "data": _(
                "Zahlen je Zeitraum; Namen nur der Organisationen, die der Nennung zugestimmt haben; wer den "
                "Bericht angefordert hat"
            ),
            "purpose": _("Verwendungsnachweis gegenüber dem Fördergeber"),
            "period": _("Nachweise, die der Träger aufbewahren muss (5 Jahre nach Ende des Förderjahres)"),
            "who": _("Koordinator*innen der berichteten Fachstellen; Administrator*innen"),
        },
        {
            "kind": _("Zugriffsprotokoll"),
            "data": _(
                "Zeitpunkt, Person, Adresse; An- und Abmeldungen, verweigerte Zugriffe, Downloads und Exporte, "
                "Konto- und Rollenänderungen, Löschungen – Datensätze nur mit Art und Nummer"
            ),
            "purpose": _("Sicherheit des Systems, Aufklärung unberechtigter Zugriffe"),
            "period": _("%(n)s Tage nach dem Eintrag") % {"n": r["access_log_days"]},
            "who": _("Administrator*innen"),
        },
        {
            "kind": _("Konten der Mitarbeitenden"),
            "data": _("Name, Benutzername, E-Mail, Rollen je Fachstelle, letzte Anmeldung"),
            "purpose": _("Anmeldung und Rechte im Werkzeug"),
            "period": _("solange die Person mitarbeitet; danach deaktiviert"),
            "who": _("Administrator*innen"),
        },
    ]


def _document(user, kind, subject, sections) -> dict:
    return {
        "format": FORMAT,
        "version": VERSION,
        "subject": {"kind": kind, "id": subject.pk},
        "created_at": _json_scalar(timezone.now()),
        "created_by": person_label(user),
        "controller": "Kompetenzzentrum Vielfalt Hessen",
        "purposes": purposes(),
        "retention": retention_periods(),
        "notes": [
            _(
                "Diese Auskunft enthält alle gespeicherten Daten, die die erstellende Fachstelle sehen darf, "
                "einschließlich der mit ihr geteilten Datensätze. Datensätze anderer Fachstellen fasst deren "
                "Koordination oder die Administration zusammen."
            ),
            _(
                "Das Zugriffsprotokoll nennt Datensätze nur mit Art und Nummer, nie mit Inhalt; es ist hier nicht "
                "enthalten."
            ),
        ],
        "sections": sections,
    }


# --- The download ----------------------------------------------------------------------------------


def file_stem(kind, pk) -> str:
    """A file name without personal data: the kind and id of the record (never its name)."""
    return f"auskunft-art15-{'organisation' if kind == 'organisation' else 'ansprechperson'}-{pk}"


def _display(value, choices=None):
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, bool):
        return _("ja") if value else _("nein")
    if isinstance(value, dict):
        return str(value.get("name"))
    if isinstance(value, list):
        return ", ".join(_display(v) for v in value)
    if choices and str(value) in choices:
        return choices[str(value)]
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-" and value[7:8] == "-":
        try:
            if len(value) == 10:
                return date_format(datetime.date.fromisoformat(value), "d.m.Y")
            return date_format(timezone.localtime(datetime.datetime.fromisoformat(value)), "d.m.Y H:i")
        except ValueError:
            return value
    return str(value)


def _readable(document) -> list[dict]:
    """The sections as the PDF shows them: per record, (label, text) pairs."""
    result = []
    for section in document["sections"]:
        choices = section.get("_choices", {})
        records = [
            [(f["label"], _display(row.get(f["name"]), choices.get(f["name"]))) for f in section["fields"]]
            for row in section["records"]
        ]
        result.append({"title": section["title"], "note": section["note"], "records": records})
    return result


def _public(document) -> dict:
    """The JSON as written: without the helper keys the PDF needs."""
    return {
        **document,
        "sections": [{k: v for k, v in s.items() if not k.startswith("_")} for s in document["sections"]],
    }


def to_json(document) -> bytes:
    return json.dumps(_public(document), ensure_ascii=False, indent=2).encode()


def to_csv(section) -> bytes:
    """One section as CSV: UTF-8 with BOM, `;`, CRLF (German Excel); formulas neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([f["label"] for f in section["fields"]])
    for row in section["records"]:
        writer.writerow([neutralise(_csv_value(row.get(f["name"]))) for f in section["fields"]])
    return buffer.getvalue().encode("utf-8-sig")


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, dict):
        return f"{value.get('name')} (Nr. {value['id']})" if value.get("id") else str(value.get("name"))
    if isinstance(value, list):
        return ", ".join(_csv_value(v) for v in value)
    return str(value)


def render_html(document) -> str:
    with translation.override("de"):
        return render_to_string(
            "casework/privacy/information_pdf.html",
            {"document": document, "sections": _readable(document), "created_at": _display(document["created_at"])},
        )


def build_package(document) -> tuple[str, bytes]:
    """The ZIP (file name, content) holding the PDF, the JSON and one CSV per non-empty section."""
    stem = file_stem(document["subject"]["kind"], document["subject"]["id"])
    title = _("Auskunft nach Art. 15 DSGVO")
    pdf = render_pdf_limited(render_html(document), title=title)
    stamp = timezone.localtime().timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:

        def add(name, content):
            archive.writestr(zipfile.ZipInfo(name, date_time=stamp), content, zipfile.ZIP_DEFLATED)

        add(f"{stem}.pdf", pdf)
        add(f"{stem}.json", to_json(document))
        for number, section in enumerate(document["sections"], start=1):
            if section["records"]:
                add(f"csv/{number:02d}-{section['key']}.csv", to_csv(section))
    return f"{stem}.zip", buffer.getvalue()
