"""Beratungsprozesse: begin, edit, close with outcomes, reopen, list filters, scoping, history."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from casework.cases import services as cases
from casework.models import Case, CaseGoal, CaseOutcome, CaseOutcomeReached, Consultation
from tests.conftest import make_person
from tests.factories import ConsultationFactory, OrganisationFactory
from tests.test_query_counts import MAX_FORM_QUERIES, MAX_QUERIES, assert_max_queries, real_queries

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 2)  # opening date of the `records` cases


def today():
    return timezone.localdate()


def days_ago(days):
    return today() - datetime.timedelta(days=days)


def url(name, case=None, **params):
    path = reverse(f"casework:{name}", kwargs={"pk": case.pk} if case else None)
    return path + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def case_data(organisation, unit, goal, /, **overrides):
    data = {
        "unit": unit.pk,
        "organisation": organisation.pk,
        "title": "Gemeinnützigkeit beantragen",
        "goal": goal.pk,
        "description": "Der Verein möchte Spendenquittungen ausstellen können.",
        "opened_on": "2026-04-01",
        "responsible": "",
    }
    data.update(overrides)
    return data


def mo_goal(unit_mo):
    return CaseGoal.objects.filter(unit=unit_mo).first()


def outcome(unit, position=0):
    return CaseOutcome.objects.filter(unit=unit)[position]


@pytest.fixture
def reader(unit_mo):
    """Someone who may see the MO unit's records but not change them."""
    person = make_person("lesen-mo")
    assign_perm("casework.view_unit_records", person, unit_mo)
    return person


# --- Begin and edit ------------------------------------------------------------------------------


def test_advisor_begins_case(client, people, records, unit_mo):
    advisor = people["advisor_mo"]
    client.force_login(advisor)
    organisation = OrganisationFactory(units=[records["org_own"].units.first()])
    goal = mo_goal(unit_mo)
    response = client.post(url("case_create"), case_data(organisation, unit_mo, goal, responsible=advisor.pk))
    case = Case.objects.latest("id")
    assert response.status_code == 302
    assert response["Location"] == url("case_detail", case)
    assert (case.unit, case.organisation, case.goal, case.status) == (unit_mo, organisation, goal, "open")
    assert (case.opened_on, case.closed_on, case.responsible, case.created_by) == (
        datetime.date(2026, 4, 1),
        None,
        advisor,
        advisor,
    )
    assert case.history.count() == 1
    assert case.history.first().history_user == advisor


def test_case_makes_organisation_a_partner_of_the_unit(people, records, unit_mo, unit_lots):
    organisation = OrganisationFactory(units=[unit_lots])
    case = Case(unit=unit_mo, organisation=organisation, title="T", goal=mo_goal(unit_mo), opened_on=DAY)
    cases.case_create(case=case, by=people["admin"])
    assert set(organisation.units.all()) == {unit_mo, unit_lots}


def test_create_form_is_prefilled_from_the_organisation_page(client, people, records, unit_mo):
    client.force_login(people["admin"])
    form = client.get(url("case_create", organisation=records["org_own"].pk)).context["form"]
    assert form.initial["organisation"] == records["org_own"].pk
    assert form.initial["unit"] == unit_mo.pk
    assert [value for value, _label in form.fields["organisation"].widget.choices if value] == [records["org_own"].pk]


def test_goal_choices_are_scoped_to_the_unit(client, people, records, unit_mo, unit_lots):
    joint = CaseGoal.objects.create(unit=None, name="Vernetzung im Sozialraum")
    retired = CaseGoal.objects.create(unit=unit_mo, name="Alte Zielsetzung", retired_at=DAY)
    client.force_login(people["advisor_mo"])
    goals = client.get(url("case_create")).context["form"].fields["goal"].queryset
    assert joint in goals
    assert set(CaseGoal.objects.filter(unit=unit_mo, retired_at__isnull=True)) <= set(goals)
    assert not goals.filter(unit=unit_lots).exists()
    assert retired not in goals

    # A retired goal already chosen stays selectable on the case that has it.
    case = records["case_own"]
    Case.objects.filter(pk=case.pk).update(goal=retired)
    goals = client.get(url("case_edit", case)).context["form"].fields["goal"].queryset
    assert retired in goals
    assert not goals.filter(unit=unit_lots).exists()


