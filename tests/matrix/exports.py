"""Permission-matrix rows for the list exports (see tests/matrix/__init__.py).

Everyone who sees a list may download it; what it holds is scoped like the list
(tests/casework/exports/). The matrix asks for the CSV; unknown formats are 404.
"""

from tests.matrix import EVERYONE

NAMES = [
    "casework:consultation_export",
    "casework:organisation_export",
    "casework:case_export",
    "casework:follow_up_export",
    "casework:follow_up_unit_export",
    "casework:event_export",
]

ROWS = {name: (None, {"-": EVERYONE}) for name in NAMES}

URL_KWARGS = {name: {"fmt": "csv"} for name in NAMES}
