"""Shared test fixtures: the two units, a person per role, and records of each unit."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone, translation

from casework.models import Assessment, Case, CaseGoal, Consultation, Event, FollowUp, QualityArea, Unit
from casework.roles import ADVISOR, COORDINATOR, admin_group, role_group
from reports.models import Report, ReportFile, WorkerHeartbeat
from tests.factories import ConsultationFactory, OrganisationFactory

User = get_user_model()


@pytest.fixture(autouse=True)
def german_by_default():
    """Each test starts in German: a request in English leaves its language active in the thread, and code
    run outside a request (services, the import engine, reports) would then speak English in later tests."""
    translation.activate("de")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: test transactions roll back, so the dashboard's change version
    (casework/dashboard/stamp.py) can come back with other data, and cached figures must not outlive their test."""
    cache.clear()
    yield


@pytest.fixture
def unit_mo(db):
    return Unit.objects.get(code="mo")


@pytest.fixture
def unit_lots(db):
    return Unit.objects.get(code="lots")


def make_person(username, *groups, **extra):
    user = User.objects.create_user(username=username, password="pw-" + username, **extra)
    user.groups.add(*groups)
    return user


@pytest.fixture
def people(unit_mo, unit_lots):
    """One person per role, keyed by role name as the permission matrix uses them."""
    return {
        "advisor_mo": make_person("beratung-mo", role_group(unit_mo, ADVISOR), first_name="Aylin", last_name="Demir"),
        "coordinator_mo": make_person("koordination-mo", role_group(unit_mo, COORDINATOR)),
        "advisor_lots": make_person("beratung-lots", role_group(unit_lots, ADVISOR)),
        "coordinator_lots": make_person("koordination-lots", role_group(unit_lots, COORDINATOR)),
        "admin": make_person("admin", admin_group(), is_staff=True),
    }


def _archived_report(units):
    """A finished report with stand-in files: the matrix tests access, not rendering."""
    report = Report.objects.create(
        scope=units[0].code if len(units) == 1 else "all",
        period_kind="year",
        first_day=datetime.date(2025, 1, 1),
        last_day=datetime.date(2025, 12, 31),
        requested_by_name="Test",
        status=Report.Status.DONE,
    )
    report.units.set(units)
    ReportFile.objects.create(report=report, format="pdf", content=b"%PDF-1.7 stand-in")
    return report


