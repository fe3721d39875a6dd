"""Art. 15 "Done when": the export holds every stored datum of a seeded organisation.

The list it is checked against is built from the models, not from the export: the test walks every relation
that leads to the organisation (foreign keys and many-to-many relations pointing at it, and on from there,
history tables included), collects the rows that concern it, and demands each row in the export with the
value of every concrete field and many-to-many relation. A model added later that points at an organisation,
or a field added to one of these models, fails here until the export carries it (and the seed fills it).
"""

import datetime

import pytest
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from casework.guides.models import GuideCount, GuideTraining
from casework.models import (
    Assessment,
    AssessmentRating,
    Case,
    CaseGoal,
    CaseOutcome,
    CaseOutcomeReached,
    Consultation,
    ConsultationGroupObjectPermission,
    Event,
    FollowUp,
    QualityArea,
    Topic,
)
from casework.privacy.information import organisation_information
from casework.search.fields import SearchTextField, SortKeyField
from organisations.models import ContactPerson, Organisation, Region
from reports.models import Report
from tests.factories import ConsultationFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 5, 6)

# Models that point at an organisation but hold no datum of their own beyond what the export carries elsewhere.
EXEMPT = {
    # Per-object grants of a shared consultation: the sharing itself is the consultation's `shared_with`.
    ConsultationGroupObjectPermission: "grant",
}


def _is_m2m_table(model) -> bool:
    """Auto-created through tables and simple-history's m2m tables: exported as the m2m fields' values."""
    return model._meta.auto_created or any(f.name == "m2m_history_id" for f in model._meta.fields)


def rows_about(organisation) -> dict:
    """model → primary keys of its rows that concern `organisation`, found by walking the relations."""
    found = {Organisation: {organisation.pk}}
    queue = [Organisation]
    while queue:
        parent = queue.pop(0)
        parent_pks = found[parent]
        for relation in parent._meta.get_fields(include_hidden=True):
            if not (
                relation.auto_created and not relation.concrete and (relation.one_to_many or relation.many_to_many)
            ):
                continue
            child = relation.related_model
            if _is_m2m_table(child) or child in EXEMPT:
                continue
            lookup = f"{relation.field.name}__in"
            pks = set(child._default_manager.filter(**{lookup: parent_pks}).values_list("pk", flat=True))
            if not pks - found.get(child, set()):
                found.setdefault(child, set())
                continue
            found[child] = found.get(child, set()) | pks
            queue.append(child)
    # simple-history keeps a model's history beside it, tied by the record's id (no relation to walk).
    for model, pks in list(found.items()):
        if hasattr(model, "history") and not model._meta.model_name.startswith("historical"):
            history_model = model.history.model
            history_pks = set(history_model.objects.filter(id__in=pks).values_list("pk", flat=True))
            found[history_model] = found.get(history_model, set()) | history_pks
    return found


