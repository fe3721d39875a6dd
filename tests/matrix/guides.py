"""Permission-matrix rows for the Lots*innen figures (see tests/matrix/__init__.py).

The figures belong to the Lots*innen unit and exist only for its Lots*innen projects ("foreign" seen
from MO): MO people never learn that they exist (404), not even on organisations they see. The "own"
and "shared" organisations are migrant organisations: no Lots*innen project, so no figures pages (404
for everyone). Lots advisors record and edit, only coordinators (and administrators) delete (403).

Counts and trainings are not among the `matrix_records` kinds: their rows use kind None with URL kwargs
that record one on the Lots*innen project of the `records` fixture.
"""

import datetime

from casework.guides.models import GuideCount, GuideTraining
from casework.models import Unit
from organisations.models import Organisation
from tests.matrix import LOGIN, VISIBLE_TO_LOTS, row

LOTS_COORDINATORS = row(LOGIN, 404, 404, 403, 200, 200)
NOBODY = row(LOGIN, 404, 404, 404, 404, 404)
PROJECT = {"own": NOBODY, "foreign": VISIBLE_TO_LOTS, "shared": NOBODY}


def _project():
    """The Lots*innen project of tests/conftest.py `records` (found by kind: tests/test_no_leaks.py renames it)."""
    return Organisation.objects.filter(kind=Organisation.Kind.GUIDE_PROJECT, units__code="lots").earliest("pk")


def _count_kwargs(_pk):
    count = GuideCount.objects.create(
        unit=Unit.objects.get(code="lots"), organisation=_project(), as_of=datetime.date(2026, 3, 31), active=12
    )
    return {"pk": count.pk}


def _training_kwargs(_pk):
    training = GuideTraining.objects.create(
        unit=Unit.objects.get(code="lots"),
        organisation=_project(),
        kind=GuideTraining.Kind.BASIC,
        date=datetime.date(2026, 3, 20),
        title="Basisqualifizierung Frühjahr",
        teaching_units=30,
        participants=11,
    )
    return {"pk": training.pk}


ROWS = {
    "casework:guide_figures": ("organisation", PROJECT),
    "casework:guide_count_create": ("organisation", PROJECT),
    "casework:guide_training_create": ("organisation", PROJECT),
    "casework:guide_count_edit": (None, {"-": VISIBLE_TO_LOTS}),
    "casework:guide_count_delete": (None, {"-": LOTS_COORDINATORS}),
    "casework:guide_training_edit": (None, {"-": VISIBLE_TO_LOTS}),
    "casework:guide_training_delete": (None, {"-": LOTS_COORDINATORS}),
}

URL_KWARGS = {
    "casework:guide_count_edit": _count_kwargs,
    "casework:guide_count_delete": _count_kwargs,
    "casework:guide_training_edit": _training_kwargs,
    "casework:guide_training_delete": _training_kwargs,
}
