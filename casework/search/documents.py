"""A consultation's search document: its own text and the names around it, in its `search_text` column.

The search looks for every word in one column, so each word is one index lookup (SQLite's FTS5
trigram table, PostgreSQL's trigram index) or one substring test per row, instead of a subquery
per place a name can come from. The document holds the normalised summary and agreements, the
organisation's name and municipality, the case's title, the topics' names and the advisors' names.

Kept current here, by signals (`connect`, called from casework/apps.py): a consultation's save and its
topic or advisor links; a rename of an organisation, case, topic or person; the deletion of a case
or person. Code that writes consultations past these (bulk_create, raw SQL) calls `refresh` for
the ids it wrote, as the demo generator does. `refresh` writes only documents that changed, with
plain UPDATEs: no history rows, no version bump (the document is derived, like an index).
"""

from django.db import connection

from casework.search.text import normalise
from casework.ui.labels import person_name

BATCH = 2000


def _model():
    from casework.models import Consultation

    return Consultation


def _chunks(ids):
    ids = sorted(set(ids))
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def refresh(ids, *, model=None):
    """Recompute the documents of the consultations `ids` and store those that changed; how many changed.

    `model` is the Consultation model to use (a migration passes its historical one).
    """
    model = model or _model()
    changed = 0
    for chunk in _chunks(ids):
        changed += _store(model, _documents(model, chunk))
    return changed


def refresh_all(*, model=None):
    """Every consultation's document (a data migration, the demo generator); how many changed."""
    model = model or _model()
    return refresh(model.objects.order_by().values_list("pk", flat=True), model=model)


def _documents(model, ids):
    """{pk: (stored document, current document)} for the consultations `ids`."""
    names = {pk: [] for pk in ids}
    for pk, topic in model.topics.through.objects.filter(consultation_id__in=ids).values_list(
        "consultation_id", "topic__name"
    ):
        names[pk].append(topic)
    people = model.advisors.through.objects.filter(consultation_id__in=ids).values_list(
        "consultation_id", "user__first_name", "user__last_name", "user__username"
    )
    for pk, *person in people:
        # The name people see; the user name only for people without a name ("beratung-mo" must
        # not make "Beratung" match every consultation of that advisor).
        names[pk].append(person_name(*person))
    rows = model.objects.filter(pk__in=ids).values_list(
        "pk", "search_text", "summary", "agreements", "organisation__name", "organisation__municipality", "case__title"
    )
    return {
        pk: (stored, normalise(" ".join(text or "" for text in (*texts, *sorted(names[pk])))))
        for pk, stored, *texts in rows
    }


def _store(model, documents):
    rows = [(current, pk) for pk, (stored, current) in documents.items() if stored != current]
    if rows:
        qn = connection.ops.quote_name
        sql = f"UPDATE {qn(model._meta.db_table)} SET {qn('search_text')} = %s WHERE {qn('id')} = %s"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)
    return len(rows)


def ids_with(**lookup):
    """The ids of the consultations matching `lookup` (e.g. organisation_id=…), for `refresh`."""
    return list(_model().objects.filter(**lookup).order_by().values_list("pk", flat=True))


# --- Signals -------------------------------------------------------------------------------------

OWN_FIELDS = {"summary", "agreements", "organisation", "organisation_id", "case", "case_id", "search_text"}


def _named_models():
    """(model, the fields of its name, the lookup from a consultation to it)."""
    from django.contrib.auth import get_user_model

    from casework.models import Case, Topic
    from organisations.models import Organisation

    return [
        (Organisation, ("name", "municipality"), "organisation_id"),
        (Case, ("title",), "case_id"),
        (Topic, ("name",), "topics"),
        (get_user_model(), ("first_name", "last_name", "username"), "advisors"),
    ]


def _touches(update_fields, fields):
    return update_fields is None or bool(set(update_fields) & set(fields))


def _consultation_saved(sender, instance, raw=False, update_fields=None, **_kwargs):
    if not raw and _touches(update_fields, OWN_FIELDS):
        refresh([instance.pk])


def _links_changed(sender, instance, action, reverse, pk_set, **_kwargs):
    """A consultation's topics or advisors changed, from either side of the link."""
    if not reverse:
        if action in ("post_add", "post_remove", "post_clear"):
            refresh([instance.pk])
        return
    if action == "pre_clear":
        instance._search_links_cleared = _linked_ids(sender, instance)
    elif action == "post_clear":
        refresh(getattr(instance, "_search_links_cleared", []))
    elif action in ("post_add", "post_remove"):
        refresh(pk_set or [])


def _linked_ids(through, target):
    """The ids of the consultations a topic or person is linked to in the m2m table `through`."""
    (field,) = [f.name for f in through._meta.fields if f.related_model is type(target)]
    return list(through.objects.filter(**{field: target.pk}).values_list("consultation_id", flat=True))


def _name_fields_and_lookup(sender):
    return next((fields, lookup) for model, fields, lookup in _named_models() if model is sender)


def _remember_name(sender, instance, raw=False, update_fields=None, **_kwargs):
    fields, _lookup = _name_fields_and_lookup(sender)
    if not raw and instance.pk and _touches(update_fields, fields):
        instance._search_name_before = sender._default_manager.filter(pk=instance.pk).values_list(*fields).first()


def _name_saved(sender, instance, created, raw=False, update_fields=None, **_kwargs):
    fields, lookup = _name_fields_and_lookup(sender)
    if created or raw or not _touches(update_fields, fields):
        return
    if getattr(instance, "_search_name_before", None) != tuple(getattr(instance, field) for field in fields):
        refresh(ids_with(**{lookup: instance.pk}))


def _remember_consultations(sender, instance, **_kwargs):
    _fields, lookup = _name_fields_and_lookup(sender)
    instance._search_consultations = ids_with(**{lookup: instance.pk})


def _forget_name(sender, instance, **_kwargs):
    # Its links are gone (m2m rows deleted, the case's link set to NULL): the documents lose its name.
    refresh(getattr(instance, "_search_consultations", []))


def connect():
    from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

    consultation = _model()
    post_save.connect(_consultation_saved, sender=consultation, dispatch_uid="search_document")
    for field in (consultation.topics, consultation.advisors):
        m2m_changed.connect(_links_changed, sender=field.through, dispatch_uid="search_document")
    for model, _fields, lookup in _named_models():
        pre_save.connect(_remember_name, sender=model, dispatch_uid="search_document")
        post_save.connect(_name_saved, sender=model, dispatch_uid="search_document")
        if lookup != "organisation_id":  # consultations protect their organisation from deletion
            pre_delete.connect(_remember_consultations, sender=model, dispatch_uid="search_document")
            post_delete.connect(_forget_name, sender=model, dispatch_uid="search_document")
