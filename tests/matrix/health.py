"""Permission-matrix rows for the health check (see tests/matrix/__init__.py).

Open to everyone, signed in or not, with the same answer for all: no login redirect, no record.
The matrix's records include a live worker heartbeat (tests/conftest.py), so the check passes;
the failing checks are tested in tests/ops/test_health.py.
"""

from tests.matrix import row

ROWS = {
    "healthz": (None, {"-": row(200, 200, 200, 200, 200, 200)}),
}
