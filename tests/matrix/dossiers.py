"""Permission-matrix rows for dossiers (see tests/matrix/__init__.py).

A dossier (print view and PDF) follows its record's detail page: the organisation or consultation
is seen by whoever sees its detail page, a record of the other unit is a 404.
"""

from tests.matrix import EVERYONE, VISIBLE_TO_LOTS, VISIBLE_TO_MO

LIKE_DETAIL = {"own": VISIBLE_TO_MO, "foreign": VISIBLE_TO_LOTS, "shared": EVERYONE}

ROWS = {
    "casework:organisation_dossier": ("organisation", LIKE_DETAIL),
    "casework:organisation_dossier_pdf": ("organisation", LIKE_DETAIL),
    "casework:consultation_dossier": ("consultation", LIKE_DETAIL),
    "casework:consultation_dossier_pdf": ("consultation", LIKE_DETAIL),
}
