"""Permission-matrix rows for changing one's own password (see tests/matrix/__init__.py).

Every signed-in person changes only their own password, so there is no record and no target.
That a POST with a wrong old password changes nothing is tested in
tests/casework/accounts/test_password_change.py.
"""

from tests.matrix import EVERYONE

ROWS = {
    "password_change": (None, {"-": EVERYONE}),
    "password_change_done": (None, {"-": EVERYONE}),
}
