"""Readable change history of a record (for coordinators), and saving with a single history entry."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch
from django.db.models.signals import post_save
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy
from simple_history.utils import get_m2m_reverse_field_name

from casework import access
from casework.search import documents as search_documents
from casework.ui.labels import person_label

HISTORY_LIMIT = 15
# Shown instead of the name of a related record the viewer may not see (now).
HIDDEN = gettext_lazy("anderer Datensatz")
KINDS = {"+": "angelegt", "~": "geändert", "-": "gelöscht"}


@dataclass
class HistoryEntry:
    when: object
    who: str
    kind: str
    changes: list
    reason: str = ""  # e.g. "Zusammengeführt mit „…“ (#12)" (organisations/services.py)


def _display(field, value, related):
    """A changed value as people read it: choice labels, German dates, names instead of ids."""
    if value in (None, ""):
        return "–"
    if field.many_to_one:
        obj = related[field.related_model].get(value)
        return str(obj) if obj is not None else str(HIDDEN)
    choices = getattr(field, "flatchoices", None)
    if choices:
        return str(dict(choices).get(value, value))
    if isinstance(value, datetime.datetime):
        return date_format(value, "d.m.Y H:i")
    if isinstance(value, datetime.date):
        return date_format(value, "d.m.Y")
    if isinstance(value, bool):
        return gettext("ja") if value else gettext("nein")
    return str(value)


def _visible(viewer, model):
    """The records of `model` whose names `viewer` may read."""
    restricted = access.visible_related(viewer, model)
    return model._default_manager.all() if restricted is None else restricted


def _related_objects(deltas, viewer):
    """The objects behind changed foreign keys that `viewer` may see: one query per related model."""
    ids = defaultdict(set)
    for _field_changes in deltas:
        for field, old, new in _field_changes:
            if field.many_to_one:
                ids[field.related_model] |= {value for value in (old, new) if value is not None}
    related = defaultdict(dict)
    for model, pks in ids.items():
        related[model] = _visible(viewer, model).in_bulk(pks)
    return related


def _hidden_m2m_targets(records, m2m, viewer) -> dict:
    """Per m2m field, the ids of related records named in these entries that `viewer` may not see."""
    hidden = {}
    for field, (_prefetch, accessor, target) in m2m.items():
        if access.visible_related(viewer, field.related_model) is None:
            continue
        named = {getattr(row, f"{target}_id") for entry in records for row in getattr(entry, accessor).all()}
        visible = set(_visible(viewer, field.related_model).filter(pk__in=named).values_list("pk", flat=True))
        hidden[field] = named - visible
    return hidden


def _m2m_prefetches(history_model):
    """One query per many-to-many field for all entries, with the related objects joined."""
    prefetches = {}
    for field in history_model._history_m2m_fields:
        target = get_m2m_reverse_field_name(field)
        # The history rows of this field: the reverse relation whose model points at `target`.
        relation = next(
            rel
            for rel in history_model._meta.related_objects
            if any(f.name == target for f in rel.related_model._meta.fields)
            and rel.related_model._meta.get_field(target).related_model is field.related_model
        )
        accessor = relation.get_accessor_name()
        queryset = relation.related_model.objects.select_related(target)
        prefetches[field] = (Prefetch(accessor, queryset=queryset), accessor, target)
    return prefetches


def _m2m_names(entry, accessor, target, hidden=frozenset()):
    return sorted(
        str(HIDDEN) if getattr(row, f"{target}_id") in hidden else str(getattr(row, target))
        for row in getattr(entry, accessor).all()
    )


def history_of(record, viewer, limit=HISTORY_LIMIT) -> list[HistoryEntry]:
    """The latest changes, newest first, each with the fields it changed (old → new), in a fixed number of queries.

    Related records are named only where `viewer` may see them now; otherwise "anderer Datensatz".
    """
    history_model = record.history.model
    m2m = _m2m_prefetches(history_model)
    records = list(
        record.history.select_related("history_user")
        .prefetch_related(*(prefetch for prefetch, _accessor, _target in m2m.values()))
        .order_by("-history_date", "-history_id")[: limit + 1]
    )
    model = type(record)
    m2m_names = [field.name for field in m2m]
    pairs = list(zip(records[:limit], [*records[1:], None][:limit], strict=True))
    deltas = [
        [
            (model._meta.get_field(change.field), change.old, change.new)
            for change in newer.diff_against(older, excluded_fields=m2m_names, foreign_keys_are_objs=False).changes
        ]
        if older is not None
        else []
        for newer, older in pairs
    ]
    related = _related_objects(deltas, viewer)
    hidden = _hidden_m2m_targets(records, m2m, viewer)
    entries = []
    for (newer, older), field_changes in zip(pairs, deltas, strict=True):
        changes = [
            (field.verbose_name, _display(field, old, related), _display(field, new, related))
            for field, old, new in field_changes
        ]
        if older is not None:
            for field, (_prefetch, accessor, target) in m2m.items():
                secret = hidden.get(field, frozenset())
                old, new = _m2m_names(older, accessor, target, secret), _m2m_names(newer, accessor, target, secret)
                if old != new:
                    changes.append((field.verbose_name, ", ".join(old) or "–", ", ".join(new) or "–"))
        user = newer.history_user
        entries.append(
            HistoryEntry(
                when=newer.history_date,
                who=person_label(user) if user else "System",
                kind=KINDS.get(newer.history_type, newer.history_type),
                changes=changes,
                reason=newer.history_change_reason or "",
            )
        )
    return entries


def save_with_single_history_entry(instance, *, by, created: bool, set_relations) -> None:
    """Save `instance`, let `set_relations()` set its many-to-many fields, then record one history entry.

    simple-history would otherwise add an entry for the save and one for every `.set()`.
    The entry is written by re-sending post_save, so it captures the final many-to-many state.
    """
    instance._history_user = by
    instance.skip_history_when_saving = True
    with search_documents.deferred():  # its search document once, with the final links
        try:
            instance.save()
            set_relations()
        finally:
            del instance.skip_history_when_saving
        post_save.send(sender=type(instance), instance=instance, created=created, raw=False, using=instance._state.db)
