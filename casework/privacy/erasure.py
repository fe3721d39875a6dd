"""Art. 17 DSGVO: erasing a contact person, anonymising an organisation, and keeping the personal data of
deleted records out of the history tables, the admin log and the task queue.

What stays is what the funder figures count: dates, minutes, participants, formats, topics, Kreis, types,
units, advisors. What goes is every name and free text, including the copies django-simple-history keeps.
Every erasure is written to the access log with the record's kind and id only.

Archived funder reports (reports.Report.figures and their files) are left as they are: they are records the
Träger must keep for five years (Art. 17 (3) b), and they name an organisation only if it consented
(`may_be_named`). `archived_reports_naming()` lists them for the confirmation page.
"""

import re
from dataclasses import dataclass

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F, Q
from django.db.models.signals import post_delete
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from casework.audit.log import record
from casework.audit.models import AccessEvent
from casework.guides.models import GuideCount, GuideTraining
from casework.imports.models import ImportedRecord
from casework.models import Assessment, AssessmentRating, Case, Consultation, Event, FollowUp
from casework.search.index import compact_text_index
from organisations.models import ContactPerson, Organisation

# Stands in log texts where an erased name stood.
ERASED = "[gelöscht]"


def _placeholder(text):
    """Placeholders are data, stored in German whatever the language of the request."""
    with override("de"):
        return _(text)


# Every free text of the casework that may carry personal data, per model: field → its value after erasure
# ("" where the field may be empty, a neutral text where a form requires one). Anonymisation empties them,
# the deletion period empties them, and a deleted record's history keeps none of them.
# tests/casework/privacy/test_erasure_fields.py fails when a text field is neither here nor in NOT_PERSONAL.
FREE_TEXT = {
    Consultation: {"summary": "", "agreements": ""},
    Case: {"title": "Beratungsprozess (Text gelöscht)", "description": ""},
    Assessment: {"note": ""},
    AssessmentRating: {"note": ""},
    FollowUp: {"what": "Wiedervorlage (Text gelöscht)"},
    Event: {"title": "Veranstaltung (Titel gelöscht)"},
    GuideCount: {"note": ""},
    GuideTraining: {"title": "Schulung (Titel gelöscht)"},
}
# The organisation's own identifying data. Kind, legal form, host type, charitable status, member count,
# Kreis and units stay (the figures count by them). The municipality goes: Kreis is what the figures use,
# and a small association is often identifiable by "the <origin> association in <small town>".
# The founding year goes for the same reason (no figure uses it).
ORGANISATION_PERSONAL = {
    "municipality": "",
    "email": "",
    "phone": "",
    "website": "",
    "founding_year": None,
    "may_be_named": False,
}
ORGANISATION_PLACEHOLDER = "Anonymisierte Organisation #{pk}"
# Contact persons are erased as a whole (rows and history), so all their fields are personal.
CONTACT_PERSON_FIELDS = ("name", "function", "email", "phone")