def test_foreign_goal_and_responsible_are_rejected(client, people, records, unit_mo, unit_lots):
    client.force_login(people["admin"])  # the administration may use both units' catalogues
    lots_goal = CaseGoal.objects.filter(unit=unit_lots).first()
    before = Case.objects.count()
    data = case_data(records["org_own"], unit_mo, lots_goal, responsible=people["advisor_lots"].pk)
    response = client.post(url("case_create"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["goal"] == ["Dieses Ziel gehört nicht zum Katalog der gewählten Fachstelle."]
    assert errors["responsible"] == ["Verantwortlich kann nur eine Person der gewählten Fachstelle sein."]
    assert Case.objects.count() == before


def test_status_can_be_set_to_dormant_and_back(client, people, records):
    case = records["case_own"]
    advisor = people["advisor_mo"]
    client.force_login(advisor)
    data = case_data(case.organisation, case.unit, case.goal, title=case.title, opened_on="2026-03-02")
    response = client.post(url("case_edit", case), {**data, "status": "dormant", "loaded_version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "dormant"
    client.post(url("case_edit", case), {**data, "status": "open", "loaded_version": case.version})
    case.refresh_from_db()
    assert case.status == "open"
    assert [h.status for h in case.history.order_by("history_id")] == ["open", "dormant", "open"]
    # Closing is not a status choice: it needs outcomes.
    response = client.post(url("case_edit", case), {**data, "status": "closed", "loaded_version": case.version})
    assert "status" in response.context["form"].errors
    case.refresh_from_db()
    assert case.status == "open"


def test_unit_and_organisation_are_fixed_on_edit(client, people, records, unit_lots):
    case = records["case_own"]
    client.force_login(people["admin"])
    data = case_data(records["org_foreign"], unit_lots, case.goal, title="Neu", opened_on="2026-03-02", status="open")
    data["loaded_version"] = case.version
    assert client.post(url("case_edit", case), data).status_code == 302
    case.refresh_from_db()
    assert (case.unit.code, case.organisation, case.title) == ("mo", records["org_own"], "Neu")


# --- Close and reopen ----------------------------------------------------------------------------


def test_close_with_outcomes(client, people, records, unit_mo):
    case = records["case_own"]
    coordinator = people["coordinator_mo"]
    client.force_login(coordinator)
    first, second = outcome(unit_mo, 0), outcome(unit_mo, 1)
    response = client.get(url("case_close", case))
    assert response.status_code == 200
    form = response.context["form"]
    assert {f"outcome_{first.pk}", f"outcome_{second.pk}"} <= set(form.fields)
    response = client.post(
        url("case_close", case),
        {
            "closed_on": "2026-06-30",
            f"outcome_{first.pk}": "2026-05-15",
            f"outcome_{second.pk}": "2026-06-30",
            "loaded_version": case.version,
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.closed_on) == ("closed", datetime.date(2026, 6, 30))
    assert {(r.outcome, r.reached_on) for r in case.outcomes_reached.all()} == {
        (first, datetime.date(2026, 5, 15)),
        (second, datetime.date(2026, 6, 30)),
    }
    assert case.history.count() == 2
    assert case.history.first().history_user == coordinator
    assert CaseOutcomeReached.history.filter(case_id=case.pk, history_type="+").count() == 2
    # The case page shows both kinds of history to the coordinator.
    history = client.get(url("case_detail", case)).context["history"]
    kinds = [entry.kind for entry in history]
    assert kinds.count("Ergebnis erreicht") == 2 and "geändert" in kinds and "angelegt" in kinds
    assert ("Status", "offen", "abgeschlossen") in [c for entry in history for c in entry.changes]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"closed_on": "2026-06-30"}, "__all__", "Bitte mindestens ein erreichtes Ergebnis mit Datum angeben."),
        ({"closed_on": "2026-02-01", "reached": "2026-02-01"}, "closed_on", "vor dem Beginn (02.03.2026)"),
        ({"closed_on": "2999-01-01", "reached": "2026-05-01"}, "closed_on", "nicht in der Zukunft"),
        ({"closed_on": "2026-13-01", "reached": "2026-05-01"}, "closed_on", "Bitte ein gültiges Datum eingeben."),
        ({"closed_on": "", "reached": "2026-05-01"}, "closed_on", "Dieses Feld ist zwingend erforderlich."),
        ({"closed_on": "2026-06-30", "reached": "2026-07-01"}, "outcome", "nicht nach dem Abschluss"),
        ({"closed_on": "2026-06-30", "reached": "2026-01-01"}, "outcome", "nicht vor dem Beginn"),
        ({"closed_on": "2026-06-30", "reached": "gestern"}, "outcome", "Bitte ein gültiges Datum eingeben."),
    ],
)
def test_close_validation(client, people, records, unit_mo, data, field, message):
    case = records["case_own"]
    client.force_login(people["advisor_mo"])
    first = outcome(unit_mo)
    post = {"closed_on": data["closed_on"]}
    if "reached" in data:
        post[f"outcome_{first.pk}"] = data["reached"]
    response = client.post(url("case_close", case), post)
    assert response.status_code == 200
    errors = response.context["form"].errors
    key = f"outcome_{first.pk}" if field == "outcome" else field
    assert message in " ".join(errors[key])
    case.refresh_from_db()
    assert (case.status, case.closed_on) == ("open", None)
    assert not case.outcomes_reached.exists()


def test_close_rejects_outcomes_of_the_other_unit(client, people, records, unit_lots):
    case = records["case_own"]
    client.force_login(people["advisor_mo"])
    foreign = outcome(unit_lots)
    response = client.post(url("case_close", case), {"closed_on": "2026-06-30", f"outcome_{foreign.pk}": "2026-06-01"})
    assert response.status_code == 200
    assert f"outcome_{foreign.pk}" not in response.context["form"].fields
    assert not CaseOutcomeReached.objects.exists()


def test_service_refuses_to_close_without_outcome_or_before_opening(people, records, unit_mo):
    from django.core.exceptions import ValidationError

    case = records["case_own"]
    with pytest.raises(ValidationError, match="mindestens ein erreichtes Ergebnis"):
        cases.case_close(case=case, by=people["advisor_mo"], closed_on=DAY, outcomes={})
    with pytest.raises(ValidationError, match="nicht vor dem Beginn"):
        cases.case_close(
            case=case,
            by=people["advisor_mo"],
            closed_on=DAY - datetime.timedelta(days=1),
            outcomes={outcome(unit_mo): DAY},
        )
    case.refresh_from_db()
    assert case.status == "open"


def test_reopen_keeps_outcomes_and_closing_again_replaces_them(client, people, records, unit_mo):
    case = records["case_own"]
    advisor = people["advisor_mo"]
    first, second = outcome(unit_mo, 0), outcome(unit_mo, 1)
    cases.case_close(case=case, by=advisor, closed_on=datetime.date(2026, 5, 1), outcomes={first: DAY})
    client.force_login(advisor)
    response = client.post(url("case_reopen", case), {"loaded_version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.closed_on) == ("open", None)
    assert [r.outcome for r in case.outcomes_reached.all()] == [first]
    assert [h.status for h in case.history.order_by("history_id")] == ["open", "closed", "open"]
    assert case.history.first().history_user == advisor

    # The close form shows what was reached; clearing a date removes that outcome (with history).
    form = client.get(url("case_close", case)).context["form"]
    assert form.fields[f"outcome_{first.pk}"].initial == DAY
    client.post(
        url("case_close", case),
        {"closed_on": "2026-07-01", f"outcome_{second.pk}": "2026-06-01", "loaded_version": case.version},
    )
    case.refresh_from_db()
    assert case.status == "closed"
    assert [r.outcome for r in case.outcomes_reached.all()] == [second]
    assert CaseOutcomeReached.history.filter(case_id=case.pk, history_type="-", outcome=first).exists()


def test_reopen_needs_post_and_a_closed_case(client, people, records):
    case = records["case_own"]
    client.force_login(people["advisor_mo"])
    assert client.get(url("case_reopen", case)).status_code == 405
    response = client.post(url("case_reopen", case), {"loaded_version": case.version}, follow=True)
    assert "Nur abgeschlossene Beratungsprozesse können wieder geöffnet werden." in response.content.decode()
    assert case.history.count() == 1


def test_closing_a_closed_case_again_changes_nothing(client, people, records, unit_mo):
    case = records["case_own"]
    cases.case_close(case=case, by=None, closed_on=DAY, outcomes={outcome(unit_mo): DAY})
    client.force_login(people["advisor_mo"])
    response = client.post(url("case_close", case), {"closed_on": "2026-08-01"}, follow=True)
    assert "bereits abgeschlossen" in response.content.decode()
    case.refresh_from_db()
    assert case.closed_on == DAY


@pytest.mark.parametrize(
    ("role", "target", "expected"),
    [
        ("advisor_lots", "case_own", 404),
        ("coordinator_mo", "case_foreign", 404),
        ("reader", "case_own", 403),
        ("anonymous", "case_own", 302),
    ],
)
def test_denied_writes_change_nothing(client, people, records, reader, unit_mo, role, target, expected):
    case = records[target]
    if role == "reader":
        client.force_login(reader)
    elif role != "anonymous":
        client.force_login(people[role])
    reached = {f"outcome_{o.pk}": "2026-05-01" for o in CaseOutcome.objects.all()}
    assert client.post(url("case_close", case), {"closed_on": "2026-06-01", **reached}).status_code == expected
    assert client.post(url("case_edit", case), {"title": "überschrieben"}).status_code == expected
    case.refresh_from_db()
    assert case.status == "open" and case.title != "überschrieben"
    Case.objects.filter(pk=case.pk).update(status="closed", closed_on=DAY)
    assert client.post(url("case_reopen", case)).status_code == expected
    case.refresh_from_db()
    assert case.status == "closed"


def test_reader_sees_but_may_not_begin(client, records, reader):
    client.force_login(reader)
    assert client.get(url("case_detail", records["case_own"])).status_code == 200
    response = client.get(url("case_detail", records["case_own"]))
    assert response.context["can_change"] is False
    assert "Beratung zu diesem Prozess erfassen" not in response.content.decode()
    assert client.get(url("case_create")).status_code == 403
    assert client.post(url("case_create"), {"title": "x"}).status_code == 403


# --- Case page -----------------------------------------------------------------------------------


def test_case_page_shows_visible_consultations_and_links(client, people, records, unit_mo, unit_lots):
    case = records["case_own"]
    org = case.organisation
    mine = ConsultationFactory(unit=unit_mo, organisation=org, case=case, date=datetime.date(2026, 4, 1))
    shared = ConsultationFactory(
        unit=unit_mo, shared_with=unit_lots, organisation=org, case=case, date=datetime.date(2026, 5, 1)
    )
    ConsultationFactory(unit=unit_mo, organisation=org, date=datetime.date(2026, 6, 1))  # not in the case
    client.force_login(people["advisor_mo"])
    response = client.get(url("case_detail", case))
    assert list(response.context["consultations"]) == [shared, mine]
    html = response.content.decode()
    assert f"{reverse('casework:consultation_create')}?organisation={org.pk}&amp;case={case.pk}" in html
    assert response.context["history"] is None  # advisors do not see the history


def test_consultation_form_offers_the_case(client, people, records):
    case = records["case_own"]
    client.force_login(people["advisor_mo"])
    form = client.get(
        reverse("casework:consultation_create"), {"organisation": case.organisation_id, "case": case.pk}
    ).context["form"]
    assert form.initial["case"] == case.pk
    assert list(form.fields["case"].queryset) == [case]


def test_organisation_page_lists_cases(client, people, records, unit_mo, unit_lots):
    org = records["org_own"]
    dormant = Case.objects.create(
        unit=unit_mo, organisation=org, title="Förderantrag", goal=mo_goal(unit_mo), opened_on=DAY, status="dormant"
    )
    client.force_login(people["advisor_mo"])
    response = client.get(reverse("organisations:organisation_detail", kwargs={"pk": org.pk}))
    assert list(response.context["org_cases"]) == [records["case_own"], dormant]
    html = response.content.decode()
    assert "Beratungsprozess beginnen" in html
    assert f"{reverse('casework:case_create')}?organisation={org.pk}" in html
    assert "ruhend" in html and url("case_detail", dormant) in html


def test_organisation_page_hides_other_units_cases(client, people, records, unit_mo, unit_lots):
    org = records["org_shared"]  # worked with by both units through the shared consultation
    Case.objects.create(unit=unit_mo, organisation=org, title="Nur MO", goal=mo_goal(unit_mo), opened_on=DAY)
    client.force_login(people["advisor_lots"])
    response = client.get(reverse("organisations:organisation_detail", kwargs={"pk": org.pk}))
    assert list(response.context["org_cases"]) == []
    assert "Nur MO" not in response.content.decode()


def test_navigation_offers_cases(client, people):
    client.force_login(people["advisor_mo"])
    assert f'href="{url("case_list")}"' in client.get(reverse("casework:home")).content.decode()


# --- List, filters, scoping ----------------------------------------------------------------------


@pytest.mark.parametrize(("role", "titles"), [
    ("advisor_mo", {"Eintragung ins Vereinsregister"}),
    ("coordinator_mo", {"Eintragung ins Vereinsregister"}),
    ("advisor_lots", {"Aufbau des Projekts"}),
    ("coordinator_lots", {"Aufbau des Projekts"}),
    ("admin", {"Eintragung ins Vereinsregister", "Aufbau des Projekts"}),
])  # fmt: skip
def test_list_is_scoped(client, people, records, role, titles):
    client.force_login(people[role])
    response = client.get(url("case_list"))
    assert {case.title for case in response.context["page"]} == titles
    # Searching for the other unit's title finds nothing.
    found = {case.title for case in client.get(url("case_list"), {"q": "Aufbau"}).context["page"]}
    assert found == titles & {"Aufbau des Projekts"}


def test_filter_choices_are_scoped(client, people, records, unit_lots):
    client.force_login(people["advisor_mo"])
    form = client.get(url("case_list")).context["filter"].form

    def offered(name):
        return {value for value, _label in form.fields[name].choices if value != ""}

    assert not offered("goal") & set(CaseGoal.objects.filter(unit=unit_lots).values_list("pk", flat=True))
    assert people["advisor_mo"].pk in offered("responsible")
    assert people["advisor_lots"].pk not in offered("responsible")
    assert offered("unit") == {records["case_own"].unit_id}


@pytest.fixture
def idle_cases(people, unit_mo):
    """Cases whose idle days are known by hand: A 100 (no consultation), B 10, C 40, D closed."""
    org = OrganisationFactory(units=[unit_mo])
    goal = mo_goal(unit_mo)

    def make(title, opened, **extra):
        return Case.objects.create(
            unit=unit_mo, organisation=org, title=title, goal=goal, opened_on=days_ago(opened), **extra
        )

    a = make("A", 100, responsible=people["advisor_mo"])
    b = make("B", 200)
    c = make("C", 50)
    d = make("D", 300, status="closed", closed_on=days_ago(250))
    for case, consultation_days in [(b, [150, 10, 60]), (c, [45, 40]), (d, [280])]:
        for days in consultation_days:
            ConsultationFactory(unit=unit_mo, organisation=org, case=case, date=days_ago(days))
    # A consultation of the organisation outside any case does not count.
    ConsultationFactory(unit=unit_mo, organisation=org, date=days_ago(1))
    return {"A": a, "B": b, "C": c, "D": d}


@pytest.mark.parametrize(
    ("idle_days", "expected"),
    [("", "ABCD"), ("0", "ABCD"), ("9", "ABCD"), ("10", "ACD"), ("39", "ACD"), ("40", "AD"), ("99", "AD"),
     ("100", "D"), ("279", "D"), ("280", "")],
)  # fmt: skip
def test_idle_filter(client, people, idle_cases, idle_days, expected):
    client.force_login(people["coordinator_mo"])
    page = client.get(url("case_list"), {"idle_days": idle_days}).context["page"]
    assert "".join(sorted(case.title for case in page)) == expected


def test_list_shows_idle_days(client, people, idle_cases):
    client.force_login(people["coordinator_mo"])
    response = client.get(url("case_list"))
    shown = {case.title: (case.idle_days, case.last_activity) for case in response.context["page"]}
    assert shown == {
        "A": (100, days_ago(100)),
        "B": (10, days_ago(10)),
        "C": (40, days_ago(40)),
        "D": (None, days_ago(280)),
    }


def test_idle_is_computed_in_the_database(client, people, idle_cases):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(people["coordinator_mo"])
    client.get(url("case_list"))
    with CaptureQueriesContext(connection) as captured:
        client.get(url("case_list"), {"idle_days": "30"})
    sql = " ".join(real_queries(captured.captured_queries)).upper()
    # One subquery per source of activity (its latest row), the greatest of them compared in the WHERE clause
    # (casework/cases/services.py); SQLite spells GREATEST as MAX.
    assert ("GREATEST(" in sql or "MAX(" in sql) and "COALESCE(" in sql and "LIMIT 1" in sql and "WHERE" in sql


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "closed"}, "D"),
        ({"status": "open"}, "ABC"),
        ({"responsible": "{advisor}"}, "A"),
        ({"q": " c "}, "C"),
        ({"region": "{region}"}, "ABCD"),
        ({"goal": "{goal}"}, "ABCD"),
        ({"idle_days": "30", "status": "open"}, "AC"),
    ],
)
def test_list_filters(client, people, idle_cases, params, expected):
    client.force_login(people["coordinator_mo"])
    a = idle_cases["A"]
    values = {"advisor": people["advisor_mo"].pk, "region": a.organisation.region_id, "goal": a.goal_id}
    params = {key: value.format(**values) for key, value in params.items()}
    page = client.get(url("case_list"), params).context["page"]
    assert "".join(sorted(case.title for case in page if case.title in "ABCD")) == expected


