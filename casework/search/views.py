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
from casework.search import query as search
from casework.search.forms import SearchForm
from casework.search.ordering import german

PER_GROUP = 5


@dataclass
class Group:
    """One kind of record among the results: the first few, whether there are more, the full list."""

    key: str
    title: str
    records: list
    has_more: bool
    list_url: str | None


def _group(key, title, queryset: QuerySet, list_name=None, query_text=""):
    records = list(queryset[: PER_GROUP + 1])
    list_url = f"{reverse(list_name)}?{urlencode({'q': query_text})}" if list_name else None
    return Group(key, title, records[:PER_GROUP], len(records) > PER_GROUP, list_url)


def _groups(user, text):
    """Every kind scoped through casework/access.py first, then narrowed by the search."""
    query = search.Query(text)
    if not query:
        return []
    organisations = access.organisations_visible_to(user)
    contacts = access.contacts_visible_to(user)
    return [
        _group(
            "organisations",
            _("Organisationen"),
            search.matching_organisations(organisations, query).select_related("region"),
            "organisations:organisation_list",
            text,
        ),
        _group(
            "contacts",
            _("Ansprechpersonen"),
            search.matching_contacts(contacts, query).select_related("organisation").order_by(german("name"), "id"),
        ),
        _group(
            "consultations",
            _("Beratungen"),
            search.matching_consultations(access.consultations_visible_to(user), query)
            .select_related("organisation", "unit", "shared_with")
            .order_by("-date", "-id"),
            "casework:consultation_list",
            text,
        ),
        _group(
            "cases",
            _("Beratungsprozesse"),
            search.matching_cases(access.cases_visible_to(user), query)
            .select_related("organisation", "unit")
            .order_by("-opened_on", "-id"),
            "casework:case_list",
            text,
        ),
        _group(
            "events",
            _("Veranstaltungen"),
            search.matching_events(access.events_visible_to(user), query)
            .select_related("unit")
            .order_by("-date", "-id"),
            "casework:event_list",
            text,
        ),
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
