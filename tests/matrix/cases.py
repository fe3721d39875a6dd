"""Permission-matrix rows for cases (see tests/matrix/__init__.py).

Cases are never shared across units: the "shared" target is MO's case on the shared organisation,
with the shared consultation attached; the partner unit does not see it.
"""

from tests.matrix import EVERYONE, LOGIN, VISIBLE_TO_LOTS, VISIBLE_TO_MO, row

POST_ONLY = row(LOGIN, 405, 405, 405, 405, 405)

ROWS = {
    "casework:case_list": (None, {"-": EVERYONE}),
    "casework:case_create": (None, {"-": EVERYONE}),
    "casework:case_detail": ("case", {"own": VISIBLE_TO_MO, "foreign": VISIBLE_TO_LOTS, "shared": VISIBLE_TO_MO}),
    "casework:case_edit": ("case", {"own": VISIBLE_TO_MO, "foreign": VISIBLE_TO_LOTS, "shared": VISIBLE_TO_MO}),
    "casework:case_close": ("case", {"own": VISIBLE_TO_MO, "foreign": VISIBLE_TO_LOTS, "shared": VISIBLE_TO_MO}),
    # Reopening only works with POST (CSRF-protected); the POST rights are tested in tests/casework/test_cases.py.
    "casework:case_reopen": ("case", {"own": POST_ONLY, "foreign": POST_ONLY, "shared": POST_ONLY}),
}
