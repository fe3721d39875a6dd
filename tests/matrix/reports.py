"""Permission-matrix rows for funder reports (see tests/matrix/__init__.py).

Reports are for coordinators of their unit and administrators; a report of both units ("shared")
only for someone who reports on both. Archived files follow the same rule as the report page.
"""

from tests.matrix import COORDINATORS, LOGIN, row

REPORT = {
    "own": row(LOGIN, 403, 200, 404, 404, 200),
    "foreign": row(LOGIN, 404, 404, 403, 200, 200),
    "shared": row(LOGIN, 404, 404, 404, 404, 200),
}

ROWS = {
    "reports:report_list": (None, {"-": COORDINATORS}),
    # Without a chosen period the preview shows the form with its errors.
    "reports:report_preview": (None, {"-": row(LOGIN, 403, 400, 403, 400, 400)}),
    # Generating takes a POST (tested in tests/reports/test_views.py).
    "reports:report_create": (None, {"-": row(LOGIN, 405, 405, 405, 405, 405)}),
    "reports:targets": (None, {"-": COORDINATORS}),
    "reports:report_detail": ("report", REPORT),
    "reports:report_download": ("report", REPORT),
}

URL_KWARGS = {"reports:report_download": lambda pk: {"pk": pk, "fmt": "pdf"}}
