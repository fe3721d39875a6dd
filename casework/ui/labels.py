def person_label(user) -> str:
    """How a person is named in choices, lists and histories."""
    return user.get_full_name() or user.username
