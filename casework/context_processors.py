from casework.access import Action, unit_ids_for


def navigation(request):
    """What the navigation may offer: only what the person can use."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_can_view": bool(unit_ids_for(user, Action.VIEW)),
        "nav_can_change": bool(unit_ids_for(user, Action.CHANGE)),
        "nav_can_report": bool(unit_ids_for(user, Action.REPORTS)),
    }
