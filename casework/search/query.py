"""The one search of the application: accent- and case-insensitive, every word must be found.

A record matches a query when each word occurs in its search column: its own text and, for
consultations, cases and events, the names around it (organisation, case, topics, people), kept
there by casework/search/documents.py. Consultations, by far the most records, are looked up in a
trigram index on either database (casework/search/index.py); the smaller tables are read row by
row on SQLite, organisations and contact persons by id where its trigram tables find few holding the
words. Stored columns are normalised (casework/search/fields.py).

The functions take a queryset that is already scoped to what the person may see (casework/access.py)
and only ever narrow it.
"""

from django.db import connection
from django.db.models import Q

from casework.search import lexicon
from casework.search.index import TRIGRAM, few_ids, first_ids_in_list_order, only_candidates
from casework.search.text import search_terms

MAX_TERMS = 8  # more words rarely narrow further


class Query:
    """The normalised words of what someone typed (at most MAX_TERMS)."""

    def __init__(self, text):
        self.terms = search_terms(text)[:MAX_TERMS]

    def __bool__(self):
        return bool(self.terms)


def _as_query(query):
    return query if isinstance(query, Query) else Query(query)


def _own(term):
    return Q(search_text__holds=term)


def _terms(query):
    return list(dict.fromkeys(_as_query(query).terms))


def _all_terms(queryset, query):
    for term in _terms(query):
        queryset = queryset.filter(_own(term))
    return queryset


def matching_consultations(queryset, query):
    """Consultations whose search document (casework/search/documents.py: its text and the names of
    its organisation, municipality, case, topics and advisors) contains every word.

    Exact on either database, and lazy: PostgreSQL's planner reads the trigram index or the list; on
    SQLite, a list's first page and count come from first_consultation_ids. On PostgreSQL, a word shorter than
    a trigram is first looked up in the vocabulary (one query; casework/search/lexicon.py).
    """
    return _short_words_by_vocabulary(_all_terms(queryset, query), _terms(query))


def _short_words_by_vocabulary(queryset, terms):
    """On PostgreSQL, what its trigram index cannot find: a word shorter than a trigram that no word of any
    document holds – nothing matches (`verein ev`: every row holding "verein" was tested, 188 → 21 ms a page).
    Where words hold it, the planner reads the list as before: narrowing to those words (`ka`: 32 of them)
    made it read the trigram index for each, 0.93 → 1.23 × the list."""
    short = [term for term in terms if len(term) < TRIGRAM]
    if connection.vendor == "postgresql" and short and not all(lexicon.spellings(short, limit=1)):
        return queryset.none()
    return queryset


def first_consultation_ids(queryset, query, limit, date_from=None, date_to=None, *, unsearched=None):
    """The ids of the first `limit` consultations of `queryset` (in list order) that contain every word,
    read from SQLite's text index in list order (casework/search/index.py); None where the caller reads
    `matching_consultations` instead: on PostgreSQL, and for words shorter than a trigram inside too many words.

    `queryset` is already narrowed by matching_consultations (each candidate is tested against it);
    `unsearched`, if given, is the same queryset before that, tested instead where the index finds exactly
    the documents holding the words; `date_from`/`date_to`, if the list has them, bound the part of the index read.
    """
    return first_ids_in_list_order(queryset, _terms(query), limit, date_from, date_to, unsearched)


def every_matching_consultation(queryset, query):
    """All consultations of `queryset` (already narrowed by matching_consultations) that contain every word,
    for reading them all (an export): on SQLite, only the text index's candidates are tested on their rows."""
    return only_candidates(queryset, _terms(query))


def matching_cases(queryset, query):
    """Cases whose search document (title, description, organisation, person responsible) contains every word."""
    return _all_terms(queryset, query)


def matching_events(queryset, query):
    """Events whose search document (title, topics, attending organisations) contains every word."""
    return _all_terms(queryset, query)


def matching_organisations(queryset, query):
    """Organisations whose name or municipality contain every word."""
    return _few_first(_all_terms(queryset, query), query)


def matching_contacts(queryset, query):
    """Contact persons whose name or function contain every word."""
    return _few_first(_all_terms(queryset, query), query)


def _few_first(queryset, query):
    """On SQLite, where its trigram table finds few records holding the words, only those are read (by id) and
    tested; otherwise the list is walked in its order as before, stopping after the first matches
    (casework/search/index.py: few_ids). One query more, asked now."""
    ids = few_ids(queryset.model, _terms(query))
    return queryset if ids is None else queryset.filter(pk__in=ids)
