"""Demo targets are near the previous year's actual figures (seed_demo)."""

import datetime
import random

import pytest

from reports import demo
from reports.forms import far_from
from reports.models import Target
from tests.factories import ConsultationFactory

D = datetime.date


@pytest.mark.django_db
def test_demo_targets_are_near_last_years_figures(people, unit_mo, unit_lots):
    for month in range(1, 13):
        for _ in range(3):
            ConsultationFactory(unit=unit_mo, date=D(2025, month, 10), duration_minutes=60)
    demo.seed(rng=random.Random(1), today=D(2026, 11, 28), log=lambda _text: None)
    targets = dict(Target.objects.filter(unit=unit_mo, year=2025).values_list("metric", "value"))
    # 36 consultations and 36 hours in 2025: last year's targets within ±15 %.
    assert 31 <= targets["consultations"] <= 41 and 31 <= targets["hours"] <= 41
    assert "events" not in targets  # no events: nothing to agree on
    this_year = dict(Target.objects.filter(unit=unit_mo, year=2026).values_list("metric", "value"))
    assert 34 <= this_year["consultations"] <= 40
    assert not any(far_from(value, 36) for value in this_year.values())
    assert not Target.objects.filter(unit=unit_lots).exists()  # the Lots*innen unit had no consultations
