import django_filters
from django.utils.translation import gettext_lazy as _

from casework import access
from casework.access import Action
from casework.search.ordering import german
from casework.search.query import matching_organisations
from casework.ui.filters import IdChoiceFilter, ListFilterSet
from organisations.models import Organisation, Region


class OrganisationFilter(ListFilterSet):
    q = django_filters.CharFilter(method="filter_text", label=_("Name oder Ort"), max_length=200)
    kind = django_filters.ChoiceFilter(choices=Organisation.Kind.choices, label=_("Art"))
    region = IdChoiceFilter(queryset=Region.objects.order_by(german("name")), label=_("Kreis"))
    legal_form = django_filters.ChoiceFilter(choices=Organisation.LegalForm.choices, label=_("Rechtsform"))
    unit = IdChoiceFilter(queryset=None, field_name="units", label=_("Fachstelle"))

    columns = {"q": 4, "kind": 2, "region": 2, "legal_form": 2, "unit": 2}

    class Meta:
        model = Organisation
        fields = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = access.units_for(user, Action.VIEW)

    def filter_text(self, queryset, name, value):
        # Name and municipality; accents and case ignored.
        return matching_organisations(queryset, value)
