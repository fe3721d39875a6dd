"""Permission-matrix rows for quality (see tests/matrix/__init__.py).

The quality catalogue and assessments belong to the Lots*innen unit ("foreign" seen from MO):
MO people never learn that they exist (404). Lots advisors may assess but not edit the catalogue
or delete assessments (403). Only units with quality criteria keep profiles, so MO people get 403
on the profile pages of organisations they can see.
"""

from tests.matrix import COORDINATORS, LOGIN, VISIBLE_TO_LOTS, row

LOTS_COORDINATORS = row(LOGIN, 404, 404, 403, 200, 200)
# Organisation-scoped pages: the profile needs a quality unit the organisation belongs to; only
# Lots*innen projects ("foreign") are assessed. The shared organisation is MO's migrant organisation,
# which the Lots*innen unit sees through the share but keeps no profile of.
PROFILE = {
    "own": row(LOGIN, 403, 403, 404, 404, 403),
    "foreign": row(LOGIN, 404, 404, 200, 200, 200),
    "shared": row(LOGIN, 403, 403, 403, 403, 403),
}
ASSESS = PROFILE

ROWS = {
    "casework:quality_catalogue": (None, {"-": COORDINATORS}),
    "casework:quality_area_create": (None, {"-": COORDINATORS}),
    "casework:quality_area_edit": ("quality_area", {"foreign": LOTS_COORDINATORS}),
    "casework:quality_area_retire": ("quality_area", {"foreign": LOTS_COORDINATORS}),
    "casework:quality_criterion_create": ("quality_area", {"foreign": LOTS_COORDINATORS}),
    "casework:quality_criterion_edit": ("quality_criterion", {"foreign": LOTS_COORDINATORS}),
    "casework:quality_criterion_retire": ("quality_criterion", {"foreign": LOTS_COORDINATORS}),
    "casework:quality_profile": ("organisation", PROFILE),
    "casework:assessment_create": ("organisation", ASSESS),
    # "shared": a Lots assessment of a project whose consultation is shared with MO: MO sees the
    # project, never its assessments.
    "casework:assessment_detail": ("assessment", {"foreign": VISIBLE_TO_LOTS, "shared": VISIBLE_TO_LOTS}),
    "casework:assessment_edit": ("assessment", {"foreign": VISIBLE_TO_LOTS, "shared": VISIBLE_TO_LOTS}),
    "casework:assessment_delete": ("assessment", {"foreign": LOTS_COORDINATORS, "shared": LOTS_COORDINATORS}),
}
