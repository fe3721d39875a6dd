"""Where the words of a consultation's search document are looked up: an index on each database.

PostgreSQL answers `search_text LIKE '%…%'` from the GIN trigram index (migration 0015). SQLite
has no such index for LIKE, so it keeps an FTS5 trigram table over the same column: an external-
content table (it stores only the index, not a second copy of the text) kept current by triggers.

The table and its triggers are (re)made after every `migrate`, not in a migration: on SQLite,
Django rebuilds a table for many schema changes (new table, copy, drop old), and dropping the old
table drops its triggers; a later migration would silently stop the index from following edits.

Words too frequent for a lookup (casework/search/query.py, RARE) are tested row by row in list order.
On SQLite that walk reads covering indexes made here as well (a Django rebuild would drop them too):
each holds a list's sort keys with the search column, so the walk reads neither the wide table rows
nor their overflow pages. PostgreSQL's planner does not need them.
"""

from django.db import connection, connections

from casework.models import Consultation
from organisations.models import Organisation

FTS_TABLE = "casework_consultation_fts"
TRIGRAM = 3  # FTS5's trigram tokenizer cannot look up shorter words; those are scanned
BEGINNING = 5  # letters of each word looked up first in a search for several words (_lookups)
_TRIGGERS = {
    "ai": "AFTER INSERT ON {table} BEGIN INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text); END",
    "ad": "AFTER DELETE ON {table} BEGIN "
    "INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    "au": "AFTER UPDATE OF search_text ON {table} BEGIN "
    "INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text); END",
}


# Measured at 100,000 consultations: the ids of a frequent word's matches up to the capped count
# ('Satzung', in 8 % of the rows) 2.4 → 1.2 ms; an organisation search that finds none 1.6 → 0.5 ms.
# The price: ~11 % more database (a second copy of the consultations' search column).
LIST_ORDER_INDEXES = {
    "consultation_search_order_idx": (Consultation, '"date" DESC, "id" DESC, "unit_id", "search_text"'),
    "organisation_search_order_idx": (Organisation, '"name_sort", "name", "id", "search_text"'),
}


def ensure_sqlite_index(using="default", **_kwargs):
    """Create the FTS5 table, its triggers and the list-order indexes where missing, and fill the FTS5
    table if any trigger was missing.

    Connected to post_migrate; cheap when everything is in place (one look at sqlite_master).
    """
    database = connections[using]
    if database.vendor != "sqlite":
        return
    table = Consultation._meta.db_table
    names = {f"{FTS_TABLE}_{suffix}" for suffix in _TRIGGERS}
    with database.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master")
        present = {row[0] for row in cursor.fetchall()}
        for name, (model, columns) in LIST_ORDER_INDEXES.items():
            if name not in present:
                cursor.execute(f'CREATE INDEX "{name}" ON "{model._meta.db_table}" ({columns})')  # constant names
        if present >= names | {FTS_TABLE}:
            return
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
            f"search_text, content='{table}', content_rowid='id', tokenize='trigram')"
        )
        for suffix, body in _TRIGGERS.items():
            cursor.execute(
                f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_{suffix} {body.format(table=table, fts=FTS_TABLE)}"
            )
        cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")  # noqa: S608 – constant names


def compact_sqlite_index() -> None:
    """Merge the FTS5 segments: until then they keep the words of changed rows, which an erasure
    (casework/privacy/erasure.py) must not leave in the database file. PostgreSQL's trigram index
    lives in index pages, not in a table, and is rebuilt by VACUUM."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = %s", [FTS_TABLE])
        if cursor.fetchone():
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")  # noqa: S608 – constant names


def consultations_containing(terms, limit):
    """On SQLite, the ids of the consultations whose search column contains every word, read from the
    index, if fewer than `limit`; else None (also where every word is shorter than a trigram). The ids
    may hold more than the matches (see _lookups) and lack short words: the caller tests every word
    on the rows.

    PostgreSQL: always None. Its planner chooses between the trigram index and reading in list order
    from the column's statistics, and chooses well for the one column (100,000 consultations: 28–31 ms
    a page, as the plain list); asking the index first cost 3–8 ms more. SQLite has no statistics
    (ANALYZE makes its list plans far worse), so the app chooses there.
    """
    if connection.vendor != "sqlite":
        return None
    indexed = [term for term in terms if len(term) >= TRIGRAM]
    if not indexed:
        return None
    for words in _lookups(indexed):
        ids = _ids_containing(words, limit)
        if len(ids) < limit:
            return ids
    return None


def _lookups(words):
    """The words to look up, cheapest first. With several words, first their beginnings: the index reads
    the whole lists of each word's trigrams, and German endings (-ung, -en, -ein) are in nearly every
    document, beginnings rarely. Those ids hold every match (and some more, which the rows' test drops);
    only if they are too many are the whole words looked up.

    Measured on 100,000 consultations, 50 two-word searches for organisation names, places, topics and
    people: 190–210 → 115–160 ms in all with the rows' test; `Gießen Satzung` 3.9 → 1.7 ms; where even the
    whole words find hundreds, the first lookup is paid in vain (up to ~2 ms). One word: looked up whole,
    as its beginning alone saves little and would often find too many.
    """
    beginnings = [word[:BEGINNING] for word in words]
    if len(words) > 1 and beginnings != words:
        yield beginnings
    yield words


def _ids_containing(words, limit):
    # Phrases: each word as a substring, quotes escaped; AND: all of them in one lookup.
    phrases = " AND ".join('"{}"'.format(word.replace('"', '""')) for word in words)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT rowid FROM {FTS_TABLE} WHERE search_text MATCH %s LIMIT %s", [phrases, limit])  # noqa: S608
        return [row[0] for row in cursor.fetchall()]