# Text fields that are not personal data, with the reason (checked by the same test).
NOT_PERSONAL = {
    "casework.Unit": {"code", "name", "short_name", "host"},  # the Fachstellen themselves
    "casework.Topic": {"name"},  # catalogues
    "casework.CaseGoal": {"name"},
    "casework.CaseOutcome": {"name"},
    "casework.QualityArea": {"name"},
    "casework.QualityCriterion": {"text"},
    "casework.CalendarFeedToken": {"token_hash"},  # a hash of a staff member's secret
    # The access log holds kinds, ids and staff labels only (casework/audit/models.py).
    "casework.AccessEvent": {"user_label", "target_kind", "target_id", "path", "detail"},
    "organisations.Region": {"key", "name"},
    "organisations.Organisation": {"search_text", "name_sort"},  # derived from name/municipality on save
    "casework.Consultation": {"search_text"},
    "casework.Case": {"search_text"},
    "casework.Event": {"search_text", "place"},
    "organisations.ContactPerson": {"search_text", "name_sort"},  # derived; the row is erased as a whole
    # Reports: a scope code, the requesting staff member, an error text without record content, a worker id.
    "reports.Report": {"scope", "requested_by_name", "error", "worker_id"},
    "reports.ReportFile": {"sha256"},
    "reports.WorkerHeartbeat": {"worker_id", "host"},
    # Imports: staff names, file names and checksums. The values an import overwrote (ImportedRecord.previous)
    # are forgotten when a record is erased (forget_import_snapshots); uploads go after 7 days at most.
    "casework.ImportRun": {"created_by_name", "undone_by_name", "filename", "sha256"},
    "casework.ImportedRecord": {"model"},
    "casework.ImportUpload": {"kind", "filename", "sha256", "error"},
    "casework.ImportMapping": {"kind", "name"},
    "casework.FiguresStamp": set(),  # a change counter of the dashboard's cache, no text at all
    # The Sachbericht's settings: a scope code, the funding notice and reference, logo metadata.
    "reports.NarrativeDraft": {"scope"},
    "reports.TitlePageSettings": {"funding_notice"},
    "reports.FundingReference": {"reference"},
    "reports.ReportLogo": {"content_type", "name", "sha256"},
}


def organisation_placeholder(pk) -> str:
    return _placeholder(ORGANISATION_PLACEHOLDER).format(pk=pk)


def _erased_values(model) -> dict:
    return {field: _placeholder(value) if value else value for field, value in FREE_TEXT[model].items()}


def _history_model(model):
    return model.history.model


def _historical_models():
    """The history tables of records (not those of many-to-many links, which hold ids only)."""
    models = []
    for model in apps.get_models():
        names = {field.name for field in model._meta.concrete_fields}
        if {"history_id", "history_date", "history_change_reason"} <= names:
            models.append(model)
    return models


# --- Scrubbing names out of logs, change reasons and task results ------------------------------------


def _pattern(names):
    names = sorted({name.strip() for name in names if name and len(name.strip()) >= 3}, key=len, reverse=True)
    return re.compile("|".join(re.escape(name) for name in names), re.IGNORECASE) if names else None


def _contains_any(field, names) -> Q:
    condition = Q(pk__in=[])
    for name in names:
        condition |= Q(**{f"{field}__icontains": name})
    return condition


def _scrub_change_reasons(names) -> None:
    """Change reasons anywhere in the history that name them ("Zusammengeführt mit „…“")."""
    pattern = _pattern(names)
    if pattern is None:
        return
    for history_model in _historical_models():
        rows = history_model.objects.filter(_contains_any("history_change_reason", names))
        for pk, reason in rows.values_list("pk", "history_change_reason"):
            history_model.objects.filter(pk=pk).update(history_change_reason=pattern.sub(ERASED, reason)[:100])


def _scrub_admin_log(names) -> None:
    pattern = _pattern(names)
    if pattern is None:
        return
    rows = LogEntry.objects.filter(_contains_any("object_repr", names) | _contains_any("change_message", names))
    for entry in rows:
        LogEntry.objects.filter(pk=entry.pk).update(
            object_repr=pattern.sub(ERASED, entry.object_repr)[:200],
            change_message=pattern.sub(ERASED, entry.change_message),
        )


def _scrub_task_results(names) -> None:
    """Finished task results that carry a name (a traceback, a return value) go; tasks take ids only."""
    pattern = _pattern(names)
    if pattern is None:
        return
    finished = DBTaskResult.objects.filter(status__in=[TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL])
    for pk, *values in finished.values_list("pk", "args_kwargs", "return_value", "traceback"):
        if any(pattern.search(str(value)) for value in values if value):
            DBTaskResult.objects.filter(pk=pk).delete()


def _scrub_everywhere(names) -> None:
    _scrub_change_reasons(names)
    _scrub_admin_log(names)
    _scrub_task_results(names)


def neutral_label(record_) -> str:
    """A record named without its content: „Beratung #12“."""
    with override("de"):
        return f"{record_._meta.verbose_name} #{record_.pk}"


