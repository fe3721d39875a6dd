"""Search documents: a record's own text and the names around it, in its `search_text` column.

The search looks for every word in one column, so each word is one index lookup (SQLite's FTS5
trigram table for consultations, PostgreSQL's trigram indexes) or one substring test per row,
instead of a subquery per place a name can come from. What each kind's document holds is in
DOCUMENTS: a consultation's summary and agreements, its organisation's name and municipality, its
case's title, its topics and its advisors; a case's title and description, its organisation and
the person responsible; an event's title, its topics and the organisations that attended.

Kept current here, by signals (`connect`, called from casework/apps.py): a record's save and its
links; a rename of an organisation, case, topic or person; the deletion of a case, topic, person or
organisation. Inside `deferred()` (a save with its links, a merge) each document is written once, at the end. Code that writes records past these (bulk_create, raw SQL) calls `refresh` for the
ids it wrote, as the demo generator does. `refresh` writes only documents that changed, with plain
UPDATEs: no history rows, no version bump (the document is derived, like an index).
"""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.apps import apps as global_apps
from django.conf import settings
from django.db import connection

from casework.search.text import normalise
from casework.ui.labels import person_name

BATCH = 2000
PERSON = ("first_name", "last_name", "username")  # joined by person_name


@dataclass(frozen=True)
class Document:
    """Where a kind's document comes from: its own columns and those of its foreign keys (`values`),
    people it points to (`people`), and the names behind its m2m links (`links`: field, columns)."""

    model: str
    values: tuple[str, ...]
    people: tuple[str, ...] = ()
    links: tuple[tuple[str, tuple[str, ...]], ...] = ()


DOCUMENTS = (
    Document(
        "casework.Consultation",
        values=("summary", "agreements", "organisation__name", "organisation__municipality", "case__title"),
        links=(("topics", ("name",)), ("advisors", PERSON)),
    ),
    Document(
        "casework.Case",
        values=("title", "description", "organisation__name", "organisation__municipality"),
        people=("responsible",),
    ),
    Document(
        "casework.Event", values=("title",), links=(("topics", ("name",)), ("organisations", ("name", "municipality")))
    ),
)

# A name's model, the fields of the name, and per document model the lookup from a record to it.
NAMES = (
    (
        "organisations.Organisation",
        ("name", "municipality"),
        {"casework.Consultation": "organisation", "casework.Case": "organisation", "casework.Event": "organisations"},
    ),
    ("casework.Case", ("title",), {"casework.Consultation": "case"}),
    ("casework.Topic", ("name",), {"casework.Consultation": "topics", "casework.Event": "topics"}),
    (settings.AUTH_USER_MODEL, PERSON, {"casework.Consultation": "advisors", "casework.Case": "responsible"}),
)


def _spec(label):
    return next(document for document in DOCUMENTS if document.model == label)


def refresh(label, ids, *, apps=global_apps):
    """Recompute the documents of the `label` records `ids` and store those that changed; how many changed.

    `apps`: a migration passes its historical apps.
    """
    model, spec = apps.get_model(label), _spec(label)
    changed = 0
    ids = sorted(set(ids))
    for start in range(0, len(ids), BATCH):
        changed += _store(model, _documents(model, spec, ids[start : start + BATCH]))
    return changed


def refresh_all(*, apps=global_apps):
    """Every record's document (a data migration, the demo generator); how many changed."""
    return sum(
        refresh(spec.model, apps.get_model(spec.model).objects.order_by().values_list("pk", flat=True), apps=apps)
        for spec in DOCUMENTS
    )


def _documents(model, spec, ids):
    """{pk: (stored document, current document)} for the records `ids`."""
    names = {pk: [] for pk in ids}
    for field_name, columns in spec.links:
        field = model._meta.get_field(field_name)
        through, owner, target = field.remote_field.through, field.m2m_field_name(), field.m2m_reverse_field_name()
        rows = through.objects.filter(**{f"{owner}_id__in": ids}).values_list(
            f"{owner}_id", *(f"{target}__{column}" for column in columns)
        )
        for pk, *parts in rows:
            names[pk].append(person_name(*parts) if columns == PERSON else " ".join(part or "" for part in parts))
    people = [f"{person}__{column}" for person in spec.people for column in PERSON]
    rows = model.objects.filter(pk__in=ids).values_list("pk", "search_text", *spec.values, *people)
    documents = {}
    for pk, stored, *texts in rows:
        own, persons = texts[: len(spec.values)], texts[len(spec.values) :]
        for start in range(0, len(persons), len(PERSON)):
            if any(persons[start : start + len(PERSON)]):
                names[pk].append(person_name(*(part or "" for part in persons[start : start + len(PERSON)])))
        documents[pk] = (stored, normalise(" ".join(text or "" for text in (*own, *sorted(names[pk])))))
    return documents