# --- Bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"idle_days": "abc"},
        {"idle_days": "-1"},
        {"idle_days": "1.5"},
        {"idle_days": "9" * 30},
        {"status": "verschollen"},
        {"goal": "999999"},
        {"goal": "x"},
        {"responsible": "1; DROP TABLE"},
        {"region": "99999999999999999999"},
        {"unit": "-1"},
        {"q": "x" * 5000},
        {"q": "\x00"},
        {"page": "999999"},
        {"page": "eins"},
    ],
)
def test_bad_filter_values_never_fail(client, people, records, params):
    client.force_login(people["advisor_mo"])
    response = client.get(url("case_list"), params)
    assert response.status_code == 200
    assert "Beratungsprozesse" in response.content.decode()


def test_invalid_filter_shows_german_message(client, people, records):
    client.force_login(people["advisor_mo"])
    html = client.get(url("case_list"), {"idle_days": "abc", "status": "x"}).content.decode()
    assert "Ganzzahl" in html or "ganze Zahl" in html
    assert "Bitte eine gültige Auswahl treffen." in html


@pytest.mark.parametrize(
    "path", ["/prozesse/abc/", "/prozesse/99999999/", "/prozesse/0/bearbeiten/", "/prozesse/99999999999999999999999/"]
)
def test_unknown_cases_are_404(client, people, path):
    client.force_login(people["advisor_mo"])
    response = client.get(path)
    assert response.status_code == 404
    assert "nicht gefunden" in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "Dieses Feld ist zwingend erforderlich."),
        ({"title": "x" * 201}, "title", "höchstens 200 Zeichen"),
        ({"description": "x" * 5001}, "description", "höchstens 5000 Zeichen"),
        ({"opened_on": "2026-02-30"}, "opened_on", "Bitte ein gültiges Datum eingeben."),
        ({"opened_on": "2999-01-01"}, "opened_on", "Der Beginn kann nicht in der Zukunft liegen."),
        ({"opened_on": "2010-01-01"}, "opened_on", "Das Kompetenzzentrum berät erst seit 2017."),
        ({"goal": "abc"}, "goal", "Bitte eine gültige Auswahl treffen."),
        ({"goal": "99999999999999999999"}, "goal", "Bitte eine gültige Auswahl treffen."),
        ({"organisation": "foreign"}, "organisation", "Bitte eine gültige Auswahl treffen."),
        ({"organisation": "-1"}, "organisation", "Bitte eine gültige Auswahl treffen."),
        ({"unit": "lots"}, "unit", "Bitte eine gültige Auswahl treffen."),
        ({"responsible": "x"}, "responsible", "Bitte eine gültige Auswahl treffen."),
    ],
)
def test_bad_case_input(client, people, records, unit_mo, unit_lots, overrides, field, message):
    client.force_login(people["advisor_mo"])
    replacements = {"foreign": records["org_foreign"].pk, "lots": unit_lots.pk}
    overrides = {key: replacements.get(value, value) for key, value in overrides.items()}
    before = Case.objects.count()
    response = client.post(url("case_create"), case_data(records["org_own"], unit_mo, mo_goal(unit_mo), **overrides))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert Case.objects.count() == before


