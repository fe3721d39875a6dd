import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casework import access
from casework.access import Action
from casework.models import Event
from casework.search.query import Query, matching_events
from casework.ui.filters import DATE_WIDGET, DateFilter, IdFilter, ListFilterSet


class EventFilter(ListFilterSet):
    """Filters for the event list; choices are scoped to what the person may see."""

    date_from = DateFilter(field_name="date", lookup_expr="gte", label=_("von"), widget=DATE_WIDGET)
    date_to = DateFilter(field_name="date", lookup_expr="lte", label=_("bis"), widget=DATE_WIDGET)
    unit = django_filters.ChoiceFilter(method="filter_unit", label=_("Fachstelle"))
    kind = django_filters.ChoiceFilter(choices=Event.Kind.choices, label=_("Art"))
    format = django_filters.ChoiceFilter(choices=Event.Format.choices, label=_("Format"))
    topic = django_filters.ChoiceFilter(field_name="topics", label=_("Thema"))
    # Reached from the organisation page ("all events of this organisation"); no field in the form.
    organisation = IdFilter(field_name="organisations", widget=forms.HiddenInput)
    q = django_filters.CharFilter(method="filter_text", label=_("Volltext"), max_length=200)

    columns = {"date_from": 2, "date_to": 2, "unit": 2, "kind": 2, "format": 2, "topic": 2, "q": 4}

    class Meta:
        model = Event
        fields = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].extra["choices"] = [(u.pk, str(u)) for u in access.units_for(user, Action.VIEW)]
        self.topics = list(access.topics_visible_to(user).order_by("unit_id", "position"))  # also for filter_text
        self.filters["topic"].extra["choices"] = [(t.pk, str(t)) for t in self.topics]

    def filter_unit(self, queryset, name, unit_id):
        # A joint event belongs to both units.
        return queryset.filter(Q(unit_id=unit_id) | Q(is_joint=True))

    def filter_text(self, queryset, name, value):
        # Title, topics and attending organisations; accents and case ignored.
        return matching_events(queryset, Query(value, topics=self.topics))
