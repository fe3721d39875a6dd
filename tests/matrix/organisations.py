"""Permission-matrix rows for the duplicate warning and the merging of organisations.

The older organisation rows live in tests/test_permissions.py. Merging dissolves an organisation, so
like deleting it is for coordinators (and admins) of a unit the organisation belongs to.
"""

from tests.matrix import EVERYONE, LOGIN, row

ROWS = {
    "organisations:similar": (None, {"-": EVERYONE}),
    "organisations:organisation_merge": (
        "organisation",
        {
            "own": row(LOGIN, 403, 200, 404, 404, 200),
            "foreign": row(LOGIN, 404, 404, 403, 200, 200),
            # The partner unit sees the shared consultation's organisation but does not dissolve it.
            "shared": row(LOGIN, 403, 200, 403, 403, 200),
        },
    ),
}
