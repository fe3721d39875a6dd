"""What the organisation page shows about events; called by organisations.views.organisation_detail."""

from casework import access

EVENT_LIMIT = 10


def organisation_context(user, organisation) -> dict:
    """Template context for templates/casework/events/organisation_panel.html.

    One query: one row more than shown tells whether there are more.
    """
    attended = list(
        access.events_visible_to(user).filter(organisations=organisation).select_related("unit")[: EVENT_LIMIT + 1]
    )
    return {"organisation_events": attended[:EVENT_LIMIT], "organisation_events_more": len(attended) > EVENT_LIMIT}
