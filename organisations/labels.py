def organisation_label(organisation) -> str:
    """How an organisation is named in pickers: name plus place, to tell namesakes apart."""
    place = organisation.municipality or organisation.region.name
    return f"{organisation.name} ({place})"
