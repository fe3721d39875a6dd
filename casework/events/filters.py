import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.models import Event
from casework.search.query import matching_events
from casework.ui.choices import choices_for
from casework.ui.filters import DATE_WIDGET, DateFilter, IdFilter, ListFilterSet

# Planned events whose date has passed: their status still has to be set (held or cancelled).
OVERDUE = "overdue"
STATUS_CHOICES = [*Event.Status.choices, (OVERDUE, _("Status aktualisieren (geplant, Datum vorbei)"))]


class EventFilter(ListFilterSet):
    """Filters for the event list; choices are scoped to what the person may see."""

    date_from = DateFilter(field_name="date", lookup_expr="gte", label=_("von"), widget=DATE_WIDGET)
    date_to = DateFilter(field_name="date", lookup_expr="lte", label=_("bis"), widget=DATE_WIDGET)
    unit = django_filters.ChoiceFilter(method="filter_unit", label=_("Fachstelle"))
    kind = django_filters.ChoiceFilter(choices=Event.Kind.choices, label=_("Art"))
    format = django_filters.ChoiceFilter(choices=Event.Format.choices, label=_("Format"))
    status = django_filters.ChoiceFilter(choices=STATUS_CHOICES, method="filter_status", label=_("Status"))
    region = django_filters.ChoiceFilter(field_name="region", label=_("Kreis"))
    topic = django_filters.ChoiceFilter(field_name="topics", label=_("Thema"))
    # Reached from the organisation page ("all events of this organisation"); no field in the form.
    organisation = IdFilter(field_name="organisations", widget=forms.HiddenInput)
    q = django_filters.CharFilter(method="filter_text", label=_("Volltext"), max_length=200)

    columns = {
        "date_from": 2,
        "date_to": 2,
        "unit": 2,
        "kind": 2,
        "format": 2,
        "status": 2,
        "region": 2,
        "topic": 2,
        "q": 4,
    }

    class Meta:
        model = Event
        fields = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        choices = choices_for(user)
        self.offer(unit=choices.units, topic=choices.topics, region=choices.regions)

    def filter_status(self, queryset, name, value):
        if value == OVERDUE:
            return queryset.filter(status=Event.Status.PLANNED, date__lt=timezone.localdate())
        return queryset.filter(status=value)

    def filter_unit(self, queryset, name, unit_id):
        # A joint event belongs to both units.
        return queryset.filter(Q(unit_id=unit_id) | Q(is_joint=True))

    def filter_text(self, queryset, name, value):
        # Title, topics and attending organisations; accents and case ignored.
        return matching_events(queryset, value)
