"""Permission-matrix rows for the Art. 15 information export and the data-protection page.

The export follows the right to read an organisation's history: coordinators of a unit that sees it (the
units it belongs to, and the partner unit while one of its consultations is shared) and administrators.
The GET page only describes the download; the download itself is a POST (tests/casework/privacy/).
"""

from tests.matrix import LOGIN, row

EXPORT = {
    "own": row(LOGIN, 403, 200, 404, 404, 200),
    "foreign": row(LOGIN, 404, 404, 403, 200, 200),
    # The partner unit's coordinator sees the shared organisation and answers for what it sees.
    "shared": row(LOGIN, 403, 200, 403, 200, 200),
}

ROWS = {
    "casework:information_organisation": ("organisation", EXPORT),
    "casework:information_contact": ("contact", EXPORT),
    "casework:dpo": (None, {"-": row(LOGIN, 403, 200, 403, 200, 200)}),
}