def test_edit_cannot_move_opening_after_closing(client, people, records, unit_mo):
    case = records["case_own"]
    cases.case_close(case=case, by=None, closed_on=datetime.date(2026, 4, 1), outcomes={outcome(unit_mo): DAY})
    client.force_login(people["advisor_mo"])
    data = case_data(case.organisation, case.unit, case.goal, opened_on="2026-05-01")
    response = client.post(url("case_edit", case), data)
    assert response.context["form"].errors["opened_on"] == ["Der Beginn kann nicht nach dem Abschluss liegen."]
    assert "status" not in response.context["form"].fields
    case.refresh_from_db()
    assert case.opened_on == DAY


# --- Query counts --------------------------------------------------------------------------------


@pytest.fixture
def many_cases(people, unit_mo):
    goal = mo_goal(unit_mo)
    first = None
    for index in range(30):
        org = OrganisationFactory(units=[unit_mo])
        case = Case.objects.create(
            unit=unit_mo, organisation=org, title=f"Prozess {index}", goal=goal, opened_on=DAY,
            responsible=people["advisor_mo"],
        )  # fmt: skip
        first = first or case
        if index < 3:
            ConsultationFactory.create_batch(
                4, unit=unit_mo, organisation=org, case=case, advisors=[people["advisor_mo"]]
            )
            cases.case_close(case=case, by=people["coordinator_mo"], closed_on=DAY, outcomes={outcome(unit_mo): DAY})
            cases.case_reopen(case=case, by=people["coordinator_mo"])
    return first