def _relabel_admin_log(record_, label) -> None:
    """The admin log names a record by its str() at the time: name it by its neutral label now."""
    content_type = ContentType.objects.get_for_model(type(record_), for_concrete_model=False)
    LogEntry.objects.filter(content_type=content_type, object_id=str(record_.pk)).update(
        object_repr=str(label)[:200], change_message=""
    )


def _ids_by_model(records) -> dict:
    ids = {}
    for record_ in records:
        ids.setdefault(type(record_), set()).add(record_.pk)
    return ids


# --- Free texts ------------------------------------------------------------------------------------


def erase_free_texts(record_) -> bool:
    """Empty the free texts of one record and of every history entry of it; False if nothing was left."""
    model = type(record_)
    values = _erased_values(model)
    changed = [field for field, value in values.items() if getattr(record_, field) != value]
    for field, value in values.items():
        setattr(record_, field, value)
    if changed:
        if hasattr(record_, "version"):
            record_.version += 1  # an edit form still open on the old texts refuses to save over this
        # No new history entry: the history keeps no text, and the access log records the erasure.
        record_.save_without_historical_record()
    _history_model(model).objects.filter(id=record_.pk).update(**values)
    forget_import_snapshots(model, [record_.pk])
    return bool(changed)


def forget_import_snapshots(model, pks) -> None:
    """An import keeps the values it overwrote (to undo it); erased data must not survive there.

    Undo is refused anyway once a record changed after the import (casework/imports/engine.py)."""
    ImportedRecord.objects.filter(model=model._meta.label_lower, object_id__in=pks).exclude(previous=None).update(
        previous=None
    )


def free_texts_pending(model):
    """Records of `model` whose free texts are not (all) erased yet."""
    values = _erased_values(model)
    return model.objects.exclude(**values)


# --- Contact persons -------------------------------------------------------------------------------


def _contact_names(contact) -> set[str]:
    history = ContactPerson.history.model.objects.filter(id=contact.pk)
    names = {contact.name, contact.email, contact.phone}
    for values in history.values_list("name", "email", "phone"):
        names.update(values)
    return {name for name in names if name}


def _scrub_texts_of_organisation(organisation_id, names) -> None:
    """A contact person's name written into the organisation's consultations, cases … goes too."""
    pattern = _pattern(names)
    if pattern is None:
        return
    scopes = {
        Consultation: Q(organisation_id=organisation_id),
        Case: Q(organisation_id=organisation_id),
        Assessment: Q(organisation_id=organisation_id),
        AssessmentRating: Q(assessment__organisation_id=organisation_id),
        FollowUp: Q(consultation__organisation_id=organisation_id) | Q(case__organisation_id=organisation_id),
        GuideCount: Q(organisation_id=organisation_id),
        GuideTraining: Q(organisation_id=organisation_id),
    }
    for model, scope in scopes.items():
        fields = list(FREE_TEXT[model])
        texts = Q(pk__in=[])
        for field in fields:
            texts |= _contains_any(field, names)
        for record_ in model.objects.filter(scope).filter(texts):
            for field in fields:
                setattr(record_, field, pattern.sub(ERASED, getattr(record_, field)))
            if hasattr(record_, "version"):
                record_.version += 1
            record_.save_without_historical_record()
        ids = model.objects.filter(scope).values("pk")
        history_model = _history_model(model)
        for row in history_model.objects.filter(id__in=ids).filter(texts):
            history_model.objects.filter(pk=row.pk).update(
                **{field: pattern.sub(ERASED, getattr(row, field)) for field in fields}
            )


def _erase_contact(contact) -> None:
    names = _contact_names(contact)
    content_type = ContentType.objects.get_for_model(ContactPerson)
    contact.delete()  # cascade_delete_history: its history rows go with it
    forget_import_snapshots(ContactPerson, [contact.pk])
    LogEntry.objects.filter(content_type=content_type, object_id=str(contact.pk)).delete()
    _scrub_texts_of_organisation(contact.organisation_id, names)
    _scrub_everywhere(names)
    compact_text_index()


