"""The one search of the application: accent- and case-insensitive, every word must be found.

A record matches a query when each word occurs in its own search column or in the names around it
(its organisation, case, topics, advisors …). Consultations, by far the most records, hold those
names in their search column (casework/search/documents.py), looked up in a trigram index on either
database (casework/search/index.py). For the other records the names around them are subqueries,
never joins, so a record is counted once; small catalogues and people are resolved to ids in Python
first. Stored columns are normalised (casework/search/fields.py).

The functions take a queryset that is already scoped to what the person may see (casework/access.py)
and only ever narrow it.
"""

from functools import cached_property

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q

from casework.models import Event, Topic
from casework.search.index import consultations_containing
from casework.search.text import normalise, search_terms
from casework.ui.labels import person_name
from organisations.models import Organisation

MAX_TERMS = 8  # more words rarely narrow further, and each adds subqueries
# Fewer consultations holding every word are looked up in the index (see matching_consultations). Above
# it, at 100,000 consultations, reading in list order finds a page and the capped count within ~20,000 rows.
RARE = 1000


class Query:
    """The normalised words of what someone typed, with the people and topics whose names contain each.

    People and topics are read once, when a word first needs them. A caller that has already loaded
    them (the list filters, for their choices) passes them in and saves the two queries; the search
    then finds the names it offers.
    """

    def __init__(self, text, *, people=None, topics=None):
        self.terms = search_terms(text)[:MAX_TERMS]
        if people is not None:
            self.__dict__["_people"] = _people_names(people)
        if topics is not None:
            self.__dict__["_topics"] = [(topic.pk, normalise(topic.name)) for topic in topics]

    def __bool__(self):
        return bool(self.terms)

    @cached_property
    def _people(self):
        return _people_names(get_user_model().objects.only("first_name", "last_name", "username"))

    @cached_property
    def _topics(self):
        return [(pk, normalise(name)) for pk, name in Topic.objects.values_list("pk", "name")]

    def person_ids(self, term):
        return [pk for pk, text in self._people if term in text]

    def topic_ids(self, term):
        return [pk for pk, text in self._topics if term in text]


def _people_names(people):
    return [(p.pk, normalise(person_name(p.first_name, p.last_name, p.username))) for p in people]


def _as_query(query):
    return query if isinstance(query, Query) else Query(query)


def _own(term, prefix=""):
    return Q(**{f"{prefix}search_text__contains": term})


def _organisations(term):
    return Organisation.objects.filter(search_text__contains=term).values("pk")


def _links(field, ids):
    """The rows of an m2m table that link an owner to one of `ids`."""
    return field.remote_field.through.objects.filter(**{f"{field.m2m_reverse_field_name()}__in": ids}).order_by()


def _through(field, ids):
    """EXISTS a row of an m2m table linking the outer record to one of `ids`."""
    return Exists(_links(field, ids).filter(**{field.m2m_field_name(): OuterRef("pk")}))


def _all_terms(queryset, query, condition):
    query = _as_query(query)
    for term in query.terms:
        queryset = queryset.filter(condition(term, query))
    return queryset


def _case_condition(term, query):
    condition = _own(term) | Q(organisation_id__in=_organisations(term))
    if person_ids := query.person_ids(term):
        condition |= Q(responsible_id__in=person_ids)
    return condition


def _event_condition(term, query):
    condition = _own(term)
    condition |= Exists(
        Event.organisations.through.objects.filter(event_id=OuterRef("pk"), organisation_id__in=_organisations(term))
    )
    if topic_ids := query.topic_ids(term):
        condition |= _through(Event._meta.get_field("topics"), topic_ids)
    return condition


def matching_consultations(queryset, query):
    """Consultations whose search document (casework/search/documents.py: its text and the names of
    its organisation, municipality, case, topics and advisors) contains every word.

    Two plans. Few consultations hold all the words (fewer than RARE, their ids read from the index):
    only those rows are read. Many: the rows are read in list order and each is tested, which finds
    the first page and the capped count after a few hundred rows, while collecting tens of thousands
    of ids first would take longer. SQLite needs the choice made here; PostgreSQL's planner makes it
    (casework/search/index.py).
    """
    terms = list(dict.fromkeys(_as_query(query).terms))
    if not terms:
        return queryset
    ids = consultations_containing(terms, RARE)
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    for term in terms:
        queryset = queryset.filter(_own(term))
    return queryset


def matching_cases(queryset, query):
    """Cases whose title, description, organisation or responsible person contain every word."""
    return _all_terms(queryset, query, _case_condition)


def matching_events(queryset, query):
    """Events whose title, topics or attending organisations contain every word."""
    return _all_terms(queryset, query, _event_condition)


def matching_organisations(queryset, query):
    """Organisations whose name or municipality contain every word."""
    return _all_terms(queryset, query, lambda term, _query: _own(term))


def matching_contacts(queryset, query):
    """Contact persons whose name or function contain every word."""
    return _all_terms(queryset, query, lambda term, _query: _own(term))
