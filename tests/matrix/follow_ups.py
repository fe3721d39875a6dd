"""Permission-matrix rows for follow_ups (see tests/matrix/__init__.py).

Done/reopen answer GET with a confirmation page, edit/postpone with their form, so the matrix sees the access check:
foreign follow-ups are 404. The calendar feed needs no login; the matrix calls it with a
bogus token (404 for everyone); the real token is tested in tests/casework/test_follow_ups.py.
"""

from tests.matrix import EVERYONE, VISIBLE_TO_LOTS, VISIBLE_TO_MO, row

ON_FOLLOW_UP = {"own": VISIBLE_TO_MO, "foreign": VISIBLE_TO_LOTS, "shared": EVERYONE}

ROWS = {
    "casework:follow_up_list": (None, {"-": EVERYONE}),
    "casework:follow_up_unit_list": (None, {"-": EVERYONE}),
    "casework:follow_up_done": ("follow_up", ON_FOLLOW_UP),
    "casework:follow_up_reopen": ("follow_up", ON_FOLLOW_UP),
    "casework:follow_up_edit": ("follow_up", ON_FOLLOW_UP),
    "casework:follow_up_postpone": ("follow_up", ON_FOLLOW_UP),
    "casework:follow_up_add_consultation": ("consultation", ON_FOLLOW_UP),
    "casework:follow_up_add_case": (
        "case",
        {"own": VISIBLE_TO_MO, "foreign": VISIBLE_TO_LOTS, "shared": VISIBLE_TO_MO},
    ),
    "casework:calendar_feed_settings": (None, {"-": EVERYONE}),
    "casework:calendar_feed": (None, {"-": row(404, 404, 404, 404, 404, 404)}),
}

# URLs whose argument is not a record's primary key.
URL_KWARGS = {"casework:calendar_feed": {"token": "A" * 43}}
