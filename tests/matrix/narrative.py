"""Permission-matrix rows for the Sachbericht's texts and title page (see tests/matrix/__init__.py).

The texts page without a query string opens the first own unit's texts of last year: coordinators and
administrators; a scope of the other unit is 404 (tests/reports/test_narrative.py). Saving, taking texts
over and the logo actions take a POST. The title page settings are for administrators only.
"""

from tests.matrix import COORDINATORS, LOGIN, row

POST_ONLY = row(LOGIN, 405, 405, 405, 405, 405)

ROWS = {
    "reports:narrative_edit": (None, {"-": COORDINATORS}),
    "reports:narrative_autosave": (None, {"-": POST_ONLY}),
    "reports:narrative_take_over": (None, {"-": POST_ONLY}),
    "reports:title_page_settings": (None, {"-": row(LOGIN, 403, 403, 403, 403, 200)}),
    "reports:logo_upload": (None, {"-": POST_ONLY}),
    "reports:logo_delete": (None, {"-": POST_ONLY}),
}

URL_KWARGS = {"reports:logo_delete": {"pk": 1}}