@pytest.mark.parametrize("role", ["coordinator_mo", "advisor_mo"])
@pytest.mark.parametrize(
    ("name", "with_pk", "params", "limit"),
    [
        ("case_list", False, {}, MAX_QUERIES),
        ("case_list", False, {"idle_days": "5", "status": "open", "q": "Prozess", "page": "2"}, MAX_QUERIES),
        ("case_detail", True, {}, MAX_QUERIES),
        ("case_create", False, {}, MAX_FORM_QUERIES),
        ("case_edit", True, {}, MAX_FORM_QUERIES),
        ("case_close", True, {}, MAX_FORM_QUERIES),
    ],
)
def test_bounded_queries(client, people, many_cases, role, name, with_pk, params, limit):
    client.force_login(people[role])
    path = url(name, many_cases if with_pk else None)
    client.get(path, params)
    with assert_max_queries(limit):
        response = client.get(path, params)
    assert response.status_code == 200


def test_organisation_page_queries_do_not_grow_with_cases(client, people, many_cases, unit_mo):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(people["coordinator_mo"])
    org = many_cases.organisation
    path = reverse("organisations:organisation_detail", kwargs={"pk": org.pk})
    counts = []
    for _batch in range(2):
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        counts.append(len(real_queries(captured.captured_queries)))
        for index in range(5):
            Case.objects.create(
                unit=unit_mo, organisation=org, title=f"Mehr {index}", goal=mo_goal(unit_mo), opened_on=DAY
            )
    assert counts[0] == counts[1]


