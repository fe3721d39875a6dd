"""The stored search column: the normalised text of some of the record's own fields.

Computed in `pre_save`, which Django calls for `save()` and for every row of `bulk_create`, so the
demo generator, fixtures and factories keep it without knowing about it. `QuerySet.update()` and
`bulk_update()` skip it: code that changes a source field that way must save the record instead.
"""

from django.db import models
from django.db.models.lookups import Contains

from casework.search.text import normalise, strip_accents

# GLOB's wildcards, each matched as itself inside brackets.
_GLOB_LITERAL = str.maketrans({"*": "[*]", "?": "[?]", "[": "[[]"})


class SearchTextField(models.TextField):
    def __init__(self, *args, sources=(), **kwargs):
        self.sources = tuple(sources)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["sources"] = self.sources
        for key, value in (("editable", False), ("blank", True), ("default", "")):
            if kwargs.get(key, value) == value:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def text_of(self, record):
        return normalise(" ".join(str(getattr(record, source) or "") for source in self.sources))

    def pre_save(self, model_instance, add):
        value = self.text_of(model_instance)
        setattr(model_instance, self.attname, value)
        return value


class Holds(Contains):
    """`search_text__holds=term`: the column contains the (normalised) term.

    Both sides are normalised to lower case, so no case needs folding. SQLite's LIKE folds the case of
    every character it compares; GLOB does not and tests a short column in half the time (5,000
    organisations' names searched for a word none holds: 1.0 → 0.5 ms). Elsewhere the built-in `contains`
    (PostgreSQL: LIKE, answered by the trigram index).
    """

    def as_sqlite(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} GLOB %s", [*params, glob_containing(self.rhs)]


def glob_containing(text):
    """A GLOB pattern for any text that contains `text` (its wildcards taken literally)."""
    return f"*{text.translate(_GLOB_LITERAL)}*"


SearchTextField.register_lookup(Holds, lookup_name="holds")


class SortKeyField(models.CharField):
    """A stored German sort key of one field (accents and case folded, ß as ss), for long lists.

    Sorting by `german("name")` needs no column, but on SQLite it calls Python for every comparison
    and cannot use an index: for thousands of organisations the list's first page went from ~1 ms
    to ~100 ms. The key column is indexed on both databases. Ties keep the name's own order.
    """

    def __init__(self, *args, source="name", **kwargs):
        self.source = source
        kwargs.setdefault("editable", False)
        kwargs.setdefault("max_length", 400)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, value in (("editable", False), ("max_length", 400), ("default", "")):
            if kwargs.get(key, value) == value:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = strip_accents(getattr(model_instance, self.source) or "")[: self.max_length]
        setattr(model_instance, self.attname, value)
        return value


def fill_search_text(model, connection, batch_size=5000, field_name="search_text"):
    """Compute a search (or sort key) column of every existing row (data migrations; historical models).

    Plain UPDATEs by primary key via executemany: bulk_update's CASE expressions grow with the batch.
    """
    field = model._meta.get_field(field_name)
    sources = field.sources if isinstance(field, SearchTextField) else (field.source,)
    table, qn = model._meta.db_table, connection.ops.quote_name
    sql = f"UPDATE {qn(table)} SET {qn(field.column)} = %s WHERE {qn(model._meta.pk.column)} = %s"  # noqa: S608
    rows = model._default_manager.order_by().values_list("pk", *sources)
    batch = []
    with connection.cursor() as cursor:
        for pk, *texts in rows.iterator(chunk_size=batch_size):
            record = model(**dict(zip(sources, texts, strict=True)))
            batch.append((field.pre_save(record, add=False), pk))
            if len(batch) >= batch_size:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def create_trigram_indexes(schema_editor, tables):
    """GIN trigram indexes on the search columns, so LIKE '%…%' is fast; PostgreSQL only."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table in tables:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_search_trgm ON {table} USING gin (search_text gin_trgm_ops)"
        )


def drop_trigram_indexes(schema_editor, tables):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in tables:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_trgm")
