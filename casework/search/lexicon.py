"""PostgreSQL's vocabulary of the consultations' words, for words shorter than a trigram.

The trigram index (migration 0015) cannot look up `ev` or `ka`: a search for `verein ev` got every row holding
"verein" from it (64,363 at 100,000 consultations) and tested each for "ev" (188 ms). With every word of every
search document in this table, a short word is first looked up here (a few hundred to a few thousand words):
if no word holds it, nothing can match and the search ends at once (casework/search/query.py). SQLite keeps the
same vocabulary beside its FTS5 tables (casework/search/index.py).

A statement-level trigger adds the words of inserted and updated rows. Words no document holds any more leave
when the text index is compacted (nightly and after every erasure: index.compact_text_index).
"""

from django.db import connection, connections

from casework.models import Consultation

VOCABULARY = "casework_search_lexicon"
_TRIGGER_FUNCTION = f"{VOCABULARY}_add"
_EVENTS = ("INSERT", "UPDATE")


def _words_of(rows):
    """SQL: the distinct words of the search documents in `rows`, in one order (concurrent saves adding the same
    new words then wait for each other instead of deadlocking)."""
    return f"SELECT DISTINCT word FROM {rows}, {_split(rows)} AS word WHERE word <> '' ORDER BY word"  # noqa: S608


def _split(rows):
    """SQL: the words of each search document in `rows` (split at its single spaces). string_to_array, not
    regexp_split_to_table: no regular expression per document (100,000 documents: 2.9 instead of 4.9 s)."""
    return f"unnest(string_to_array({rows}.search_text, ' '))"


def ensure_postgresql_vocabulary(using="default", **_kwargs):
    """Create the vocabulary, filled, and its triggers where missing. Connected to post_migrate."""
    database = connections[using]
    if database.vendor != "postgresql":
        return
    table = Consultation._meta.db_table
    with database.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [VOCABULARY])
        existed = cursor.fetchone()[0]
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {VOCABULARY} (word text PRIMARY KEY)")
        cursor.execute(
            f"CREATE OR REPLACE FUNCTION {_TRIGGER_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"INSERT INTO {VOCABULARY}(word) {_words_of('new_rows')} ON CONFLICT DO NOTHING; RETURN NULL; END $$"
        )
        for event in _EVENTS:
            name = f"{VOCABULARY}_{event.lower()}"
            cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            cursor.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING NEW TABLE AS new_rows "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {_TRIGGER_FUNCTION}()"
            )
        if not existed:
            cursor.execute(f"INSERT INTO {VOCABULARY}(word) {_words_of(table)} ON CONFLICT DO NOTHING")


def prune_postgresql_vocabulary():
    """Drop the words no search document holds any more. The documents' words are first made distinct (a few
    thousand), then matched against the vocabulary: 100,000 consultations 1.4 s, where matching every word of
    every document took 4.9 s – inside an erasure (casework/privacy/erasure.py)."""
    table = Consultation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {VOCABULARY} AS known WHERE NOT EXISTS (SELECT 1 FROM "  # noqa: S608 – constant names
            f"(SELECT DISTINCT word FROM {table}, {_split(table)} AS word) AS used WHERE used.word = known.word)"
        )


def spellings(words, limit):
    """For each word, the words of the search documents that contain it (at most `limit`), in one query."""
    select = f"SELECT word FROM {VOCABULARY} WHERE word LIKE %s LIMIT %s"  # noqa: S608 – constant names
    return found_per_word([(select, [f"%{connection.ops.prep_for_like_query(word)}%", limit]) for word in words])


def found_per_word(selects):
    """Run one SELECT of a `word` column per typed word – (sql, params) each – as one query; the words each found.

    Both databases' vocabularies are read this way (here and casework/search/index.py)."""
    sql = " UNION ALL ".join(f"SELECT %s, word FROM ({select}) AS found" for select, _params in selects)  # noqa: S608
    params = [value for place, (_select, values) in enumerate(selects) for value in (place, *values)]
    found = [[] for _select in selects]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for place, word in cursor.fetchall():
            found[place].append(word)
    return found