@pytest.fixture
def records(people, unit_mo, unit_lots):
    """An own (MO), a foreign (Lots) and a shared (MO with Lots) consultation, with uneven extras."""
    org_mo = OrganisationFactory(units=[unit_mo], name="Kulturverein Anatolien e.V.")
    org_lots = OrganisationFactory(units=[unit_lots], name="Integrationslots*innen Marburg", kind="guide_project")
    org_shared = OrganisationFactory(units=[unit_mo], name="Eritreische Gemeinde Gießen e.V.")
    day = datetime.date(2026, 3, 2)
    own = ConsultationFactory(unit=unit_mo, organisation=org_mo, date=day, advisors=[people["advisor_mo"]])
    foreign = ConsultationFactory(unit=unit_lots, organisation=org_lots, date=day, advisors=[people["advisor_lots"]])
    shared = ConsultationFactory(
        unit=unit_mo, shared_with=unit_lots, organisation=org_shared, date=day, advisors=[people["advisor_mo"]]
    )
    # Uneven volumes per unit, so scoped counts prove the scoping.
    ConsultationFactory.create_batch(3, unit=unit_mo, organisation=org_mo, date=day)
    ConsultationFactory.create_batch(1, unit=unit_lots, organisation=org_lots, date=day)
    OrganisationFactory(units=[unit_mo], name="Verein ohne Beratung e.V.")
    contact_mo = org_mo.contacts.create(name="Selin Kaya", function="Vorsitz", consent_date=day)
    contact_lots = org_lots.contacts.create(name="Jonas Weber", function="Koordination", consent_date=day)
    case_own = Case.objects.create(
        unit=unit_mo,
        organisation=org_mo,
        title="Eintragung ins Vereinsregister",
        goal=CaseGoal.objects.filter(unit=unit_mo).first(),
        opened_on=day,
        responsible=people["advisor_mo"],
    )
    case_foreign = Case.objects.create(
        unit=unit_lots,
        organisation=org_lots,
        title="Aufbau des Projekts",
        goal=CaseGoal.objects.filter(unit=unit_lots).first(),
        opened_on=day,
        responsible=people["advisor_lots"],
    )
    follow_up = {
        target: FollowUp.objects.create(
            unit=consultation.unit,
            consultation=consultation,
            due_on=day + datetime.timedelta(days=14),
            what="Nachfassen",
            assigned_to=assignee,
        )
        for target, consultation, assignee in [
            ("own", own, people["advisor_mo"]),
            ("foreign", foreign, people["advisor_lots"]),
            ("shared", shared, people["advisor_mo"]),
        ]
    }
    event = {
        target: Event.objects.create(
            unit=unit,
            is_joint=joint,
            title=title,
            kind="training",
            date=day,
            format="in_person",
            place="Frankfurt am Main, Saalbau Gallus",
            region=org_mo.region,
            participants=12,
        )
        for target, unit, joint, title in [
            ("own", unit_mo, False, "Schulung Vereinsfinanzen"),
            ("foreign", unit_lots, False, "Basisqualifizierung Modul 1"),
            ("shared", unit_mo, True, "Fachtag Vielfalt"),
        ]
    }
    quality_area = QualityArea.objects.filter(unit=unit_lots).first()
    quality_criterion = quality_area.criteria.first()
    assessment = Assessment.objects.create(
        unit=unit_lots, organisation=org_lots, date=day, assessed_by=people["coordinator_lots"]
    )
    assessment.ratings.create(criterion=quality_criterion, rating="partly")
    report = {
        target: _archived_report(units)
        for target, units in [("own", [unit_mo]), ("foreign", [unit_lots]), ("shared", [unit_mo, unit_lots])]
    }
    # A live task worker, so /healthz answers everyone as on a healthy server (tests/matrix/health.py).
    WorkerHeartbeat.objects.create(
        worker_id="test", host="test", pid=1, started_at=timezone.now(), last_seen=timezone.now()
    )
    return {
        "report_own": report["own"],
        "report_foreign": report["foreign"],
        "report_shared": report["shared"],
        "own": own,
        "foreign": foreign,
        "shared": shared,
        "org_own": org_mo,
        "org_foreign": org_lots,
        "org_shared": org_shared,
        "contact_own": contact_mo,
        "contact_foreign": contact_lots,
        "case_own": case_own,
        "case_foreign": case_foreign,
        "follow_up_own": follow_up["own"],
        "follow_up_foreign": follow_up["foreign"],
        "follow_up_shared": follow_up["shared"],
        "event_own": event["own"],
        "event_foreign": event["foreign"],
        "event_shared": event["shared"],
        "quality_area_foreign": quality_area,
        "quality_criterion_foreign": quality_criterion,
        "assessment_foreign": assessment,
    }


@pytest.fixture
def matrix_records(records, people, unit_mo, unit_lots):
    """`records` plus a "shared" target for every record kind that hangs on a shared organisation.

    - contact_shared: a contact person of the shared organisation (MO's; Lots sees it through the share);
    - case_shared: MO's case on the shared organisation, with the shared consultation attached;
    - assessment_shared: a Lots assessment of a Lots project whose consultation is shared with MO.
    """
    day = datetime.date(2026, 3, 2)
    org_shared = records["org_shared"]
    contact = org_shared.contacts.create(name="Hamid Osman", function="Kasse", consent_date=day)
    case = Case.objects.create(
        unit=unit_mo,
        organisation=org_shared,
        title="Gemeinnützigkeit beantragen",
        goal=CaseGoal.objects.filter(unit=unit_mo).first(),
        opened_on=day,
    )
    Consultation.objects.filter(pk=records["shared"].pk).update(case=case)
    project = OrganisationFactory(units=[unit_lots], name="Lotsenprojekt Kassel", kind="guide_project")
    ConsultationFactory(unit=unit_lots, shared_with=unit_mo, organisation=project, date=day)
    assessment = Assessment.objects.create(unit=unit_lots, organisation=project, date=day)
    assessment.ratings.create(criterion=records["quality_criterion_foreign"], rating="met")
    return {**records, "contact_shared": contact, "case_shared": case, "assessment_shared": assessment}
