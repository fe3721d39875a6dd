def person_name(first_name, last_name, username) -> str:
    """How a person is named in choices, lists and histories: the full name, else the user name."""
    return f"{first_name} {last_name}".strip() or username


def person_label(user) -> str:
    return person_name(user.first_name, user.last_name, user.username)
