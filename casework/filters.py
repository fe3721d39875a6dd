import django_filters
from django import forms
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from casework import access
from casework.access import Action
from casework.forms import OrganisationChoiceField
from casework.models import Consultation
from casework.widgets import PickerSelect, limit_picker_choices
from organisations.models import Region

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OrganisationFilter(django_filters.ModelChoiceFilter):
    field_class = OrganisationChoiceField


class ConsultationFilter(django_filters.FilterSet):
    """Filters for the consultation list; every choice is scoped to what the person may see."""

    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("von"), widget=DATE_WIDGET)
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("bis"), widget=DATE_WIDGET)
    unit = django_filters.ModelChoiceFilter(queryset=None, method="filter_unit", label=_("Fachstelle"))
    advisor = django_filters.ModelChoiceFilter(queryset=None, field_name="advisors", label=_("Berater*in"))
    topic = django_filters.ModelChoiceFilter(queryset=None, field_name="topics", label=_("Thema"))
    format = django_filters.ChoiceFilter(choices=Consultation.Format.choices, label=_("Format"))
    region = django_filters.ModelChoiceFilter(queryset=Region.objects.all(), label=_("Kreis"))
    organisation = OrganisationFilter(
        queryset=None,
        label=_("Organisation"),
        widget=PickerSelect(reverse_lazy("organisations:picker"), placeholder=_("Organisation suchen …")),
    )
    q = django_filters.CharFilter(method="filter_text", label=_("Volltext"), max_length=200)

    class Meta:
        model = Consultation
        fields = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        unit_ids = access.unit_ids_for(user, Action.VIEW)
        filters = self.filters
        filters["unit"].queryset = access.units_for(user, Action.VIEW)
        filters["advisor"].queryset = access.advisors_of(unit_ids)
        filters["topic"].queryset = access.topics_visible_to(user).select_related("unit")
        filters["organisation"].queryset = access.organisations_visible_to(user).select_related("region")
        form = self.form
        form.fields["advisor"].label_from_instance = lambda u: u.get_full_name() or u.username
        limit_picker_choices(form.fields["organisation"], self._selected_organisation())

    def _selected_organisation(self):
        raw = (self.data or {}).get("organisation", "")
        if not str(raw).isdigit():
            return None
        return self.filters["organisation"].queryset.filter(pk=int(raw)).first()

    def filter_unit(self, queryset, name, unit):
        # A joint consultation belongs to both units.
        return queryset.filter(Q(unit=unit) | Q(shared_with=unit))

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(summary__icontains=value) | Q(agreements__icontains=value))
