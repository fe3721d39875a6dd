"""Filter of the units' follow-up list."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casework import access
from casework.access import Action
from casework.models import FollowUp
from casework.ui.filters import DATE_WIDGET, DateFilter, ListFilterSet
from casework.ui.labels import person_label


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
        unit_ids = access.unit_ids_for(user, Action.VIEW)
        self.filters["unit"].extra["choices"] = [(u.pk, str(u)) for u in access.units_for(user, Action.VIEW)]
        self.filters["person"].extra["choices"] = [(u.pk, person_label(u)) for u in access.advisors_of(unit_ids)]

    def filter_unit(self, queryset, name, unit_id):
        # A joint consultation's follow-ups belong to both units.
        return queryset.filter(Q(unit_id=unit_id) | Q(consultation__shared_with_id=unit_id))
