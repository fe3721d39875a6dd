"""Permission-matrix rows for consultations beyond the core rows in tests/test_permissions.py.

"Ich berate mit" changes only with POST; GET answers 405 after the access check, so the matrix sees
who may join: advisors and coordinators of the partner unit of a shared consultation. The lead unit,
administrators (not advisors of a unit) and unshared records get 403; records not seen, 404.
"""

from tests.matrix import LOGIN, row

ROWS = {
    "casework:consultation_join": (
        "consultation",
        {
            "own": row(LOGIN, 403, 403, 404, 404, 403),
            "foreign": row(LOGIN, 404, 404, 403, 403, 403),
            "shared": row(LOGIN, 403, 403, 405, 405, 403),
        },
    ),
}
