"""What the organisation page shows about cases; called by organisations.views.organisation_detail."""


def organisation_context(user, organisation) -> dict:
    """Template context for templates/casework/includes/organisation_cases.html."""
    return {}