@transaction.atomic
def contact_erase(*, contact: ContactPerson, by=None, request=None, reason: str = "") -> None:
    """Erase a contact person completely: the row, its history, admin log entries, its name wherever written."""
    contact_id = contact.pk
    _erase_contact(contact)
    record(
        AccessEvent.Kind.ERASURE,
        request=request,
        user=by,
        target_kind="contact_person",
        target_id=contact_id,
        detail=f"Art. 17: {reason}" if reason else "Art. 17",
    )


# --- Organisations ---------------------------------------------------------------------------------


@dataclass
class AnonymisationSummary:
    """What an anonymisation touches, for the confirmation page."""

    contacts: int
    consultations: int
    cases: int
    assessments: int
    follow_ups: int
    events_renamed: int
    events_kept: int
    reports: list


def _records_of(organisation):
    consultations = Consultation.objects.filter(organisation=organisation)
    cases = Case.objects.filter(organisation=organisation)
    assessments = Assessment.objects.filter(organisation=organisation)
    follow_ups = FollowUp.objects.filter(
        Q(consultation__organisation=organisation) | Q(case__organisation=organisation)
    )
    return consultations, cases, assessments, follow_ups


def _organisation_names(organisation) -> set[str]:
    """Every name, address and contact the organisation had (its history too), and merged duplicates' names."""
    history = Organisation.history.model.objects.filter(Q(id=organisation.pk) | Q(id__in=_merged_into(organisation)))
    names = {organisation.name, organisation.email, organisation.phone, organisation.website}
    for values in history.values_list("name", "email", "phone", "website"):
        names.update(values)
    return {name for name in names if name}


def _merged_into(organisation) -> set[int]:
    """Ids of duplicates merged into it (organisations/services.py notes "(#<pk>)" on their deletion)."""
    deleted = Organisation.history.model.objects.filter(
        history_type="-", history_change_reason__endswith=f"(#{organisation.pk})"
    )
    return set(deleted.values_list("id", flat=True))


def _events_of(organisation, names):
    """Its events: those it alone attended, or whose title names it. Events with other organisations keep
    their title (it describes a training or meeting, not this organisation)."""
    attended = Event.objects.filter(organisations=organisation)
    alone = [event for event in attended.prefetch_related("organisations") if len(event.organisations.all()) == 1]
    named = list(Event.objects.filter(_contains_any("title", names))) if names else []
    return list({event.pk: event for event in [*alone, *named]}.values()), attended.count()


def anonymisation_summary(organisation) -> AnonymisationSummary:
    consultations, cases, assessments, follow_ups = _records_of(organisation)
    events, attended = _events_of(organisation, {organisation.name})
    renamed = sum(1 for event in events if event.organisations.filter(pk=organisation.pk).exists())
    return AnonymisationSummary(
        contacts=organisation.contacts.count(),
        consultations=consultations.count(),
        cases=cases.count(),
        assessments=assessments.count(),
        follow_ups=follow_ups.count(),
        events_renamed=len(events),
        events_kept=attended - renamed,
        reports=archived_reports_naming(organisation),
    )


def archived_reports_naming(organisation) -> list:
    """Archived funder reports that name the organisation (it agreed to be named when they were made)."""
    from reports.models import Report  # reports builds on casework, not the other way round

    names = {organisation.name}
    found = []
    for report in Report.objects.exclude(figures=None).order_by("-first_day", "pk"):
        named = set((report.figures or {}).get("named_organisations") or [])
        if named & names:
            found.append(report)
    return found


def is_anonymised(organisation) -> bool:
    return organisation.name == organisation_placeholder(organisation.pk)


