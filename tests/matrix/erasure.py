"""Permission-matrix rows for Art. 17 erasure and the deletion periods (see tests/matrix/__init__.py).

Erasing is destructive like deleting and merging: coordinators (and admins) of a unit the organisation
belongs to. The partner unit, which sees a shared consultation's organisation, does not erase it.
"""

from tests.matrix import COORDINATORS, LOGIN, row

DELETE_ROWS = {
    "own": row(LOGIN, 403, 200, 404, 404, 200),
    "foreign": row(LOGIN, 404, 404, 403, 200, 200),
    "shared": row(LOGIN, 403, 200, 403, 403, 200),
}

ROWS = {
    "casework:contact_erase": ("contact", DELETE_ROWS),
    "casework:organisation_anonymise": ("organisation", DELETE_ROWS),
    # Each coordinator sees their own units' due records (tests/casework/privacy/test_retention.py).
    "casework:retention_due": (None, {"-": COORDINATORS}),
}
