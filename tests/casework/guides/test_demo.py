"""Demo data of the Lots*innen figures: plausible ranges, history rows, a bounded number of queries."""

import datetime
import random

import pytest

from casework.guides import demo
from casework.guides.models import GuideCount, GuideTraining
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 28)


def test_quarterly_counts_and_trainings_for_every_lots_project(
    people, unit_lots, unit_mo, django_assert_max_num_queries
):
    projects = [OrganisationFactory(units=[unit_lots], kind="guide_project") for _ in range(6)]
    OrganisationFactory(units=[unit_mo])  # no Lots*innen project: no figures
    lines = []
    with django_assert_max_num_queries(12):
        demo.seed(rng=random.Random(7), today=TODAY, log=lines.append)

    # Two years of quarter ends up to today: 31.12.2024 … 30.09.2026 = 8 per project.
    ends = sorted(set(GuideCount.objects.values_list("as_of", flat=True)))
    assert ends[0] == datetime.date(2024, 12, 31) and ends[-1] == datetime.date(2026, 9, 30) and len(ends) == 8
    assert GuideCount.objects.count() == 8 * len(projects)
    assert {c.organisation_id for c in GuideCount.objects.all()} == {p.pk for p in projects}
    assert all(8 <= c.active <= 35 for c in GuideCount.objects.all())
    basic = GuideTraining.objects.filter(kind=GuideTraining.Kind.BASIC)
    further = GuideTraining.objects.filter(kind=GuideTraining.Kind.FURTHER)
    assert basic.exists() and further.exists()
    assert all(24 <= t.teaching_units <= 40 for t in basic)
    assert all(4 <= t.teaching_units <= 8 for t in further)
    assert all(t.date <= TODAY and t.unit_id == unit_lots.pk for t in GuideTraining.objects.all())
    # Every record has its "created" history entry, by a member of the Lots*innen unit.
    assert GuideCount.history.count() == GuideCount.objects.count()
    assert GuideTraining.history.count() == GuideTraining.objects.count()
    assert {c.created_by for c in GuideCount.objects.all()} <= {people["advisor_lots"], people["coordinator_lots"]}
    assert lines and "Lots*innen-Zahlen" in lines[0]
