"""A case's last activity: the latest of its consultations, outcomes reached and follow-ups (created or done)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casework.cases import services
from casework.dashboard import figures
from casework.models import Case, CaseGoal, CaseOutcome, CaseOutcomeReached, FollowUp
from tests.factories import ConsultationFactory, OrganisationFactory
from tests.test_query_counts import real_queries

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine("2026-06-15 10:00 +0200", tick=False)]

TODAY = datetime.date(2026, 6, 15)


def days_ago(days):
    return TODAY - datetime.timedelta(days=days)


def at_noon(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def make_case(unit, organisation, title="Prozess", opened=200):
    goal = CaseGoal.objects.filter(unit=unit).first()
    return Case.objects.create(unit=unit, organisation=organisation, title=title, goal=goal, opened_on=days_ago(opened))


def add_activity(case, person, *, consultation=None, outcome=None, created=None, done=None):
    """Activity on `case`, each given as days ago."""
    if consultation is not None:
        ConsultationFactory(unit=case.unit, organisation=case.organisation, case=case, date=days_ago(consultation))
    if outcome is not None:
        CaseOutcomeReached.objects.create(
            case=case, outcome=CaseOutcome.objects.filter(unit=case.unit).first(), reached_on=days_ago(outcome)
        )
    if created is not None or done is not None:
        follow_up = FollowUp.objects.create(
            unit=case.unit, case=case, due_on=TODAY, what="Nachfassen", assigned_to=person
        )
        changes = {"created_at": at_noon(days_ago(created if created is not None else 150))}
        if done is not None:
            changes |= {"done_at": at_noon(days_ago(done)), "done_by": person}
        FollowUp.objects.filter(pk=follow_up.pk).update(**changes)


def last_activity(case):
    return services.with_last_activity(Case.objects.filter(pk=case.pk)).values_list("last_activity", flat=True).get()


@pytest.mark.parametrize(
    ("activity", "expected"),
    [
        ({}, 200),  # nothing yet: since the opening
        ({"consultation": 40}, 40),
        ({"consultation": 40, "outcome": 20}, 20),
        ({"consultation": 40, "outcome": 20, "created": 10}, 10),
        ({"consultation": 40, "outcome": 20, "created": 10, "done": 5}, 5),
        ({"consultation": 3, "outcome": 20, "created": 10, "done": 5}, 3),
        ({"outcome": 120}, 120),
        ({"created": 30}, 30),
        ({"created": 100, "done": 60}, 60),
    ],
)
def test_last_activity_is_the_latest_of_all_sources(people, unit_mo, activity, expected):
    case = make_case(unit_mo, OrganisationFactory(units=[unit_mo]))
    add_activity(case, people["advisor_mo"], **activity)
    assert last_activity(case) == days_ago(expected)


def test_other_cases_activity_does_not_count(people, unit_mo):
    organisation = OrganisationFactory(units=[unit_mo])
    quiet, busy = make_case(unit_mo, organisation, "ruhig"), make_case(unit_mo, organisation, "lebhaft")
    add_activity(busy, people["advisor_mo"], consultation=1, outcome=2, created=3, done=4)
    ConsultationFactory(unit=unit_mo, organisation=organisation, date=days_ago(1))  # outside any case
    assert last_activity(quiet) == days_ago(200)


def test_list_detail_filter_and_dashboard_agree(client, people, unit_mo):
    organisation = OrganisationFactory(units=[unit_mo])
    case = make_case(unit_mo, organisation, "Satzung")
    add_activity(case, people["advisor_mo"], consultation=150, created=120, done=95)
    client.force_login(people["coordinator_mo"])

    listed = client.get(reverse("casework:case_list")).context["page"][0]
    assert (listed.last_activity, listed.idle_days) == (days_ago(95), 95)
    detail = client.get(reverse("casework:case_detail", kwargs={"pk": case.pk}))
    assert "95 Tage ohne Aktivität" in detail.content.decode()
    titles = lambda params: [c.title for c in client.get(reverse("casework:case_list"), params).context["page"]]  # noqa: E731
    assert titles({"idle_days": "94"}) == ["Satzung"]
    assert titles({"idle_days": "95"}) == []
    overview = figures.case_overview(unit_mo, TODAY)
    assert [(c["title"], c["days"]) for c in overview["idle_cases"]] == [("Satzung", 95)]
    # A follow-up done today makes it active again everywhere.
    FollowUp.objects.filter(case=case).update(done_at=at_noon(TODAY))
    assert client.get(reverse("casework:case_list")).context["page"][0].idle_days == 0
    assert figures.case_overview(unit_mo, TODAY)["idle"] == 0


def _list_queries(client):
    client.get(reverse("casework:case_list"))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("casework:case_list"), {"idle_days": "1"})
    assert response.status_code == 200
    return len(real_queries(captured.captured_queries)), len(response.context["page"])


def test_case_list_queries_do_not_grow_with_cases_or_activity(client, people, unit_mo, django_assert_max_num_queries):
    organisation = OrganisationFactory(units=[unit_mo])
    client.force_login(people["coordinator_mo"])
    for index in range(2):
        add_activity(make_case(unit_mo, organisation, f"P{index}"), people["advisor_mo"], consultation=5, done=4)
    few, shown_few = _list_queries(client)
    for index in range(2, 25):
        case = make_case(unit_mo, organisation, f"P{index}")
        add_activity(case, people["advisor_mo"], consultation=5 + index, outcome=4, created=3, done=2)
    many, shown_many = _list_queries(client)
    assert (shown_few, shown_many) == (2, 25)
    assert few == many
    with django_assert_max_num_queries(few):
        client.get(reverse("casework:case_list"), {"idle_days": "1"})
