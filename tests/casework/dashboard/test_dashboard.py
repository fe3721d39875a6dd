"""The unit dashboard: figures against hand-computed values, the SVG chart, access, bounded queries."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casework.dashboard import figures as dashboard
from casework.models import Case, CaseGoal, Event, FollowUp
from casework.roles import ADMIN_GROUP_NAME
from casework.ui import svg
from organisations.models import Region
from tests.conftest import make_person
from tests.factories import ConsultationFactory, OrganisationFactory
from tests.test_query_counts import real_queries

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)
SVG = "{http://www.w3.org/2000/svg}"
travel = time_machine.travel("2026-06-15 10:00 +0200", tick=False)


def day(text):
    return datetime.date.fromisoformat(text)


@pytest.fixture
def data(people, unit_mo, unit_lots):
    """A small, fixed data set; the expected figures below are counted by hand from it.

    Seen from MO on 15 June 2026 (same stretch last year: 1 Jan – 15 June 2025):
      A: 10.05.2024 (60 min), 01.02.2026 (90, in a case)  – known since 2024, not new
      B: 01.03.2025 (120), 01.09.2025 (60)                – new in 2025
      C: 10.03.2026 (30), Kassel                          – new in 2026
      D: 01.04.2026 (60) led by Lots, shared with MO      – joint: counts for MO, new in 2026
      E: 01.12.2024 (45)                                  – not reached for 12 months
      F: 10.06.2025 (60)                                  – new in 2025, not reached for 12 months
      G: 01.05.2026 (75) Lots only                        – not MO's
    """
    kassel = Region.objects.get(name="Kassel (Stadt)")
    org = {name: OrganisationFactory(units=[unit_mo], name=f"Verein {name} e.V.") for name in "ABDEF"}
    org["C"] = OrganisationFactory(units=[unit_mo], name="Verein C e.V.", region=kassel, municipality="Kassel")
    org["G"] = OrganisationFactory(units=[unit_lots], name="Lotsenprojekt G")
    goal = CaseGoal.objects.filter(unit=unit_mo).first()
    idle_case = Case.objects.create(
        unit=unit_mo, organisation=org["A"], title="Gemeinnützigkeit", goal=goal, opened_on=day("2026-01-10")
    )
    Case.objects.create(unit=unit_mo, organisation=org["C"], title="Satzung", goal=goal, opened_on=day("2026-05-01"))
    Case.objects.create(
        unit=unit_mo,
        organisation=org["B"],
        title="Förderantrag",
        goal=goal,
        opened_on=day("2025-01-01"),
        status="dormant",
    )
    Case.objects.create(
        unit=unit_mo,
        organisation=org["B"],
        title="Vereinsregister",
        goal=goal,
        opened_on=day("2024-01-01"),
        status="closed",
        closed_on=day("2024-06-01"),
    )
    Case.objects.create(
        unit=unit_lots,
        organisation=org["G"],
        title="Projektaufbau",
        goal=CaseGoal.objects.filter(unit=unit_lots).first(),
        opened_on=day("2024-01-01"),
    )
    mo, lots = {"unit": unit_mo}, {"unit": unit_lots}
    consultations = {}
    for key, kwargs in [
        ("A1", {**mo, "organisation": org["A"], "date": day("2024-05-10"), "duration_minutes": 60}),
        ("A2", {**mo, "organisation": org["A"], "date": day("2026-02-01"), "duration_minutes": 90, "case": idle_case}),
        ("B1", {**mo, "organisation": org["B"], "date": day("2025-03-01"), "duration_minutes": 120}),
        ("B2", {**mo, "organisation": org["B"], "date": day("2025-09-01"), "duration_minutes": 60}),
        ("C1", {**mo, "organisation": org["C"], "date": day("2026-03-10"), "duration_minutes": 30}),
        (
            "D1",
            {
                **lots,
                "shared_with": unit_mo,
                "organisation": org["D"],
                "date": day("2026-04-01"),
                "duration_minutes": 60,
            },
        ),  # fmt: skip
        ("E1", {**mo, "organisation": org["E"], "date": day("2024-12-01"), "duration_minutes": 45}),
        ("F1", {**mo, "organisation": org["F"], "date": day("2025-06-10"), "duration_minutes": 60}),
        ("G1", {**lots, "organisation": org["G"], "date": day("2026-05-01"), "duration_minutes": 75}),
    ]:
        consultations[key] = ConsultationFactory(**kwargs)
    for unit, joint, date, participants in [
        (unit_mo, False, "2026-02-10", 20),
        (unit_lots, True, "2026-05-05", 30),  # joint: counts for MO as well
        (unit_lots, False, "2026-03-01", 99),  # Lots only
        (unit_mo, False, "2025-04-01", 15),
        (unit_mo, False, "2025-11-11", 40),
        (unit_mo, False, "2026-09-01", 60),  # planned: not yet in this year's figures
    ]:
        Event.objects.create(
            unit=unit,
            is_joint=joint,
            title="Schulung",
            kind="training",
            date=day(date),
            format="in_person",
            participants=participants,
        )
    person = people["advisor_mo"]
    for owner, due_on, done in [
        ({"consultation": consultations["A2"]}, "2026-06-01", False),  # overdue
        ({"consultation": consultations["C1"]}, "2026-06-20", False),  # not due yet
        ({"consultation": consultations["B2"]}, "2026-05-01", True),  # done
        ({"case": idle_case}, "2026-06-14", False),  # overdue
    ]:
        FollowUp.objects.create(
            unit=unit_mo,
            due_on=day(due_on),
            what="Nachfassen",
            assigned_to=person,
            done_at=timezone.now() if done else None,
            **owner,
        )
    # Follow-ups count as a case's activity from their creation (casework.cases.services): the idle
    # case's one was written down with its last consultation.
    FollowUp.objects.filter(case=idle_case).update(created_at=timezone.make_aware(datetime.datetime(2026, 2, 1, 12, 0)))
    FollowUp.objects.create(
        unit=unit_lots,
        consultation=consultations["G1"],
        due_on=day("2026-01-01"),
        what="Nachfassen",
        assigned_to=people["advisor_lots"],
    )
    return {"org": org, "idle_case": idle_case, "consultations": consultations}


def by_key(rows):
    return {row["key"]: (row["this"], row["last_ytd"], row["last_full"]) for row in rows}


@travel
def test_year_comparison_against_hand_counted_figures(data, unit_mo):
    rows, _activity = dashboard.year_comparison(unit_mo, dashboard.Periods(TODAY))
    assert by_key(rows) == {
        "consultations": (3, 2, 3),  # A2 C1 D1 | B1 F1 | B1 B2 F1
        "hours": (3.0, 3.0, 4.0),  # 90+30+60 | 120+60 | 120+60+60 minutes
        "organisations": (3, 2, 2),
        "new_organisations": (2, 2, 2),  # C D | B F | B F
        "events": (2, 1, 2),
        "participants": (50, 15, 55),
    }
    change = {row["key"]: row["change"] for row in rows}
    assert change["consultations"] == 50 and change["hours"] == 0 and change["participants"] == 233


@travel
def test_joint_consultation_counts_for_the_other_unit_too(data, unit_lots):
    rows, _activity = dashboard.year_comparison(unit_lots, dashboard.Periods(TODAY))
    figures = by_key(rows)
    assert figures["consultations"] == (2, 0, 0)  # D1 (led by Lots) and G1
    assert figures["new_organisations"] == (2, 0, 0)
    assert figures["events"] == (2, 0, 0)  # the Lots event and the joint one
    assert figures["participants"] == (129, 0, 0)


@travel
def test_monthly_consultations(data, unit_mo):
    monthly = dashboard.monthly_consultations(unit_mo, dashboard.Periods(TODAY))
    assert monthly["this"] == [0, 1, 1, 1, 0, 0, None, None, None, None, None, None]
    assert monthly["last"] == [0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0]


@travel
def test_organisations_not_reached_for_twelve_months(data, unit_mo):
    activity = dashboard.consultation_activity(unit_mo, dashboard.Periods(TODAY))
    assert activity["cutoff"] == day("2025-06-15")
    assert activity["not_reached_count"] == 2
    assert [(o["name"], o["last"], o["consultations"]) for o in activity["not_reached"]] == [
        ("Verein F e.V.", day("2025-06-10"), 1),
        ("Verein E e.V.", day("2024-12-01"), 1),
    ]


@travel
def test_cases_and_follow_ups(data, unit_mo):
    cases = dashboard.case_overview(unit_mo, TODAY)
    assert (cases["open"], cases["dormant"], cases["idle"]) == (2, 1, 1)
    assert [(c["title"], c["last_activity"], c["days"]) for c in cases["idle_cases"]] == [
        ("Gemeinnützigkeit", day("2026-02-01"), 134)
    ]
    follow_ups = dashboard.overdue_follow_ups(unit_mo, TODAY)
    assert follow_ups["count"] == 2
    assert [(f["due_on"], f["days"], f["organisation"]) for f in follow_ups["items"]] == [
        (day("2026-06-01"), 14, "Verein A e.V."),
        (day("2026-06-14"), 1, "Verein A e.V."),
    ]


@travel
def test_regions_without_consultation_this_year(data, unit_mo):
    periods = dashboard.Periods(TODAY)
    reached = dashboard.consultation_activity(unit_mo, periods)["regions_this_year"]
    names = {r["name"] for r in dashboard.regions_without_consultation(periods, reached)}
    valid = set(Region.objects.valid_on(TODAY).exclude(kind="outside").values_list("name", flat=True))
    assert names == valid - {"Kassel (Stadt)", "Frankfurt am Main"}  # C1 in Kassel; A2 and D1 in Frankfurt
    assert "Hanau" in names  # kreisfrei since 2026
    assert "außerhalb Hessens" not in names


def test_leap_day_compares_with_28_february():
    periods = dashboard.Periods(day("2028-02-29"))
    assert periods.last_same_day == day("2027-02-28")


# --- The page ------------------------------------------------------------------------------------


def parse(svg_text):
    """Our own server output, not untrusted input: the standard parser is fine."""
    return ET.fromstring(svg_text)  # noqa: S314


def chart_of(html):
    match = re.search(r"<svg.*?</svg>", html, re.S)
    assert match, "no chart on the page"
    return parse(match.group(0))


@travel
def test_page_shows_the_figures_and_an_accessible_chart(client, people, data):
    client.force_login(people["coordinator_mo"])
    response = client.get(reverse("casework:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Fachstelle Migrantische Organisationen" in html
    assert "01.01.–15.06.2026" in html and "01.01.–15.06.2025" in html and "2025 gesamt" in html
    assert "+50 %" in html
    assert "Verein F e.V." in html and "Verein E e.V." in html
    assert "Gemeinnützigkeit" in html and "vor 134 Tagen" in html
    assert "Überfällige Wiedervorlagen" in html
    assert (
        reverse("casework:consultation_detail", args=[data["org"]["A"].consultations.get(date=day("2026-02-01")).pk])
        in html
    )

    chart = chart_of(html)
    assert chart.get("role") == "img"
    title, desc = chart.find(f"{SVG}title"), chart.find(f"{SVG}desc")
    assert chart.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "2026" in title.text and "2025" in title.text
    bars = chart.findall(f"{SVG}rect/{SVG}title")
    assert "Mär 2026: 1 Beratungen" in {bar.text for bar in bars}
    assert len(bars) == 12 + 6  # last year: every month; this year: January to June
    # The numbers as a table too.
    assert "<summary>Zahlen als Tabelle</summary>" in html


def test_chart_escapes_text_and_is_well_formed():
    chart = svg.bar_chart(
        chart_id="c",
        title="<Titel> & „Zitat“",
        description='Beschreibung mit "Anführung"',
        categories=["Jan", "Feb & Mär"],
        series=[svg.Series("A<B", [0, 1234], "#6c757d"), svg.Series("B", [None, 7], "#a84f00")],
    )
    root = parse(str(chart))
    assert root.find(f"{SVG}title").text == "<Titel> & „Zitat“"
    assert len(root.findall(f"{SVG}rect/{SVG}title")) == 3
    empty = parse(str(svg.bar_chart(chart_id="e", title="t", description="d", categories=[], series=[])))
    assert empty.tag == f"{SVG}svg"


def test_advisors_get_403_and_foreign_units_404(client, people, unit_mo, unit_lots):
    client.force_login(people["advisor_mo"])
    assert client.get(reverse("casework:dashboard")).status_code == 403
    client.force_login(people["coordinator_mo"])
    url = reverse("casework:dashboard")
    assert client.get(url, {"unit": unit_lots.pk}).status_code == 404
    for bad in ("abc", "-1", "99999999999999999999999", "0"):
        assert client.get(url, {"unit": bad}).status_code == 404
    assert client.get(url, {"unit": unit_mo.pk}).status_code == 200


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_only_get(client, people, method):
    client.force_login(people["coordinator_mo"])
    assert getattr(client, method)(reverse("casework:dashboard")).status_code == 405


def test_person_with_reports_on_both_units_switches(client, people, unit_mo, unit_lots):
    client.force_login(people["admin"])
    url = reverse("casework:dashboard")
    page = client.get(url).content.decode()
    assert "Fachstelle Migrantische Organisationen" in page
    assert f'href="?unit={unit_lots.pk}"' in page
    page = client.get(url, {"unit": unit_lots.pk}).content.decode()
    assert unit_lots.name in page


def test_navigation_offers_dashboard_only_to_reporters(client, people):
    url = reverse("casework:dashboard")
    client.force_login(people["advisor_mo"])
    assert f'href="{url}"' not in client.get(reverse("casework:home")).content.decode()
    client.force_login(people["coordinator_lots"])
    assert f'href="{url}"' in client.get(reverse("casework:home")).content.decode()


def test_person_without_units_gets_403(client, db):
    client.force_login(make_person("ohne-fachstelle"))
    assert client.get(reverse("casework:dashboard")).status_code == 403
    assert Group.objects.filter(name=ADMIN_GROUP_NAME).exists()


# --- Bounded queries ------------------------------------------------------------------------------


@travel
def test_queries_do_not_grow_with_data(client, people, unit_mo, unit_lots):
    client.force_login(people["coordinator_mo"])
    url = reverse("casework:dashboard")
    goal = CaseGoal.objects.filter(unit=unit_mo).first()
    counts = []
    for batch in (3, 27):  # 3, then 30 consultations
        for index in range(batch):
            organisation = OrganisationFactory(units=[unit_mo])
            consultation = ConsultationFactory(
                unit=unit_mo,
                shared_with=unit_lots if index % 3 == 0 else None,
                organisation=organisation,
                date=TODAY - datetime.timedelta(days=200 * index),  # some older than 12 months
            )
            case = Case.objects.create(
                unit=unit_mo,
                organisation=organisation,
                title=f"Prozess {index}",
                goal=goal,
                opened_on=day("2025-01-01"),
            )
            FollowUp.objects.create(
                unit=unit_mo,
                consultation=consultation,
                due_on=day("2026-01-01"),
                what="Nachfassen",
                assigned_to=people["advisor_mo"],
            )
            FollowUp.objects.create(
                unit=unit_mo, case=case, due_on=day("2026-02-01"), what="Anrufen", assigned_to=people["coordinator_mo"]
            )
            Event.objects.create(
                unit=unit_mo,
                title="Fachtag",
                kind="conference",
                date=consultation.date,
                format="hybrid",
                participants=9,
            )
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(real_queries(captured.captured_queries)))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 15, counts
