"""Where the words of a consultation's search document are looked up: an index on each database.

PostgreSQL answers `search_text LIKE '%…%'` from the GIN trigram index (migration 0015); its planner
chooses between that index and reading in list order from the column's statistics.

SQLite has no such index for LIKE, so it keeps an FTS5 trigram table over the same column, kept
current by triggers. Its rowid is not the consultation's id but the row's place in the list: the date
and the id in one integer (`LIST_KEY`). The index thus gives its matches in list order (newest first),
and a page with its capped count stops after the few matches it needs: a frequent word costs no more
than a rare one, and nothing has to guess beforehand how frequent a word is. The table is contentless
(it stores only the index; the id is in the key's low bits).

The table and its triggers are (re)made after every `migrate`, not in a migration: on SQLite,
Django rebuilds a table for many schema changes (new table, copy, drop old), and dropping the old
table drops its triggers; a later migration would silently stop the index from following edits.
The same holds for the list-order indexes of the smaller kinds (`LIST_ORDER_INDEXES`).
"""

from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models.expressions import RawSQL

from casework.models import Case, Consultation, Event
from organisations.models import ContactPerson, Organisation

FTS_TABLE = "casework_consultation_search"
FORMER_FTS_TABLES = ("casework_consultation_fts",)  # keyed by id: dropped with its triggers
FORMER_INDEXES = ("consultation_search_order_idx",)  # for testing frequent words row by row in list order
TRIGRAM = 3  # FTS5's trigram tokenizer cannot look up shorter words; those are tested on the rows only
BEGINNING = 5  # letters of each word looked up in a search for several words (_match)
ID_BITS = 32
ID_MASK = (1 << ID_BITS) - 1
LIST_ORDER = ("-date", "-id")  # the consultation lists' order, which the key follows
LAST_DAY = 99991231
# A consultation's place in the list as one integer, ascending from the newest: the days before the last
# possible date (as yyyymmdd; dates are ISO text), then the ids below the largest. Ascending, because FTS5
# reads its lists forwards faster (backwards: 1.5-2 times as long).
LIST_KEY = f"((({LAST_DAY} - CAST(replace({{row}}.date, '-', '') AS INTEGER)) << {ID_BITS}) | ({ID_MASK} - {{row}}.id))"
ID_OF_KEY = f"({ID_MASK} - ({FTS_TABLE}.rowid & {ID_MASK}))"
_TRIGGERS = {
    "ai": "AFTER INSERT ON {table} BEGIN INSERT INTO {fts}(rowid, search_text) VALUES ({new}, new.search_text); END",
    "ad": "AFTER DELETE ON {table} BEGIN "
    "INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', {old}, old.search_text); END",
    "au": "AFTER UPDATE OF search_text, date ON {table} BEGIN "
    "INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', {old}, old.search_text); "
    "INSERT INTO {fts}(rowid, search_text) VALUES ({new}, new.search_text); END",
}

# The smaller kinds are searched row by row in their list's order: an index holding the order, the columns
# of visibility and the search column is walked in that order, tests each entry without reading the wide table
# row and stops after the few matches a page or the global search shows. An organisation search that finds
# nothing: 1.6 → 0.5 ms; the global search's first cases for "verein" 0.8 → 0.02 ms, its first contact persons
# for "a" 9.3 → 0.03 ms (100,000 consultations). SQLite only: PostgreSQL has the trigram indexes, and a B-tree
# entry there may not hold a long text.
LIST_ORDER_INDEXES = {
    "organisation_search_order_idx": (Organisation, '"name_sort", "name", "id", "search_text"'),
    "contact_search_order_idx": (ContactPerson, '"name_sort", "name", "id", "organisation_id", "search_text"'),
    "case_search_order_idx": (Case, '"unit_id", "opened_on" DESC, "id" DESC, "search_text"'),
    "event_search_order_idx": (Event, '"date" DESC, "id" DESC, "unit_id", "is_joint", "search_text"'),
}


