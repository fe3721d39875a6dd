"""The Standortbestimmung in one table (issue 10): radio buttons per criterion, pre-filled from the
project's latest assessment, an edit keeps its own ratings."""

import datetime
import re

import pytest
from django.urls import reverse

from casework.models import Assessment
from tests.casework.quality.helpers import MET, NOT_MET, NOT_RELEVANT, PARTLY, assess, complete_post
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def create_url(project):
    return reverse("casework:assessment_create", kwargs={"pk": project.pk})


def checked_values(html, criterion):
    """The values of the checked radio buttons of `criterion` on the page."""
    return [
        value
        for tag in re.findall(r"<input[^>]*>", html)
        if f'name="rating_{criterion.pk}"' in tag and "checked" in tag
        for value in re.findall(r'value="([^"]*)"', tag)
    ]


def test_one_table_with_a_radio_group_per_criterion(client, people, project, criteria):
    client.force_login(people["advisor_lots"])
    html = client.get(create_url(project)).content.decode()
    assert html.count("<table") == 1
    assert "<select" not in html
    for criterion in criteria:
        radios = re.findall(rf'<input[^>]*name="rating_{criterion.pk}"[^>]*>', html)
        assert len(radios) == 4
        assert all('type="radio"' in r and f'aria-describedby="criterion-{criterion.pk}"' in r for r in radios)
        assert f'id="criterion-{criterion.pk}"' in html
        assert checked_values(html, criterion) == []
    # Every radio is named by its rating (visible in words on narrow screens).
    assert html.count('<span class="rating-choice-text">erfüllt</span>') == len(criteria)
    assert "Vorbelegt aus" not in html


def test_new_assessment_is_prefilled_from_the_latest_one(client, people, project, unit_lots, criteria):
    assess(project, unit_lots, datetime.date(2024, 3, 1), dict.fromkeys(criteria, NOT_MET))
    latest = dict.fromkeys(criteria, PARTLY) | {criteria[0]: MET, criteria[1]: NOT_RELEVANT}
    del latest[criteria[2]]  # e.g. a criterion added to the catalogue since
    assess(project, unit_lots, datetime.date(2025, 6, 1), latest)
    client.force_login(people["advisor_lots"])
    response = client.get(create_url(project))
    html = response.content.decode()
    assert "Vorbelegt aus der Standortbestimmung vom 01.06.2025" in html
    assert checked_values(html, criteria[0]) == [MET]
    assert checked_values(html, criteria[1]) == [NOT_RELEVANT]
    assert checked_values(html, criteria[2]) == []
    assert checked_values(html, criteria[3]) == [PARTLY]

    # Only the new criterion and one change need a click; everything else is sent as pre-filled.
    form = response.context["form"]
    data = {"date": "2026-01-15", "note": ""}
    for criterion in criteria:
        value = form[f"rating_{criterion.pk}"].value()
        data[f"rating_{criterion.pk}"] = value or ""
        data[f"note_{criterion.pk}"] = ""
    data[f"rating_{criteria[2].pk}"] = MET
    data[f"rating_{criteria[3].pk}"] = MET
    assert client.post(create_url(project), data).status_code == 302
    new = Assessment.objects.get(date=datetime.date(2026, 1, 15))
    ratings = dict(new.ratings.values_list("criterion_id", "rating"))
    assert ratings[criteria[0].pk] == MET
    assert ratings[criteria[1].pk] == NOT_RELEVANT
    assert ratings[criteria[2].pk] == MET
    assert ratings[criteria[3].pk] == MET
    assert ratings[criteria[4].pk] == PARTLY


def test_prefill_ignores_other_projects(client, people, project, unit_lots, criteria):
    other = OrganisationFactory(units=[unit_lots], kind="guide_project")
    assess(other, unit_lots, datetime.date(2025, 6, 1), dict.fromkeys(criteria, MET))
    client.force_login(people["advisor_lots"])
    html = client.get(create_url(project)).content.decode()
    assert "Vorbelegt aus" not in html
    assert checked_values(html, criteria[0]) == []


def test_edit_keeps_its_own_ratings_not_the_latest(client, people, project, unit_lots, criteria):
    older = assess(project, unit_lots, datetime.date(2024, 3, 1), dict.fromkeys(criteria, NOT_MET))
    assess(project, unit_lots, datetime.date(2025, 6, 1), dict.fromkeys(criteria, MET))
    client.force_login(people["advisor_lots"])
    html = client.get(reverse("casework:assessment_edit", kwargs={"pk": older.pk})).content.decode()
    assert "Vorbelegt aus" not in html
    assert all(checked_values(html, c) == [NOT_MET] for c in criteria)


def test_a_missing_rating_is_marked_in_its_row(client, people, project, criteria):
    client.force_login(people["advisor_lots"])
    data = complete_post(criteria)
    del data[f"rating_{criteria[1].pk}"]
    response = client.post(create_url(project), data)
    html = response.content.decode()
    assert "Bitte alle Kriterien bewerten – es fehlen noch 1." in html
    assert html.count("table-danger") == 1
    # What was already chosen stays chosen.
    assert checked_values(html, criteria[0]) == [MET]
    assert not Assessment.objects.exists()
