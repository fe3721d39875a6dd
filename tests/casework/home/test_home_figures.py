"""The home page's and the dashboard's figures: the same label, the same number."""

import datetime

import pytest
from django.urls import reverse
from django.utils import formats

from casework.models import FollowUp
from tests.casework.dashboard.test_dashboard import by_key, data, day, travel  # noqa: F401 - `data` is a fixture
from tests.factories import ConsultationFactory

pytestmark = pytest.mark.django_db

YEAR_FIGURES = ("consultations", "hours", "organisations")


def home_figures(client):
    return {unit.code: unit.year_to_date for unit in client.get(reverse("casework:home")).context["units"]}


def dashboard_figures(client, unit):
    response = client.get(reverse("casework:dashboard"), {"unit": unit.pk})
    assert response.status_code == 200
    rows = by_key(response.context["comparison"])
    return {key: rows[key][0] for key in YEAR_FIGURES}


@travel
def test_year_figures_agree_with_the_dashboard(client, people, data, unit_mo, unit_lots):  # noqa: F811
    # Planned, but in this year: counted by neither page until its day has come.
    ConsultationFactory(unit=unit_mo, organisation=data["org"]["C"], date=day("2026-09-01"))
    client.force_login(people["admin"])

    home = home_figures(client)

    for unit in (unit_mo, unit_lots):
        assert home[unit.code] == dashboard_figures(client, unit)
    # By hand: MO has A2 (90 min), C1 (30) and D1 (60, led by Lots, shared with MO);
    # Lots has D1 (60) and G1 (75). A joint consultation counts for both units on both pages.
    assert home["mo"] == {"consultations": 3, "hours": 3.0, "organisations": 3}
    assert home["lots"] == {"consultations": 2, "hours": round(135 / 60, 1), "organisations": 2}


@travel
def test_pages_render_the_same_numbers_and_say_what_they_count(client, people, data, unit_mo):  # noqa: F811
    client.force_login(people["coordinator_mo"])
    home = client.get(reverse("casework:home")).content.decode()
    dashboard = client.get(reverse("casework:dashboard")).content.decode()
    hours = formats.localize(3.0)
    for page in (home, dashboard):
        assert f">{hours}</" in page
    assert "im Jahr 2026 (01.01.–15.06.2026)" in home
    assert "Gemeinsame Beratungen zählen für beide Fachstellen" in home
    assert (
        "01.01.–15.06.2026" in dashboard and "Gemeinsame Beratungen und Veranstaltungen zählen für beide" in dashboard
    )


@travel
def test_advisors_see_their_units_year_without_the_dashboard(client, people, data, unit_mo):  # noqa: F811
    client.force_login(people["advisor_mo"])
    assert home_figures(client) == {"mo": {"consultations": 3, "hours": 3.0, "organisations": 3}}


@travel
def test_overdue_follow_ups_agree_with_the_units_list(client, people, data, unit_mo, unit_lots):  # noqa: F811
    # Overdue on the consultation led by Lots and shared with MO: it belongs to both units.
    FollowUp.objects.create(
        unit=unit_lots,
        consultation=data["consultations"]["D1"],
        due_on=day("2026-06-10"),
        what="Gemeinsam nachfassen",
        assigned_to=people["advisor_lots"],
    )
    client.force_login(people["admin"])
    yesterday = (datetime.date(2026, 6, 15) - datetime.timedelta(days=1)).isoformat()
    for unit, expected in [(unit_mo, 3), (unit_lots, 2)]:
        dashboard = client.get(reverse("casework:dashboard"), {"unit": unit.pk}).context["follow_ups"]
        listed = client.get(reverse("casework:follow_up_unit_list"), {"unit": unit.pk, "due_to": yesterday})
        assert dashboard["count"] == listed.context["page"].paginator.count == expected
