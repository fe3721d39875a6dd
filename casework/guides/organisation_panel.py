"""What the organisation page shows about Lots*innen figures; called by organisations.views.organisation_detail."""

from casework.access import Action
from casework.guides import access as guides_access
from casework.guides import services

PANEL_LIMIT = 8


def organisation_context(user, organisation) -> dict:
    """Template context for templates/casework/guides/organisation_panel.html.

    For Lots*innen projects and members of their Lots*innen unit: the latest counts of active Lots*innen
    and the latest trainings. Two queries, however many exist; none for anyone else.
    """
    unit_ids = guides_access.project_unit_ids(user, Action.VIEW, organisation)
    if not unit_ids:
        return {}
    return {
        "guides": {
            "figures": services.project_figures(user, organisation, unit_ids, limit=PANEL_LIMIT),
            "can_record": bool(guides_access.project_unit_ids(user, Action.CHANGE, organisation)),
        }
    }
