"""The Lots*innen project and its unit's active criteria, shared by the quality tests."""

import pytest

from casework.quality import services as quality
from tests.factories import OrganisationFactory


@pytest.fixture
def project(unit_lots):
    return OrganisationFactory(units=[unit_lots], name="Integrationslots*innen Kassel", kind="guide_project")


@pytest.fixture
def criteria(unit_lots):
    return list(quality.active_criteria().filter(area__unit=unit_lots).order_by("area__position", "position", "id"))
