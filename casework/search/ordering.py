"""German order of names: case-insensitive, Ä with A, Ö with O, Ü with U, ß as ss.

`german("name")` is one expression for both databases: PostgreSQL sorts with its ICU collation
"de-x-icu"; SQLite with a collation of the same name that `register_sqlite_collation` adds to every
connection (casework/apps.py). `german_key` is the same order in Python, for lists sorted in memory.
"""

import functools

from django.db.models.functions import Collate

from casework.search.text import strip_accents

GERMAN = "de-x-icu"


def german(field):
    """The field (name or expression) compared as German readers expect; use in order_by()."""
    return Collate(field, GERMAN)


@functools.lru_cache(maxsize=65536)
def german_key(text):
    """Letters first (accents and case folded, ß as ss), then accents, then case, as ICU's German rules."""
    text = text or ""
    return strip_accents(text), text.casefold(), text


def _compare(left, right):
    a, b = german_key(left), german_key(right)
    return (a > b) - (a < b)


def register_sqlite_collation(sender, connection, **kwargs):
    """connection_created receiver: the German collation on every new SQLite connection."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(GERMAN, _compare)


def by_person_name(person):
    """Sort key for people (advisor choices and filters): last name, first name, in German order."""
    return german_key(person.last_name), german_key(person.first_name), person.username