@transaction.atomic
def organisation_anonymise(*, organisation: Organisation, by=None, request=None, reason: str = "") -> Organisation:
    """Anonymise an organisation (Art. 17): a neutral name, no contact persons, no free texts, no traces.

    Counts, minutes, dates, Kreis, topics, formats and types stay, so every funder figure stays the same.
    """
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    names = _organisation_names(organisation)
    merged = _merged_into(organisation)
    for contact in organisation.contacts.all():
        names |= _contact_names(contact)
        _erase_contact(contact)

    consultations, cases, assessments, follow_ups = _records_of(organisation)
    ratings = AssessmentRating.objects.filter(assessment__organisation=organisation)
    events, _attended = _events_of(organisation, names)
    touched = []
    guide_counts = GuideCount.objects.filter(organisation=organisation)
    guide_trainings = GuideTraining.objects.filter(organisation=organisation)
    for queryset in (consultations, cases, assessments, ratings, follow_ups, guide_counts, guide_trainings):
        for record_ in queryset.order_by("pk"):
            erase_free_texts(record_)
            touched.append(record_)
    for event in events:
        erase_free_texts(event)
        touched.append(event)

    placeholder = organisation_placeholder(organisation.pk)
    organisation.name = placeholder
    for field, value in ORGANISATION_PERSONAL.items():
        setattr(organisation, field, value)
    organisation.version = F("version") + 1
    organisation.save_without_historical_record()
    forget_import_snapshots(Organisation, [organisation.pk, *merged])
    organisation.refresh_from_db()
    history_values = {"name": placeholder, **ORGANISATION_PERSONAL}
    Organisation.history.model.objects.filter(id=organisation.pk).update(**history_values)
    # Duplicates merged into it earlier: their history rows still hold their names.
    Organisation.history.model.objects.filter(id__in=merged).update(**history_values)

    # Change reasons of its own records name it or merged duplicates ("Zusammengeführt mit „…“").
    for model, pks in _ids_by_model([organisation, *touched]).items():
        _history_model(model).objects.filter(id__in=pks).exclude(history_change_reason=None).update(
            history_change_reason=""
        )
    Organisation.history.model.objects.filter(id__in=merged).update(history_change_reason="")
    _scrub_everywhere(names)
    compact_text_index()
    _relabel_admin_log(organisation, placeholder)
    for record_ in touched:
        _relabel_admin_log(record_, neutral_label(record_))
    for pk in merged:
        _relabel_admin_log(Organisation(pk=pk), placeholder)
    record(
        AccessEvent.Kind.ERASURE,
        request=request,
        user=by,
        target_kind="organisation",
        target_id=organisation.pk,
        detail=f"Art. 17: {reason}" if reason else "Art. 17",
    )
    return organisation


# --- Deleting any record ---------------------------------------------------------------------------


def _blank_history_of_deleted(sender, instance, **kwargs):
    """A deleted record's history keeps its dates and figures, not its free texts or names.

    simple-history writes a "-" entry with all values on deletion (its own post_delete receiver,
    connected when the models were prepared, runs before this one). A signal rather than the delete
    services: the admin, cascades (a consultation's follow-ups) and merges delete records too.
    """
    if sender is Organisation:
        values = {"name": "", **ORGANISATION_PERSONAL}
        _history_model(sender).objects.filter(id=instance.pk).update(**values)
        _relabel_admin_log(instance, neutral_label(instance))
    elif sender is ContactPerson:
        # Its history went with it (cascade_delete_history); its name may remain in log texts.
        _relabel_admin_log(instance, neutral_label(instance))
        names = {getattr(instance, field) for field in CONTACT_PERSON_FIELDS if field != "function"}
        _scrub_admin_log(names)
    elif sender in FREE_TEXT:
        history = _history_model(sender).objects.filter(id=instance.pk)
        history.update(**dict.fromkeys(FREE_TEXT[sender], ""))
        _relabel_admin_log(instance, neutral_label(instance))


def connect_signals() -> None:
    for model in [*FREE_TEXT, Organisation, ContactPerson]:
        post_delete.connect(_blank_history_of_deleted, sender=model, dispatch_uid=f"privacy_erasure_{model.__name__}")