def test_list_queries_do_not_grow_with_rows(client, people, unit_mo):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(people["coordinator_mo"])
    counts = []
    for batch in (3, 20):
        for index in range(batch):
            org = OrganisationFactory(units=[unit_mo])
            case = Case.objects.create(
                unit=unit_mo, organisation=org, title=f"P{index}", goal=mo_goal(unit_mo), opened_on=DAY,
                responsible=people["advisor_mo"],
            )  # fmt: skip
            ConsultationFactory(unit=unit_mo, organisation=org, case=case)
        client.get(url("case_list"))
        with CaptureQueriesContext(connection) as captured:
            client.get(url("case_list"))
        counts.append(len(real_queries(captured.captured_queries)))
    assert counts[0] == counts[1]
    assert Consultation.objects.filter(case__isnull=False).count() == 23


# --- Demo data -----------------------------------------------------------------------------------


def test_demo_cases(unit_mo):
    import random

    from django.db.models import Count, F

    from casework.accounts.demo import ensure_people
    from casework.cases import demo as case_demo
    from casework.management.commands.seed_demo import seed_organisations_and_consultations
    from casework.management.seeding import DemoContext, units_by_code

    units = units_by_code()
    _logins, staff = ensure_people(units)
    generator = DemoContext(units=units, staff=staff, seed=7, log=lambda line: None)
    seed_organisations_and_consultations(generator, 40, 400)
    lines = []
    case_demo.seed(rng=random.Random(7), today=generator.today, log=lines.append)

    with_consultations = Consultation.objects.values("organisation").distinct().count()
    seeded_cases = list(Case.objects.annotate(n=Count("consultations")))
    assert abs(len(seeded_cases) - with_consultations / 4) <= 1
    assert {case.status for case in seeded_cases} == {"open", "dormant", "closed"}
    assert len({case.organisation_id for case in seeded_cases}) == len(seeded_cases)
    assert sum(case.n for case in seeded_cases) > 0
    for case in seeded_cases:
        assert case.goal.unit_id == case.unit_id
        assert case.opened_on <= generator.today
        assert case.unit in case.organisation.units.all()
        assert case.history.exists()
        if case.status == "closed":
            assert case.outcomes_reached.exists()
            assert case.history.count() == 2
            assert all(case.opened_on <= r.reached_on <= case.closed_on for r in case.outcomes_reached.all())
    attached = Consultation.objects.filter(case__isnull=False)
    # Attached consultations belong to the case's organisation and unit and fall in its time span.
    assert not attached.exclude(organisation=F("case__organisation"), unit=F("case__unit")).exists()
    assert not attached.filter(date__lt=F("case__opened_on")).exists()
    assert not attached.filter(case__closed_on__isnull=False, date__gt=F("case__closed_on")).exists()
    assert Consultation.history.filter(case__isnull=False).count() == attached.count()
    assert "Beratungsprozesse:" in lines[-1]
