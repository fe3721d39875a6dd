"""Filter of the units' follow-up list."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casework.models import FollowUp
from casework.ui.choices import choices_for
from casework.ui.filters import DATE_WIDGET, DateFilter, ListFilterSet


class FollowUpFilter(ListFilterSet):
    """Filters for the units' list; choices are the units and people the person may see."""

    unit = django_filters.ChoiceFilter(method="filter_unit", label=_("Fachstelle"))
    person = django_filters.ChoiceFilter(field_name="assigned_to", label=_("wer"))
    due_to = DateFilter(field_name="due_on", lookup_expr="lte", label=_("fällig bis"), widget=DATE_WIDGET)

    columns = {"unit": 3, "person": 4, "due_to": 3}

    class Meta:
        model = FollowUp
        fields = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        choices = choices_for(user)
        self.offer(unit=choices.units, person=choices.people)

    def filter_unit(self, queryset, name, unit_id):
        # A joint consultation's follow-ups belong to both units.
        return queryset.filter(Q(unit_id=unit_id) | Q(consultation__shared_with_id=unit_id))
