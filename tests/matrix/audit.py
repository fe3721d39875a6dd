"""Permission-matrix rows for the access log viewer (see tests/matrix/__init__.py).

Administrators only: coordinators of both units hold every unit right, yet must not read everyone's sign-ins.
"""

from tests.matrix import LOGIN, row

ROWS = {
    "casework:access_log": (None, {"-": row(LOGIN, 403, 403, 403, 403, 200)}),
}
