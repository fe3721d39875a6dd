"""Rows of the permission matrix, one module per feature; tests/test_permissions.py walks them all.

A row maps a URL name to (record kind or None, {target: {role: expected status}}).
Targets are seen from the Fachstelle MO: "own" belongs to MO, "foreign" to the Lots*innen unit,
"shared" hangs on what both see: a shared consultation, a joint event, and the records around the
shared consultation's organisation (its contact person, MO's case on it, a Lots assessment of a
project shared with MO). The records behind each target are built by the `matrix_records` fixture
in tests/conftest.py; `RECORD_KEYS` says where.
"""

import importlib
import pkgutil


def feature_modules():
    """Every module of this package: each holds the ROWS (and URL_KWARGS) of one feature."""
    return [importlib.import_module(f"{__name__}.{info.name}") for info in pkgutil.iter_modules(__path__)]


ROLES = ["anonymous", "advisor_mo", "coordinator_mo", "advisor_lots", "coordinator_lots", "admin"]
LOGIN = 302


def row(anonymous, advisor_mo, coordinator_mo, advisor_lots, coordinator_lots, admin):
    return dict(zip(ROLES, [anonymous, advisor_mo, coordinator_mo, advisor_lots, coordinator_lots, admin], strict=True))


EVERYONE = row(LOGIN, 200, 200, 200, 200, 200)
VISIBLE_TO_MO = row(LOGIN, 200, 200, 404, 404, 200)
VISIBLE_TO_LOTS = row(LOGIN, 404, 404, 200, 200, 200)
COORDINATORS = row(LOGIN, 403, 200, 403, 200, 200)

# record kind → how to find the record of a target in the `records` fixture
RECORD_KEYS = {
    "consultation": "{target}",
    "organisation": "org_{target}",
    "contact": "contact_{target}",
    "case": "case_{target}",
    "follow_up": "follow_up_{target}",
    "event": "event_{target}",
    "assessment": "assessment_{target}",
    "quality_area": "quality_area_{target}",
    "quality_criterion": "quality_criterion_{target}",
    "report": "report_{target}",
}
