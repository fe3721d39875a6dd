"""What the organisation page shows about events; called by organisations.views.organisation_detail."""


def organisation_context(user, organisation) -> dict:
    """Template context for templates/casework/includes/organisation_events.html."""
    return {}
