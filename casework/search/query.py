"""The one search of the application: accent- and case-insensitive, every word must be found.

A record matches a query when each word occurs in its own search column or in the names around it
(its organisation, case, topics, advisors …). Each of those is a subquery, never a join, so a
record is counted once. Small catalogues and people are resolved to ids in Python first. Stored
columns are normalised (casework/search/fields.py); the consultations' own text is looked up in a
trigram index on either database (casework/search/index.py), the small tables are scanned.

The functions take a queryset that is already scoped to what the person may see (casework/access.py)
and only ever narrow it.
"""

from functools import cached_property

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q

from casework.models import Case, Consultation, Event, Topic
from casework.search.index import consultations_with_own_text
from casework.search.text import normalise, search_terms
from organisations.models import Organisation

MAX_TERMS = 8  # more words rarely narrow further, and each adds subqueries
RARE = 5000  # a word found in fewer consultations is looked up in the indexes first (see matching_consultations)
SAMPLE = 1000  # the newest consultations, to see whether frequent words come together (_rarest_if_seldom_together)
TOGETHER = 0.05  # share of the sample at which reading in list order finds the page and the count soon


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
    # The user name only for people without a name: "beratung-mo" must not make "Beratung" match everything.
    names = ((person.pk, f"{person.first_name} {person.last_name}".strip() or person.username) for person in people)
    return [(pk, normalise(name)) for pk, name in names]


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


def _consultation_sources(term, query):
    """Each way a consultation can contain `term`: (a condition on its row, the same as ids from an index)."""
    consultations = Consultation.objects.order_by()
    organisations = _organisations(term)
    cases = Case.objects.filter(search_text__contains=term).values("pk")
    sources = [
        (Q(organisation_id__in=organisations), consultations.filter(organisation_id__in=organisations).values("pk")),
        (Q(case_id__in=cases), consultations.filter(case_id__in=cases).values("pk")),
    ]
    for field_name, ids in (("topics", query.topic_ids(term)), ("advisors", query.person_ids(term))):
        if ids:
            field = Consultation._meta.get_field(field_name)
            sources.append((_through(field, ids), _linked(field, ids)))
    # Last: the text index is the slowest to read for a frequent word, and the capped count in
    # _rarest_term stops as soon as the sources before it have found enough.
    sources.append((_own(term), consultations_with_own_text(term)))
    return sources


def _consultation_condition(term, query):
    condition = Q()
    for row_condition, _ids in _consultation_sources(term, query):
        condition |= row_condition
    return condition


def _consultation_ids(term, query):
    """The ids of the consultations containing `term`, read from the indexes (UNION ALL: no sorting)."""
    id_sets = [ids for _condition, ids in _consultation_sources(term, query)]
    return id_sets[0].union(*id_sets[1:], all=True)


def _linked(field, ids):
    """The owners' ids of the rows of an m2m table linking them to one of `ids`."""
    return _links(field, ids).values(f"{field.m2m_field_name()}_id")


def _rarest_term(query):
    """The word found in fewest consultations if that is fewer than RARE; else None, or for several words
    that seldom come together the rarest of them (_rarest_if_seldom_together); one or two queries.

    Sizes are counted over all consultations (not only the visible ones) and stop at RARE: they only
    choose the plan, nothing of them is shown.
    """
    terms = list(dict.fromkeys(query.terms))
    if not terms:
        return None
    parts, params = [], []
    for term in terms:
        sql, term_params = _consultation_ids(term, query)[:RARE].query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS word)")  # noqa: S608 – compiled by the ORM
        params.extend(term_params)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)  # noqa: S608
        sizes = cursor.fetchone()
    size, term = min(zip(sizes, terms, strict=True))
    if size < RARE:
        return term
    return _rarest_if_seldom_together(query, terms) if len(terms) > 1 else None


def _rarest_if_seldom_together(query, terms):
    """Several words, each frequent: None where they often come together (reading the list in order
    soon finds a page of them), else the word found in fewest of the newest consultations (one query).

    Two frequent words that rarely meet ("Gießen Satzung") make reading in list order pass most of the
    table: 640 ms at 1,000,000 consultations, against 70–100 ms for checking the rarer word's candidates.
    """
    # Each word's condition once per row (counting in SQL would test every condition again for "together").
    found = {
        f"word{i}": ExpressionWrapper(_consultation_condition(term, query), output_field=BooleanField())
        for i, term in enumerate(terms)
    }
    rows = list(Consultation.objects.order_by("-id").annotate(**found).values_list(*found)[:SAMPLE])
    together = sum(all(row) for row in rows)
    if together >= TOGETHER * len(rows):
        return None
    per_word = [sum(bool(row[i]) for row in rows) for i in range(len(terms))]
    return min(zip(per_word, terms, strict=True))[1]


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
    """Consultations whose text, organisation, case, topics or advisors contain every word.

    Two plans, chosen per query by how many consultations its rarest word finds. A rare word drives
    the search: its ids come from the indexes and only those rows are checked for the other words
    (an OR over every row would read the whole table twice, for the count and for the page). When
    every word is frequent, the rows are read in list order and checked one by one: the first page
    and the capped count are found after a few hundred rows, while collecting tens of thousands of
    ids first would take longer.
    """
    query = _as_query(query)
    rarest = _rarest_term(query)
    if rarest is not None:
        queryset = queryset.filter(pk__in=_consultation_ids(rarest, query))
    for term in dict.fromkeys(query.terms):
        if term != rarest:
            queryset = queryset.filter(_consultation_condition(term, query))
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