def ensure_sqlite_index(using="default", **_kwargs):
    """Create the FTS5 table, its triggers and the list-order indexes where missing, and fill the FTS5
    table if any trigger was missing.

    Connected to post_migrate; cheap when everything is in place (one look at sqlite_master).
    """
    database = connections[using]
    if database.vendor != "sqlite":
        return
    with database.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master")
        present = {row[0] for row in cursor.fetchall()}
        for name, (model, columns) in LIST_ORDER_INDEXES.items():
            if name not in present:
                cursor.execute(f'CREATE INDEX "{name}" ON "{model._meta.db_table}" ({columns})')  # constant names
        for former in FORMER_INDEXES:
            if former in present:
                cursor.execute(f'DROP INDEX "{former}"')
        for former in FORMER_FTS_TABLES:
            if former in present:
                for suffix in _TRIGGERS:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {former}_{suffix}")
                cursor.execute(f"DROP TABLE {former}")
        triggers = {f"{FTS_TABLE}_{suffix}" for suffix in _TRIGGERS}
        if present >= triggers | {FTS_TABLE}:
            return
        # Any trigger missing: the index may have missed edits. Made afresh (contentless: no 'rebuild').
        for suffix in _TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {FTS_TABLE}_{suffix}")
        cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
        cursor.execute(f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(search_text, content='', tokenize='trigram')")
        table = Consultation._meta.db_table
        keys = {"table": table, "fts": FTS_TABLE}
        keys |= {"new": LIST_KEY.format(row="new"), "old": LIST_KEY.format(row="old")}
        for suffix, body in _TRIGGERS.items():
            cursor.execute(f"CREATE TRIGGER {FTS_TABLE}_{suffix} {body.format(**keys)}")
        cursor.execute(
            f"INSERT INTO {FTS_TABLE}(rowid, search_text) "  # noqa: S608 – constant names
            f"SELECT {LIST_KEY.format(row=table)}, search_text FROM {table}"
        )
        # One segment, as the nightly compaction leaves it.
        cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")  # noqa: S608 – constant names


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


def first_ids_in_list_order(queryset, terms, limit, date_from=None, date_to=None):
    """On SQLite, the ids of the first `limit` consultations of `queryset` (in list order) that contain
    every word, read from the index in its order; None where the index cannot answer (PostgreSQL, every
    word shorter than a trigram, a queryset in another order).

    The index finds candidates (see _match); each is tested against the queryset – the person's
    visibility, the other filters and every word on the row – by its id. A date range bounds the keys
    read. Measured at 100,000 consultations: the first 201 matches of `Satzung` (8 % of the rows) 5.8 →
    1.1 ms, against first asking the index whether there are fewer than 1,000, then testing rows in list
    order; `yilmaz` 1.8 → 0.7 ms. Where few rows hold the word, each candidate's row is read from far
    apart (`wetzlar`, 393 consultations: 2.5 ms).
    """
    if connection.vendor != "sqlite" or tuple(queryset.query.order_by or queryset.model._meta.ordering) != LIST_ORDER:
        return None
    match = _match(terms)
    if not match:
        return None
    candidate = RawSQL(ID_OF_KEY, ())  # noqa: S611 – constant names
    try:
        tested, tested_params = queryset.order_by().filter(pk=candidate).values("pk").query.sql_with_params()
    except EmptyResultSet:  # a queryset that can hold nothing (none())
        return []
    keys, key_params = _key_range(date_from, date_to)
    sql = (
        f"SELECT {ID_OF_KEY} FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s{keys} "  # noqa: S608
        f"AND EXISTS ({tested}) ORDER BY rowid LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [match, *key_params, *tested_params, limit])
        return [row[0] for row in cursor.fetchall()]


def only_candidates(queryset, terms):
    """On SQLite, `queryset` limited to the index's candidates for the words, for reading every match (an
    export): the rows' test then runs only where the index found the words, not on every row. Not for a
    page: the candidates are all read first (`Satzung`: 8,330), where first_ids_in_list_order stops early."""
    match = _match(terms) if connection.vendor == "sqlite" else ""
    if not match:
        return queryset
    candidates = f"SELECT {ID_OF_KEY} FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608 – constant names
    return queryset.filter(pk__in=RawSQL(candidates, [match]))  # noqa: S611 – the words are a parameter


def _match(terms):
    """The FTS5 query for the words: each word as a substring (quotes escaped), all of them.

    With several words, only their first letters: the index reads the whole lists of each word's
    trigrams, and German endings (-ung, -en, -ein) are in nearly every document, beginnings rarely.
    The candidates then hold every match and some more, which the test of the whole words on the
    row drops (`Gießen Satzung` at 100,000 consultations: 3.9 → 1.7 ms).
    """
    words = [term for term in terms if len(term) >= TRIGRAM]
    if len(words) > 1:
        words = list(dict.fromkeys(word[:BEGINNING] for word in words))
    return " AND ".join('"{}"'.format(word.replace('"', '""')) for word in words)


def _key_range(date_from, date_to):
    conditions, params = "", []
    if date_to:
        conditions += " AND rowid >= %s"
        params.append(_day_key(date_to))
    if date_from:
        conditions += " AND rowid <= %s"
        params.append(_day_key(date_from) | ID_MASK)
    return conditions, params


def _day_key(day):
    return (LAST_DAY - int(day.strftime("%Y%m%d"))) << ID_BITS
