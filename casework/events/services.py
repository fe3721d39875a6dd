"""Writes for events (Qualifizierung und Vernetzung): one history entry per save."""

from django.db import transaction

from casework.history import save_with_single_history_entry
from casework.models import Event


@transaction.atomic
def event_save(*, event: Event, by, topics, organisations) -> Event:
    """Create or update an event with its topics and participating organisations."""
    is_new = event._state.adding
    if is_new:
        event.created_by = by

    def set_relations():
        event.topics.set(topics)
        event.organisations.set(organisations)

    save_with_single_history_entry(event, by=by, created=is_new, set_relations=set_relations)
    return event


@transaction.atomic
def event_delete(*, event: Event, by) -> None:
    event._history_user = by
    event.delete()
