"""What the organisation page shows about quality; called by organisations.views.organisation_detail."""

from casework.access import Action, unit_ids_for
from casework.quality import services
from organisations.models import Organisation


def organisation_context(user, organisation) -> dict:
    """Template context for templates/casework/quality/organisation_panel.html.

    For Lots*innen projects and people who may see assessments of a quality unit the project belongs to:
    the latest profile and the matrix of the latest assessments. Two queries, however many assessments exist.
    """
    if organisation.kind != Organisation.Kind.GUIDE_PROJECT:
        return {}
    scope = services.quality_scope(user, Action.VIEW, organisation)
    if not scope.unit_ids:
        return {}
    assessments = services.organisation_assessments(user, organisation, scope.unit_ids)
    columns, baseline, ratings = services.latest_with_ratings(assessments, services.LATEST)
    matrix = services.build_matrix(columns, baseline=baseline, criteria=scope.criteria, ratings=ratings)
    return {
        "quality": {
            "matrix": matrix,
            "can_assess": bool(services.holding(user, Action.CHANGE, scope.unit_ids)),
            "can_edit_catalogue": bool(set(scope.unit_ids) & unit_ids_for(user, Action.CATALOGUES)),
            "latest_count": services.LATEST,
        }
    }
