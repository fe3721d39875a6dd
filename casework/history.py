"""Readable change history of a record, for coordinators."""

from dataclasses import dataclass

HISTORY_LIMIT = 15


@dataclass
class HistoryEntry:
    when: object
    who: str
    kind: str
    changes: list


def _display(field, value):
    if value in (None, ""):
        return "–"
    if isinstance(value, list):  # many-to-many: list of through-row dicts
        return f"{len(value)} Einträge"
    choices = getattr(field, "flatchoices", None)
    if choices:
        return str(dict(choices).get(value, value))
    return str(value)


def history_of(record, limit=HISTORY_LIMIT) -> list[HistoryEntry]:
    """The latest changes, newest first, each with the fields it changed (old → new)."""
    records = list(record.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    kinds = {"+": "angelegt", "~": "geändert", "-": "gelöscht"}
    model = type(record)
    entries = []
    for newer, older in zip(records, records[1:] + [None]):
        if len(entries) == limit:
            break
        changes = []
        if older is not None:
            delta = newer.diff_against(older, foreign_keys_are_objs=False)
            for change in delta.changes:
                field = model._meta.get_field(change.field)
                changes.append((field.verbose_name, _display(field, change.old), _display(field, change.new)))
        user = newer.history_user
        entries.append(
            HistoryEntry(
                when=newer.history_date,
                who=(user.get_full_name() or user.username) if user else "System",
                kind=kinds.get(newer.history_type, newer.history_type),
                changes=changes,
            )
        )
    return entries
