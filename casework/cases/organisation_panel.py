"""What the organisation page shows about cases; called by organisations.views.organisation_detail."""

from django.db import models

from casework import access
from casework.access import Action
from casework.models import Case

# Running cases first: open, then dormant, then closed.
STATUS_ORDER = models.Case(
    models.When(status=Case.Status.OPEN, then=models.Value(0)),
    models.When(status=Case.Status.DORMANT, then=models.Value(1)),
    default=models.Value(2),
    output_field=models.IntegerField(),
)


def organisation_context(user, organisation) -> dict:
    """Template context for templates/casework/cases/organisation_panel.html."""
    cases = (
        access.cases_visible_to(user)
        .filter(organisation=organisation)
        .select_related("unit", "goal")
        .order_by(STATUS_ORDER, "-opened_on", "-id")
    )
    return {
        "org_cases": cases,
        "org_cases_can_create": access.can(user, Action.CHANGE, access.organisation_unit_ids(organisation)),
    }
