"""Permission-matrix rows for the person's own settings page (see tests/matrix/__init__.py).

Every signed-in person edits only their own e-mail settings, so there is no record and no target;
that a POST changes only the poster's settings is tested in tests/casework/accounts/test_account_settings.py.
"""

from tests.matrix import EVERYONE

ROWS = {
    "casework:account_settings": (None, {"-": EVERYONE}),
}
