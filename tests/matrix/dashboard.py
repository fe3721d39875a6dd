"""Permission-matrix rows for dashboard (see tests/matrix/__init__.py)."""

from tests.matrix import COORDINATORS

# Funder figures: coordinators (REPORTS) of a unit and administrators only.
ROWS = {
    "casework:dashboard": (None, {"-": COORDINATORS}),
}
