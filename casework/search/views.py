"""The global search: organisations, contact persons, consultations, cases and events on one page."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from casework import access
from casework.models import Case, Consultation, Event
from casework.search import query as search
from casework.search.forms import SearchForm
from casework.ui.labels import choice_label

PER_GROUP = 5
EXCERPT = 160  # characters of a consultation's summary shown under its line
# Only what a result line shows: a consultation's search document alone is longer than the rest of the row.
CONSULTATION_COLUMNS = ("date", "summary", "organisation__name", "unit__short_name", "shared_with__short_name")


@dataclass(frozen=True)
class Line:
    """What one result shows, prepared here: rendered by one template loop for every kind of record
    (five kinds of line chosen per row in the template cost ~0.1 ms a row)."""

    url: str
    title: str
    details: str = ""
    badge: str = ""
    excerpt: str = ""


@dataclass
class Group:
    """One kind of record among the results: the first few, whether there are more, the full list."""

    key: str
    title: str
    records: list
    lines: list[Line]
    has_more: bool
    list_url: str | None


def _group(key, title, queryset: QuerySet, line, list_name=None, query_text=""):
    found = list(queryset[: PER_GROUP + 1])
    records = found[:PER_GROUP]
    list_url = f"{reverse(list_name)}?{urlencode({'q': query_text})}" if list_name else None
    return Group(key, title, records, [line(record) for record in records], len(found) > PER_GROUP, list_url)


def _details(*parts):
    return ", ".join(part for part in parts if part)


def _organisation_line(organisation):
    url = reverse("organisations:organisation_detail", args=[organisation.pk])
    region = organisation.region.name
    # A town that is its own Kreis (Offenbach am Main) is named once.
    places = [organisation.municipality] + ([region] if region != organisation.municipality else [])
    return Line(url, organisation.name, _details(*places))


def _contact_line(contact):
    url = reverse("organisations:organisation_detail", args=[contact.organisation_id])
    return Line(url, contact.name, _details(contact.function, contact.organisation.name))


def _consultation_line(consultation):
    url = reverse("casework:consultation_detail", args=[consultation.pk])
    units = str(consultation.unit) + (f" + {consultation.shared_with}" if consultation.shared_with_id else "")
    title = f"{consultation.organisation.name} – {consultation.date:%d.%m.%Y}"
    return Line(url, title, badge=units, excerpt=_excerpt(consultation.summary))


def _excerpt(text):
    # Not django.utils.text.Truncator: 30 µs a call (it translates its ellipsis format and walks the text
    # character by character), 0.15 ms for five lines; a plain cut is all an excerpt needs.
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1].rstrip() + "…"


def _case_line(case):
    url = reverse("casework:case_detail", args=[case.pk])
    return Line(url, case.title, _details(case.organisation.name, choice_label(Case.Status, case.status)))


def _event_line(event):
    url = reverse("casework:event_detail", args=[event.pk])
    return Line(url, event.title, _details(f"{event.date:%d.%m.%Y}", choice_label(Event.Kind, event.kind)))


def found_organisations(user, query):
    return (
        search.matching_organisations(access.organisations_visible_to(user), query)
        .select_related("region")
        .only("name", "municipality", "region__name")
    )


def found_contacts(user, query):
    return (
        search.matching_contacts(access.contacts_visible_to(user), query)
        .select_related("organisation")
        .only("name", "function", "organisation__name")
    )


def found_consultations(user, query):
    visible = access.consultations_visible_to(user)
    consultations = search.matching_consultations(visible, query)
    first = search.first_consultation_ids(consultations, query, PER_GROUP + 1, unsearched=visible)
    if first is not None:  # SQLite: the first few in list order from the text index, already tested
        consultations = Consultation.objects.filter(pk__in=first)
    return (
        consultations.select_related("organisation", "unit", "shared_with")
        .only(*CONSULTATION_COLUMNS)
        .order_by("-date", "-id")
    )


def found_cases(user, query):
    return (
        search.matching_cases(access.cases_visible_to(user), query)
        .select_related("organisation")
        .only("title", "status", "organisation__name")
        .order_by("-opened_on", "-id")
    )


def found_events(user, query):
    return (
        search.matching_events(access.events_visible_to(user), query)
        .only("title", "date", "kind")
        .order_by("-date", "-id")
    )


def _groups(user, text):
    """Every kind scoped through casework/access.py first, then narrowed by the search; each in its list's
    order (contact persons and organisations by name), of which the first few are read."""
    query = search.Query(text)
    if not query:
        return []
    return [
        _group(
            "organisations",
            _("Organisationen"),
            found_organisations(user, query),
            _organisation_line,
            "organisations:organisation_list",
            text,
        ),
        _group("contacts", _("Ansprechpersonen"), found_contacts(user, query), _contact_line),
        _group(
            "consultations",
            _("Beratungen"),
            found_consultations(user, query),
            _consultation_line,
            "casework:consultation_list",
            text,
        ),
        _group("cases", _("Beratungsprozesse"), found_cases(user, query), _case_line, "casework:case_list", text),
        _group("events", _("Veranstaltungen"), found_events(user, query), _event_line, "casework:event_list", text),
    ]


@login_required
@require_GET
def search_results(request):
    if not access.is_member(request.user):
        raise PermissionDenied
    form = SearchForm(request.GET or None)
    text = form.cleaned_data["q"] if form.is_valid() else ""
    groups = _groups(request.user, text)
    context = {"form": form, "query": text, "groups": groups, "found": any(group.records for group in groups)}
    return render(request, "casework/search/results.html", context)
