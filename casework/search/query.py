"""The one search of the application: accent- and case-insensitive, every word must be found.

A record matches a query when each word occurs in its search column: its own text and, for
consultations, cases and events, the names around it (organisation, case, topics, people), kept
there by casework/search/documents.py. Consultations, by far the most records, are looked up in a
trigram index on either database (casework/search/index.py); the smaller tables are read row by
row on SQLite. Stored columns are normalised (casework/search/fields.py).

The functions take a queryset that is already scoped to what the person may see (casework/access.py)
and only ever narrow it.
"""

from django.db.models import Q

from casework.search.index import consultations_containing
from casework.search.text import search_terms

MAX_TERMS = 8  # more words rarely narrow further
# Fewer consultations holding every word are looked up in the index (see matching_consultations). Above
# it, at 100,000 consultations, reading in list order finds a page and the capped count within ~20,000 rows.
RARE = 1000


class Query:
    """The normalised words of what someone typed (at most MAX_TERMS)."""

    def __init__(self, text):
        self.terms = search_terms(text)[:MAX_TERMS]

    def __bool__(self):
        return bool(self.terms)


def _as_query(query):
    return query if isinstance(query, Query) else Query(query)


def _own(term):
    return Q(search_text__contains=term)


def _terms(query):
    return list(dict.fromkeys(_as_query(query).terms))


def _all_terms(queryset, query):
    for term in _terms(query):
        queryset = queryset.filter(_own(term))
    return queryset


def matching_consultations(queryset, query):
    """Consultations whose search document (casework/search/documents.py: its text and the names of
    its organisation, municipality, case, topics and advisors) contains every word.

    Two plans. Few consultations hold all the words (fewer than RARE, their ids read from the index):
    only those rows are read. Many: the rows are read in list order and each is tested, which finds
    the first page and the capped count after a few hundred rows, while collecting tens of thousands
    of ids first would take longer. SQLite needs the choice made here; PostgreSQL's planner makes it
    (casework/search/index.py).
    """
    terms = _terms(query)
    if not terms:
        return queryset
    ids = consultations_containing(terms, RARE)
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    return _all_terms(queryset, query)


def matching_cases(queryset, query):
    """Cases whose search document (title, description, organisation, person responsible) contains every word."""
    return _all_terms(queryset, query)


def matching_events(queryset, query):
    """Events whose search document (title, topics, attending organisations) contains every word."""
    return _all_terms(queryset, query)


def matching_organisations(queryset, query):
    """Organisations whose name or municipality contain every word."""
    return _all_terms(queryset, query)


def matching_contacts(queryset, query):
    """Contact persons whose name or function contain every word."""
    return _all_terms(queryset, query)