@pytest.fixture
def seeded(people, unit_mo, unit_lots, records):
    """An organisation with a row of every kind that can concern it, every field filled."""
    other_region = Region.objects.exclude(name="Frankfurt am Main").first()
    org = OrganisationFactory(
        units=[unit_mo, unit_lots],
        name="Marker-Verein Qz01 e.V.",
        kind=Organisation.Kind.GUIDE_PROJECT,
        legal_form=Organisation.LegalForm.FOUNDATION,
        host_type=Organisation.HostType.WELFARE,
        charitable_status=Organisation.CharitableStatus.APPLIED,
        founding_year=1999,
        region=other_region,
        municipality="Qz02-Stadt",
        email="qz03@example.org",
        phone="+49 69 1234",
        website="https://qz04.example.org",
        member_count=42,
        may_be_named=True,
        created_by=people["coordinator_mo"],
    )
    org.name = "Marker-Verein Qz05 e.V."  # a second history entry with a former name
    org.save()
    contact = org.contacts.create(
        name="Qz06 Person", function="Vorsitz Qz07", email="qz08@example.org", phone="0151 1", consent_date=DAY
    )
    contact.phone = "0151 2"
    contact.save()
    goal = CaseGoal.objects.filter(unit=unit_mo).first()
    case = Case.objects.create(
        unit=unit_mo,
        organisation=org,
        title="Qz09 Prozess",
        goal=goal,
        description="Qz10 Ausgangslage",
        status=Case.Status.CLOSED,
        opened_on=DAY,
        closed_on=DAY + datetime.timedelta(days=30),
        responsible=people["advisor_mo"],
        created_by=people["advisor_mo"],
    )
    outcome = CaseOutcome.objects.filter(unit=unit_mo).first() or CaseOutcome.objects.create(unit=unit_mo, name="Qz")
    CaseOutcomeReached.objects.create(case=case, outcome=outcome, reached_on=DAY)
    criterion = QualityArea.objects.filter(unit=unit_lots).first().criteria.first()
    consultation = ConsultationFactory(
        unit=unit_mo,
        shared_with=unit_lots,
        organisation=org,
        region=other_region,
        date=DAY,
        summary="Qz11 Zusammenfassung",
        agreements="Qz12 Vereinbarung",
        case=case,
        created_by=people["advisor_mo"],
        advisors=[people["advisor_mo"]],
        topics=list(Topic.objects.filter(unit=unit_mo)[:2]),
    )
    consultation.criteria.add(criterion)
    gone = ConsultationFactory(unit=unit_mo, organisation=org, region=other_region, date=DAY, summary="Qz13 gelöscht")
    gone.delete()
    FollowUp.objects.create(
        unit=unit_mo,
        consultation=consultation,
        due_on=DAY,
        what="Qz14 anrufen",
        assigned_to=people["advisor_mo"],
        done_at=timezone.now(),
        done_by=people["advisor_mo"],
        created_by=people["advisor_mo"],
    )
    FollowUp.objects.create(unit=unit_mo, case=case, due_on=DAY, what="Qz15 Satzung", assigned_to=people["advisor_mo"])
    event = Event.objects.create(
        unit=unit_mo,
        is_joint=True,
        title="Qz16 Schulung",
        kind=Event.Kind.TRAINING,
        date=DAY,
        format=Event.Format.HYBRID,
        teaching_units=4,
        participants=20,
        created_by=people["coordinator_mo"],
    )
    event.topics.set(Topic.objects.filter(unit=unit_mo)[:1])
    event.organisations.set([org, records["org_own"]])
    assessment = Assessment.objects.create(
        unit=unit_lots, organisation=org, date=DAY, note="Qz17 Anmerkung", assessed_by=people["coordinator_lots"]
    )
    assessment.ratings.create(criterion=criterion, rating="partly", note="Qz18 Notiz")
    GuideCount.objects.create(
        unit=unit_lots, organisation=org, as_of=DAY, active=12, note="Qz19 Zählung", created_by=people["advisor_lots"]
    )
    GuideTraining.objects.create(
        unit=unit_lots,
        organisation=org,
        kind=GuideTraining.Kind.BASIC,
        date=DAY,
        title="Qz20 Basisqualifizierung",
        teaching_units=24,
        participants=11,
        created_by=people["advisor_lots"],
    )
    report = Report.objects.create(
        scope="all",
        period_kind="year",
        first_day=datetime.date(2025, 1, 1),
        last_day=datetime.date(2025, 12, 31),
        requested_by_name="Test",
        status=Report.Status.DONE,
        figures={"named_organisations": ["Anderer Verein", "Marker-Verein Qz01 e.V."]},
    )
    LogEntry.objects.create(
        user=people["admin"],
        content_type=ContentType.objects.get_for_model(Organisation),
        object_id=str(org.pk),
        object_repr=org.name,
        action_flag=CHANGE,
        change_message='[{"changed": {"fields": ["Telefon"]}}]',
    )
    return {"org": org, "report": report, "other_org": records["org_own"]}


def model_fields(model):
    """Built from the model, independently of the export: every concrete field and m2m relation but derived copies."""
    concrete = [f for f in model._meta.concrete_fields if not isinstance(f, (SearchTextField, SortKeyField))]
    return concrete + list(model._meta.many_to_many)


def _expected(field, obj):
    value = getattr(obj, field.attname)
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _matches(field, obj, exported, subject):
    if field.many_to_many:
        ids = set(getattr(obj, field.name).values_list("pk", flat=True))
        if field.related_model is Organisation:
            ids &= {subject.pk}  # other organisations at an event are theirs, not the subject's
        return {ref["id"] for ref in exported} == ids
    if field.many_to_one or field.one_to_one:
        fk = getattr(obj, field.attname)
        return exported is None if fk is None else exported["id"] == fk
    return exported == _expected(field, obj)


