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
The same holds for the other indexes only SQLite needs (`SQLITE_INDEXES`).

The trigram lists are long, and a phrase is checked at every position: a search for several words would
make FTS5 intersect the lists of every trigram of every word (`Gießen Satzung` at 100,000 consultations:
2.8 ms for 45 matches), and even one word reads several lists with positions. So SQLite keeps the same
documents a second time, split into whole words (WORDS_TABLE, row ids only), and a vocabulary of those words
with its own trigram index (VOCABULARY, VOCABULARY_TRIGRAMS). Each typed word is first looked up in the
vocabulary – `satzung` → satzung, mustersatzung, satzungsentwurf, … – and the documents are then those
holding one of each word's spellings: short lists of whole words, 0.3 ms for the same search; the first
402 documents holding `satzung` 0.30 → 0.12 ms with the lookup. Words shorter than a trigram are found in
the vocabulary by GLOB (`ev`, which no document holds: 189 → 11 ms a page, where every row was tested). The
triggers keep both tables current; words no document holds any more leave the vocabulary when the index is
compacted (nightly and after an erasure).
"""

from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models.expressions import RawSQL

from casework.models import Case, Consultation, Event
from casework.search.fields import glob_containing
from casework.search.lexicon import VOCABULARY, found_per_word, prune_postgresql_vocabulary
from organisations.models import ContactPerson, Organisation

FTS_TABLE = "casework_consultation_search"
WORDS_TABLE = "casework_consultation_words"  # the same documents as whole words
# VOCABULARY (casework/search/lexicon.py, the same table as PostgreSQL's): every word of WORDS_TABLE …
VOCABULARY_TRIGRAMS = f"{VOCABULARY}_trigrams"  # … found by any part of it (shorter parts: GLOB)
# Whole words: the stored documents are normalised (casework/search/text.py), their words separated by single
# spaces; every other character belongs to a word, as in the vocabulary's split of a document (_VOCABULARY_WORDS).
WORD_TOKENIZER = "unicode61 remove_diacritics 0 categories 'L* N* M* P* S* C*'"
MAX_SPELLINGS = 64  # a typed word inside more words narrows too little to pay for their lists: the rows test it
# Dropped with their triggers: the table keyed by id; a vocabulary without the words shorter than a trigram.
FORMER_FTS_TABLES = ("casework_consultation_fts", "casework_search_vocabulary_trigrams", "casework_search_vocabulary")
FORMER_INDEXES = ("consultation_search_order_idx",)  # for testing frequent words row by row in list order
TRIGRAM = 3  # FTS5's trigram tokenizer cannot look up shorter words: the vocabulary by GLOB or the rows (_lookup)
BEGINNING = 5  # letters of each word looked up in a search for several words (_match)
ID_BITS = 32
ID_MASK = (1 << ID_BITS) - 1
LIST_ORDER = ("-date", "-id")  # the consultation lists' order, which the key follows
LAST_DAY = 99991231
# A consultation's place in the list as one integer, ascending from the newest: the days before the last
# possible date (as yyyymmdd; dates are ISO text), then the ids below the largest. Ascending, because FTS5
# reads its lists forwards faster (backwards: 1.5-2 times as long).
LIST_KEY = f"((({LAST_DAY} - CAST(replace({{row}}.date, '-', '') AS INTEGER)) << {ID_BITS}) | ({ID_MASK} - {{row}}.id))"
ID_OF_KEY = f"({ID_MASK} - ({{table}}.rowid & {ID_MASK}))"
# A document's words as a JSON array for json_each (a trigger cannot loop). normalise() leaves no control
# character that JSON would refuse; a document stored before it did is left out rather than failing its save.
_JSON_WORDS = r"""'["' || replace(replace(replace({row}.search_text, '\', '\\'), '"', '\"'), ' ', '","') || '"]'"""
_VOCABULARY_WORDS = (
    "INSERT OR IGNORE INTO {vocabulary}(word) SELECT value FROM {source}json_each("
    "CASE WHEN json_valid({json}) THEN {json} ELSE '[]' END) WHERE value <> ''"
)
_INSERT = (
    "INSERT INTO {fts}(rowid, search_text) VALUES ({new}, new.search_text); "
    "INSERT INTO {words}(rowid, search_text) VALUES ({new}, new.search_text); {new_words}; "
)
_DELETE = (
    "INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', {old}, old.search_text); "
    "INSERT INTO {words}({words}, rowid, search_text) VALUES ('delete', {old}, old.search_text); "
)
_TRIGGERS = {
    "ai": "AFTER INSERT ON {table} BEGIN " + _INSERT + "END",
    "ad": "AFTER DELETE ON {table} BEGIN " + _DELETE + "END",
    "au": "AFTER UPDATE OF search_text, date ON {table} BEGIN " + _DELETE + _INSERT + "END",
}
_VOCABULARY_TRIGGERS = {
    "ai": "AFTER INSERT ON {vocabulary} BEGIN INSERT INTO {trigrams}(rowid, word) VALUES (new.id, new.word); END",
    "ad": "AFTER DELETE ON {vocabulary} BEGIN "
    "INSERT INTO {trigrams}({trigrams}, rowid, word) VALUES ('delete', old.id, old.word); END",
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
# What the text index's candidates are tested on (first_ids_in_list_order): visibility and the list's filters that
# keep the search in the index (unit, format, dates). A consultation's row holds all its texts and spans pages.
ROW_TEST_INDEX = "consultation_row_test_idx"
SQLITE_INDEXES = {
    **LIST_ORDER_INDEXES,
    ROW_TEST_INDEX: (Consultation, '"id", "unit_id", "shared_with_id", "date", "format"'),
}
# Walking a list's order stops after the first matches, but where few records or none hold a word it reads the
# whole list: the global search for `yilmaz` read all 5,000 organisations (1.2 ms in a request). A trigram table
# of their search columns (rowid: the record's id) tells first whether few hold the words (few_ids).
SMALL_FTS_TABLES = {
    Organisation: "organisations_organisation_search",
    ContactPerson: "organisations_contactperson_search",
}
FEW = 50  # at most this many candidates are read by id and sorted; more: the list is walked in its order
_SMALL_TRIGGERS = {
    "ai": "AFTER INSERT ON {table} BEGIN INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text); END",
    "ad": "AFTER DELETE ON {table} BEGIN "
    "INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    "au": "AFTER UPDATE OF search_text ON {table} WHEN old.search_text IS NOT new.search_text BEGIN "
    "INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text); END",
}
_FTS_TABLES = (FTS_TABLE, WORDS_TABLE, VOCABULARY_TRIGRAMS, *SMALL_FTS_TABLES.values())  # merged by the compaction
_TEXT_TABLES = (*_FTS_TABLES, VOCABULARY)  # VOCABULARY_TRIGRAMS reads its words from VOCABULARY: dropped before it
_TEXT_TRIGGERS = (
    *(f"{FTS_TABLE}_{suffix}" for suffix in _TRIGGERS),
    *(f"{VOCABULARY}_{suffix}" for suffix in _VOCABULARY_TRIGGERS),
    *(f"{fts}_{suffix}" for fts in SMALL_FTS_TABLES.values() for suffix in _SMALL_TRIGGERS),
)
_TEXT_INDEX = {*_TEXT_TABLES, *_TEXT_TRIGGERS}  # every table and trigger of the text index, by name


def ensure_sqlite_index(using="default", **_kwargs):
    """Create the text index (FTS5 tables, vocabulary, triggers) and the other SQLite indexes where missing;
    the text index afresh and filled if any part of it was missing.

    Connected to post_migrate; cheap when everything is in place (one look at sqlite_master).
    """
    database = connections[using]
    if database.vendor != "sqlite":
        return
    with database.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master")
        present = {row[0] for row in cursor.fetchall()}
        for name, (model, columns) in SQLITE_INDEXES.items():
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
        if present >= _TEXT_INDEX:
            return
        # Anything missing: the index may have missed edits. Made afresh (contentless: no 'rebuild').
        _drop_text_index(cursor)
        _make_text_index(cursor)


def _drop_text_index(cursor):
    for trigger in _TEXT_TRIGGERS:
        cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    for table in _TEXT_TABLES:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")


def _make_text_index(cursor):
    table = Consultation._meta.db_table
    cursor.execute(f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(search_text, content='', tokenize='trigram')")
    cursor.execute(
        f"CREATE VIRTUAL TABLE {WORDS_TABLE} USING fts5(search_text, content='', detail='none', "
        f'tokenize="{WORD_TOKENIZER}")'
    )
    cursor.execute(f"CREATE TABLE {VOCABULARY} (id INTEGER PRIMARY KEY, word TEXT NOT NULL UNIQUE)")
    cursor.execute(
        f"CREATE VIRTUAL TABLE {VOCABULARY_TRIGRAMS} USING fts5("
        f"word, content='{VOCABULARY}', content_rowid='id', tokenize='trigram')"
    )
    keys = {"table": table, "fts": FTS_TABLE, "words": WORDS_TABLE}
    keys |= {"vocabulary": VOCABULARY, "trigrams": VOCABULARY_TRIGRAMS}
    keys |= {"new": LIST_KEY.format(row="new"), "old": LIST_KEY.format(row="old"), "new_words": _new_words("new")}
    for suffix, body in _TRIGGERS.items():
        cursor.execute(f"CREATE TRIGGER {FTS_TABLE}_{suffix} {body.format(**keys)}")
    for suffix, body in _VOCABULARY_TRIGGERS.items():
        cursor.execute(f"CREATE TRIGGER {VOCABULARY}_{suffix} {body.format(**keys)}")
    key = LIST_KEY.format(row=table)
    for index_table in (FTS_TABLE, WORDS_TABLE):
        cursor.execute(
            f"INSERT INTO {index_table}(rowid, search_text) SELECT {key}, search_text FROM {table}"  # noqa: S608
        )
    cursor.execute(_new_words(table, source=f"{table}, "))
    for model, fts in SMALL_FTS_TABLES.items():
        source = model._meta.db_table
        cursor.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5(search_text, content='', tokenize='trigram')")
        for suffix, body in _SMALL_TRIGGERS.items():
            cursor.execute(f"CREATE TRIGGER {fts}_{suffix} {body.format(table=source, fts=fts)}")
        cursor.execute(f"INSERT INTO {fts}(rowid, search_text) SELECT id, search_text FROM {source}")  # noqa: S608
    # One segment each, as the nightly compaction leaves them.
    for index_table in _FTS_TABLES:
        cursor.execute(f"INSERT INTO {index_table}({index_table}) VALUES ('optimize')")  # noqa: S608 – constant names


def _new_words(row, source=""):
    """SQL adding the words of `row`'s document to the vocabulary (in a trigger: new; or every row of `source`)."""
    json = _JSON_WORDS.format(row=row)
    return _VOCABULARY_WORDS.format(vocabulary=VOCABULARY, source=source, json=json)


def compact_text_index() -> None:
    """Drop the words no document holds any more from the vocabulary and merge the FTS5 segments: until then
    they keep the words of changed rows, which an erasure (casework/privacy/erasure.py) must not leave in the
    database file. PostgreSQL's trigram index lives in index pages, not in a table, and is rebuilt by VACUUM;
    its vocabulary is pruned here too (casework/search/lexicon.py)."""
    if connection.vendor == "postgresql":
        prune_postgresql_vocabulary()
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = %s", [VOCABULARY])
        if not cursor.fetchone():
            return
        cursor.execute(
            f"DELETE FROM {VOCABULARY} WHERE NOT EXISTS (SELECT 1 FROM {WORDS_TABLE} "  # noqa: S608 – constant names
            f"WHERE {WORDS_TABLE} MATCH '\"' || replace(word, '\"', '\"\"') || '\"')"
        )
        for table in _FTS_TABLES:
            cursor.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")  # noqa: S608 – constant names


def first_ids_in_list_order(queryset, terms, limit, date_from=None, date_to=None, unsearched=None):
    """On SQLite, the ids of the first `limit` consultations of `queryset` (in list order) that contain
    every word, read from the index in its order; None where the index cannot answer (PostgreSQL, words
    shorter than a trigram inside too many words, a queryset in another order).

    The index finds candidates (see _lookup); each is tested against the queryset – the person's
    visibility, the other filters and every word on the row – by its id. Where the candidates hold exactly
    the words (every word found as whole words), they are tested against `unsearched` instead, the same
    queryset without the words, on the narrow entries of ROW_TEST_INDEX rather than the wide rows. A date
    range bounds the keys read. Measured at 100,000 consultations: the first 201 matches of `Satzung` (8 %
    of the rows) 5.8 → 1.1 ms, against first asking the index whether there are fewer than 1,000, then
    testing rows in list order; then, as whole words and without reading the rows, 0.59 → 0.23 ms in a
    request (the rows' pages are no longer in the cache there).
    """
    if connection.vendor != "sqlite" or tuple(queryset.query.order_by or queryset.model._meta.ordering) != LIST_ORDER:
        return None
    lookup = _lookup(terms)
    if lookup is None:
        return None
    if lookup is NOWHERE:
        return []
    table, match, exact = lookup
    if exact and unsearched is not None:
        queryset = unsearched
    candidate = RawSQL(ID_OF_KEY.format(table=table), ())  # noqa: S611 – constant names
    try:
        tested, tested_params = queryset.order_by().filter(pk=candidate).values("pk").query.sql_with_params()
    except EmptyResultSet:  # a queryset that can hold nothing (none())
        return []
    keys, key_params = _key_range(date_from, date_to)
    sql = (
        f"SELECT {ID_OF_KEY.format(table=table)} FROM {table} WHERE {table} MATCH %s{keys} "  # noqa: S608
        f"AND EXISTS ({_on_row_test_index(tested)}) ORDER BY rowid LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [match, *key_params, *tested_params, limit])
        return [row[0] for row in cursor.fetchall()]


def _on_row_test_index(tested):
    """The candidates' test read from ROW_TEST_INDEX where it reads the consultations alone: SQLite's planner
    takes the table's rows for an id, though all the test needs (visibility, the list's filters) is in the
    index's entries – a few dozen bytes instead of a row with every text (INDEXED BY, a hint SQLite honours or
    refuses with an error, never ignores)."""
    alone = f'FROM "{Consultation._meta.db_table}" WHERE '
    return tested.replace(alone, f'FROM "{Consultation._meta.db_table}" INDEXED BY {ROW_TEST_INDEX} WHERE ', 1)


def few_ids(model, terms):
    """On SQLite, the ids of the organisations or contact persons whose search column holds the words (those of
    three letters or more; the rows test the rest), where they are at most FEW; None where more are, or where
    the index cannot tell (PostgreSQL: its trigram indexes answer the list itself; only short words)."""
    table, match = SMALL_FTS_TABLES.get(model), _match(terms)
    if connection.vendor != "sqlite" or table is None or not match:
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT rowid FROM {table} WHERE {table} MATCH %s LIMIT %s", [match, FEW + 1])  # noqa: S608
        ids = [row[0] for row in cursor.fetchall()]
    return ids if len(ids) <= FEW else None


def only_candidates(queryset, terms):
    """On SQLite, `queryset` limited to the index's candidates for the words, for reading every match (an
    export): the rows' test then runs only where the index found the words, not on every row. Not for a
    page: the candidates are all read first (`Satzung`: 8,330), where first_ids_in_list_order stops early."""
    match = _match(terms) if connection.vendor == "sqlite" else ""
    if not match:
        return queryset
    id_of_key = ID_OF_KEY.format(table=FTS_TABLE)
    candidates = f"SELECT {id_of_key} FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608 – constant names
    return queryset.filter(pk__in=RawSQL(candidates, [match]))  # noqa: S611 – the words are a parameter


NOWHERE = object()  # _lookup: a word no document holds


def _lookup(terms):
    """Where the index finds the candidates for the words: (table, FTS5 query, whether they hold exactly the
    words); None where it cannot (words shorter than a trigram that occur in too many words); NOWHERE where a
    word occurs in no document.

    The whole words of the documents that contain each typed word (WORDS_TABLE, see the module's doc), leaving
    out a word inside too many of them; where every word is, the trigrams (FTS_TABLE) of the word, or of the
    words' beginnings. `verein ev` (no document holds a word with "ev") is thus answered by the vocabulary
    alone, where testing every row holding "verein" took 150 ms. Exact where every word was found as whole
    words: a document holds one of the words that contain it, or it is no candidate.
    """
    spellings = _spellings(terms)
    if not all(spellings):
        return NOWHERE
    narrowing = [found for found in spellings if len(found) <= MAX_SPELLINGS]
    if narrowing:
        match = " AND ".join(f"({' OR '.join(map(_phrase, found))})" for found in narrowing)
        return WORDS_TABLE, match, len(narrowing) == len(spellings)
    words = [term for term in terms if len(term) >= TRIGRAM]
    return (FTS_TABLE, _match(words), False) if words else None


def _spellings(words):
    """For each word, the words of the documents that contain it (at most MAX_SPELLINGS + 1), in one query: from
    the vocabulary's trigrams, or for a word shorter than a trigram by testing every entry (1,177 words: 0.13 ms)."""
    by_trigrams = f"SELECT word FROM {VOCABULARY_TRIGRAMS} WHERE {VOCABULARY_TRIGRAMS} MATCH %s LIMIT %s"  # noqa: S608
    by_glob = f"SELECT word FROM {VOCABULARY} WHERE word GLOB %s LIMIT %s"  # noqa: S608 – constant names
    return found_per_word(
        [
            (by_trigrams, [_phrase(word), MAX_SPELLINGS + 1])
            if len(word) >= TRIGRAM
            else (by_glob, [glob_containing(word), MAX_SPELLINGS + 1])
            for word in words
        ]
    )


def _phrase(text):
    """`text` as one FTS5 phrase: a trigram table finds it inside any word, the words table as a whole word."""
    return '"{}"'.format(text.replace('"', '""'))


def _match(terms):
    """The trigram table's query for the words: each word as a substring, all of them.

    With several words, only their first letters: the index reads the whole lists of each word's
    trigrams, and German endings (-ung, -en, -ein) are in nearly every document, beginnings rarely.
    The candidates then hold every match and some more, which the test of the whole words on the
    row drops.
    """
    words = [term for term in terms if len(term) >= TRIGRAM]
    if len(words) > 1:
        words = list(dict.fromkeys(word[:BEGINNING] for word in words))
    return " AND ".join(map(_phrase, words))


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