def _store(model, documents):
    rows = [(current, pk) for pk, (stored, current) in documents.items() if stored != current]
    if rows:
        qn = connection.ops.quote_name
        column, pk_column = model._meta.get_field("search_text").column, model._meta.pk.column
        sql = f"UPDATE {qn(model._meta.db_table)} SET {qn(column)} = %s WHERE {qn(pk_column)} = %s"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)
    return len(rows)


def _records_naming(instance, lookups):
    """{document model label: ids of its records whose document holds the name `instance`}."""
    return {
        label: list(global_apps.get_model(label).objects.filter(**{lookup: instance.pk}).values_list("pk", flat=True))
        for label, lookup in lookups.items()
    }


def _refresh_each(records):
    for label, ids in records.items():
        _refresh_soon(label, ids)


_pending = ContextVar("search_documents_pending", default=None)


@contextmanager
def deferred():
    """Write the documents the block's saves and links ask for once, when it ends without an error.

    A consultation's save asked up to six times (the save, each link set, the history entry's
    re-sent post_save); a merge once per moved record and link.
    """
    if _pending.get() is not None:  # an outer block writes them
        yield
        return
    pending = {}
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    for label, ids in pending.items():
        refresh(label, ids)


def _refresh_soon(label, ids):
    pending = _pending.get()
    if pending is None:
        refresh(label, ids)
    else:
        pending.setdefault(label, set()).update(ids)


# --- Signals -------------------------------------------------------------------------------------


def _touches(update_fields, fields):
    return update_fields is None or bool(set(update_fields) & set(fields))


def _own_fields(spec):
    """The fields of a record whose change changes its document: its own, and its foreign keys."""
    fields = {"search_text"}
    for value in (*spec.values, *spec.people):
        name = value.split("__")[0]
        fields |= {name, f"{name}_id"}
    return fields


def _record_saved(sender, instance, raw=False, update_fields=None, **_kwargs):
    spec = _spec(sender._meta.label)
    if not raw and _touches(update_fields, _own_fields(spec)):
        _refresh_soon(spec.model, [instance.pk])


def _links_changed(sender, instance, action, reverse, model, pk_set, **_kwargs):
    """A record's links (topics, advisors, organisations) changed, from either side of the link."""
    if not reverse:
        if action in ("post_add", "post_remove", "post_clear"):
            _refresh_soon(type(instance)._meta.label, [instance.pk])
        return
    label = model._meta.label  # the document's model, seen from the linked name's side
    if action == "pre_clear":
        field = next(f.name for f in sender._meta.fields if f.related_model is type(instance))
        owner = next(f.name for f in sender._meta.fields if f.related_model is model)
        instance._search_links_cleared = list(
            sender.objects.filter(**{field: instance.pk}).values_list(f"{owner}_id", flat=True)
        )
    elif action == "post_clear":
        _refresh_soon(label, getattr(instance, "_search_links_cleared", []))
    elif action in ("post_add", "post_remove"):
        _refresh_soon(label, pk_set or [])


def _name(sender):
    return next((fields, lookups) for label, fields, lookups in NAMES if label == sender._meta.label)


def _remember_name(sender, instance, raw=False, update_fields=None, **_kwargs):
    fields, _lookups = _name(sender)
    if not raw and instance.pk and _touches(update_fields, fields):
        instance._search_name_before = sender._default_manager.filter(pk=instance.pk).values_list(*fields).first()


def _name_saved(sender, instance, created, raw=False, update_fields=None, **_kwargs):
    fields, lookups = _name(sender)
    if created or raw or not _touches(update_fields, fields):
        return
    if getattr(instance, "_search_name_before", None) != tuple(getattr(instance, field) for field in fields):
        _refresh_each(_records_naming(instance, lookups))


def _remember_records(sender, instance, **_kwargs):
    _fields, lookups = _name(sender)
    instance._search_records = _records_naming(instance, lookups)


def _forget_name(sender, instance, **_kwargs):
    # Its links are gone (m2m rows deleted, foreign keys set to NULL): the documents lose its name.
    _refresh_each(getattr(instance, "_search_records", {}))


def connect():
    from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

    def on(signal, receiver, sender):
        # One uid per receiver: a case is both a document and a name, with two post_save receivers.
        signal.connect(receiver, sender=sender, dispatch_uid=f"search_document{receiver.__name__}")

    for spec in DOCUMENTS:
        model = global_apps.get_model(spec.model)
        on(post_save, _record_saved, model)
        for field_name, _columns in spec.links:
            on(m2m_changed, _links_changed, model._meta.get_field(field_name).remote_field.through)
    for label, _fields, _lookups in NAMES:
        model = global_apps.get_model(label)
        on(pre_save, _remember_name, model)
        on(post_save, _name_saved, model)
        on(pre_delete, _remember_records, model)
        on(post_delete, _forget_name, model)