def _history_m2m_ids(history_model, entry, field, subject):
    """The ids an m2m field held at a history entry, read from simple-history's m2m table."""
    target = field.m2m_reverse_field_name()
    table = next(
        rel.related_model
        for rel in history_model._meta.related_objects
        if _is_m2m_table(rel.related_model) and any(f.name == target for f in rel.related_model._meta.fields)
    )
    ids = set(table.objects.filter(history=entry).values_list(f"{target}_id", flat=True))
    return ids & {subject.pk} if field.related_model is Organisation else ids


def problems(document, org) -> list[str]:
    """What the export lacks of the rows `rows_about` finds: an empty list means complete."""
    sections = {}
    for section in document["sections"]:
        if section["model"]:
            sections.setdefault(section["model"], []).extend(section["records"])
    found = []
    for model, pks in rows_about(org).items():
        label = model._meta.label_lower
        if label not in sections:
            found.append(f"{label} concerns the organisation but the export has no section for it")
            continue
        if not pks:
            found.append(f"seed a row of {label}, so that its fields are checked")
        key = "history_id" if model._meta.model_name.startswith("historical") else "id"
        exported = {row.get(key): row for row in sections[label]}
        for obj in model._default_manager.filter(pk__in=pks):
            row = exported.get(obj.pk)
            if row is None:
                found.append(f"{label} #{obj.pk} missing")
                continue
            for field in model_fields(model):
                if field.name not in row:
                    found.append(f"{label}.{field.name} not exported")
                elif not _matches(field, obj, row[field.name], org):
                    found.append(f"{label} #{obj.pk} {field.name}: {row[field.name]!r}")
            for field in getattr(model, "_history_m2m_fields", None) or []:
                exported_ids = {ref["id"] for ref in row.get(field.name, [])}
                if exported_ids != _history_m2m_ids(model, obj, field, org):
                    found.append(f"{label} #{obj.pk} {field.name} (m2m at that time)")
    return found


def test_export_contains_every_stored_datum_of_the_organisation(seeded, people):
    org = seeded["org"]
    document = organisation_information(people["admin"], org)

    about = rows_about(org)
    # The walk reaches what the issue lists: contact persons, consultations, cases, follow-ups, event
    # attendance, assessments and their histories, the deleted consultation's too (else it proves nothing).
    for model in (ContactPerson, Consultation, Case, FollowUp, Event, Assessment, AssessmentRating, CaseOutcomeReached):
        assert about.get(model), model
        assert about.get(model.history.model), model
    assert Consultation.history.filter(pk__in=about[Consultation.history.model], history_type="-").exists()

    assert problems(document, org) == []

    # Archived reports that name it (with the name it had then) and the admin log entry.
    reports = next(s for s in document["sections"] if s["key"] == "reports")["records"]
    assert [(r["id"], r["named_as"]) for r in reports] == [(seeded["report"].pk, ["Marker-Verein Qz01 e.V."])]
    log = next(s for s in document["sections"] if s["key"] == "admin_log")["records"]
    entry = LogEntry.objects.get(object_id=str(org.pk), content_type__model="organisation")
    assert [(r["object_repr"], r["change_message"]) for r in log] == [(entry.object_repr, entry.change_message)]
    # Purposes and the periods in force are stated.
    assert document["purposes"]
    assert {r["key"] for r in document["retention"]} == set(settings.RETENTION)


def test_a_missing_field_or_section_is_caught(seeded, people):
    """The check is not vacuous: an export without a field, a record or a section fails it."""
    org = seeded["org"]
    document = organisation_information(people["admin"], org)
    by_key = {s["key"]: s for s in document["sections"]}
    del by_key["organisation"]["records"][0]["phone"]
    by_key["follow_ups"]["records"].pop()
    document["sections"].remove(by_key["assessment_ratings"])
    found = problems(document, org)
    assert "organisations.organisation.phone not exported" in found
    assert any(p.startswith("casework.followup #") and p.endswith("missing") for p in found)
    assert "casework.assessmentrating concerns the organisation but the export has no section for it" in found


def test_other_organisations_at_an_event_are_not_named(seeded, people):
    document = organisation_information(people["admin"], seeded["org"])
    events = next(s for s in document["sections"] if s["key"] == "events")["records"]
    assert [ref["id"] for ref in events[0]["organisations"]] == [seeded["org"].pk]
    assert seeded["other_org"].name not in str(document)
