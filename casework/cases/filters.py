import datetime

import django_filters
from django import forms
from django.db.models import F, Max
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.models import Case
from casework.search.query import matching_cases
from casework.ui.choices import choices_for
from casework.ui.filters import ListFilterSet

MAX_IDLE_DAYS = 36500


def with_last_activity(queryset):
    """Annotate `last_activity`: the date of the latest consultation, or the opening date if there is none."""
    return queryset.annotate(last_activity=Coalesce(Max("consultations__date"), F("opened_on")))


class DaysFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class CaseFilter(ListFilterSet):
    """Filters for the case list; choices are scoped to the person's units. Expects `with_last_activity`."""

    status = django_filters.ChoiceFilter(choices=Case.Status.choices, label=_("Status"))
    unit = django_filters.ChoiceFilter(field_name="unit", label=_("Fachstelle"))
    goal = django_filters.ChoiceFilter(field_name="goal", label=_("Ziel"))
    responsible = django_filters.ChoiceFilter(field_name="responsible", label=_("verantwortlich"))
    region = django_filters.ChoiceFilter(field_name="organisation__region", label=_("Kreis"))
    idle_days = DaysFilter(
        method="filter_idle",
        label=_("ohne Aktivität seit mehr als … Tagen"),
        min_value=0,
        max_value=MAX_IDLE_DAYS,
        help_text=_("letzte Beratung, sonst Beginn"),
    )
    q = django_filters.CharFilter(method="filter_text", label=_("Volltext"), max_length=200)

    columns = {"status": 2, "unit": 2, "goal": 4, "responsible": 4, "region": 3, "idle_days": 3, "q": 6}

    class Meta:
        model = Case
        fields = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        choices = choices_for(user)
        self.offer(unit=choices.units, goal=choices.goals, responsible=choices.people, region=choices.regions)

    def filter_idle(self, queryset, name, value):
        if value is None:
            return queryset
        limit = timezone.localdate() - datetime.timedelta(days=value)
        return queryset.filter(last_activity__lt=limit)

    def filter_text(self, queryset, name, value):
        # Title, description, organisation and responsible person; accents and case ignored.
        return matching_cases(queryset, value)
