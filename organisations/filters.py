import django_filters
from django.utils.translation import gettext_lazy as _

from casework.search.query import matching_organisations
from casework.ui.choices import choices_for
from casework.ui.filters import ListFilterSet
from organisations.models import Organisation


class OrganisationFilter(ListFilterSet):
    """Region and unit are plain choice filters filled from the cached choices (casework/ui/choices.py),
    like the consultation list's: no query to offer or validate them."""

    q = django_filters.CharFilter(method="filter_text", label=_("Name oder Ort"), max_length=200)
    kind = django_filters.ChoiceFilter(choices=Organisation.Kind.choices, label=_("Art"))
    region = django_filters.ChoiceFilter(field_name="region", label=_("Kreis"))
    legal_form = django_filters.ChoiceFilter(choices=Organisation.LegalForm.choices, label=_("Rechtsform"))
    unit = django_filters.ChoiceFilter(field_name="units", label=_("Fachstelle"))

    columns = {"q": 4, "kind": 2, "region": 2, "legal_form": 2, "unit": 2}

    class Meta:
        model = Organisation
        fields = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        choices = choices_for(user)
        self.offer(unit=choices.units, region=choices.regions)

    def filter_text(self, queryset, name, value):
        # Name and municipality; accents and case ignored.
        return matching_organisations(queryset, value)
