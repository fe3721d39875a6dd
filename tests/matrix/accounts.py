"""Permission-matrix rows for accounts (see tests/matrix/__init__.py).

The session keep-alive touches no records; it only answers POST (tested in tests/test_session.py).
"""

from tests.matrix import LOGIN, row

ROWS = {
    "casework:session_keepalive": (None, {"-": row(LOGIN, 405, 405, 405, 405, 405)}),
}
