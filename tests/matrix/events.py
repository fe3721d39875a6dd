"""Permission-matrix rows for events (see tests/matrix/__init__.py)."""

from tests.matrix import EVERYONE, LOGIN, VISIBLE_TO_LOTS, VISIBLE_TO_MO, row

# A joint event ("shared") is seen and changed by both units; deleting takes a coordinator of either.
VISIBILITY = {"own": VISIBLE_TO_MO, "foreign": VISIBLE_TO_LOTS, "shared": EVERYONE}

ROWS = {
    "casework:event_list": (None, {"-": EVERYONE}),
    "casework:event_create": (None, {"-": EVERYONE}),
    "casework:event_detail": ("event", VISIBILITY),
    "casework:event_edit": ("event", VISIBILITY),
    "casework:event_delete": (
        "event",
        {
            "own": row(LOGIN, 403, 200, 404, 404, 200),
            "foreign": row(LOGIN, 404, 404, 403, 200, 200),
            "shared": row(LOGIN, 403, 200, 403, 200, 200),
        },
    ),
}
