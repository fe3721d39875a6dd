from functools import partial

import django_filters
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from casework import access
from casework.models import Consultation
from casework.search.query import every_matching_consultation, first_consultation_ids, matching_consultations
from casework.sql import Unindexed
from casework.ui.choices import choices_for
from casework.ui.filters import DATE_WIDGET, DateFilter, IdFilter, ListFilterSet
from casework.ui.widgets import PickerSelect
from organisations.labels import organisation_label

# Filters that leave a small part of the list: SQLite reads that part through their indexes (an organisation's,
# a person's, a topic's consultations) rather than every match of a frequent word from the text index.
NARROWING = ("organisation", "advisor", "topic", "region")


class ConsultationFilter(ListFilterSet):
    """Filters for the consultation list; every choice is scoped to what the person may see.

    Catalogue filters are plain choice filters filled from the cached choices of the person's units
    (casework/ui/choices.py): validating a value needs no query, and the queryset is scoped anyway,
    so a foreign id finds nothing.
    """

    date_from = DateFilter(field_name="date", lookup_expr="gte", label=_("von"), widget=DATE_WIDGET)
    date_to = DateFilter(field_name="date", lookup_expr="lte", label=_("bis"), widget=DATE_WIDGET)
    unit = django_filters.ChoiceFilter(method="filter_unit", label=_("Fachstelle"))
    advisor = django_filters.ChoiceFilter(field_name="advisors", label=_("Berater*in"))
    topic = django_filters.ChoiceFilter(field_name="topics", label=_("Thema"))
    format = django_filters.ChoiceFilter(choices=Consultation.Format.choices, label=_("Format"))
    region = django_filters.ChoiceFilter(field_name="region", label=_("Kreis"))
    organisation = IdFilter(
        field_name="organisation",
        label=_("Organisation"),
        widget=PickerSelect(reverse_lazy("organisations:picker"), placeholder=_("Organisation suchen …")),
    )
    q = django_filters.CharFilter(method="filter_text", label=_("Volltext"), max_length=200)

    columns = {
        "date_from": 2,
        "date_to": 2,
        "unit": 2,
        "advisor": 3,
        "topic": 3,
        "format": 2,
        "region": 2,
        "organisation": 4,
        "q": 4,
    }

    class Meta:
        model = Consultation
        fields = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self._unsearched = None  # the list before the text search (filter_text)
        choices = choices_for(user)
        self.offer(unit=choices.units, advisor=choices.people, topic=choices.topics, region=choices.regions)
        self.form.fields["organisation"].widget.choices = self._organisation_choice()

    def _organisation_choice(self):
        """Only the chosen organisation is rendered; the picker loads others on demand."""
        pk = access.parse_pk((self.data or {}).get("organisation"))
        selected = access.organisations_visible_to(self.user).filter(pk=pk).first() if pk else None
        return [("", "---------")] + ([(selected.pk, organisation_label(selected))] if selected else [])

    def filter_unit(self, queryset, name, unit_id):
        # A joint consultation belongs to both units. Unindexed: SQLite then walks the date index in list order.
        units = queryset.alias(unit_column=Unindexed("unit_id"), shared_column=Unindexed("shared_with_id"))
        return units.filter(Q(unit_column=unit_id) | Q(shared_column=unit_id))

    @property
    def _valid(self):
        """The valid filter values (after `qs`); an invalid value filters nothing, as on the page."""
        return getattr(self.form, "cleaned_data", {})

    @property
    def search_text(self):
        """What the person typed into the full-text filter, or ""."""
        return self._valid.get("q") or ""

    def searched_ids(self, queryset):
        """For a text search: `first_ids(limit)` for the paginator, the first matches in list order from the
        text index (casework/search/query.py); None without a search or with a narrowing filter."""
        if not self.search_text or any(self._valid.get(name) for name in NARROWING):
            return None
        dates = {"date_from": self._valid.get("date_from"), "date_to": self._valid.get("date_to")}
        return partial(first_consultation_ids, queryset, self.search_text, unsearched=self._unsearched, **dates)

    def every_match(self, queryset):
        """`queryset` (the filtered list) to be read whole, as an export does: with a text search, through the
        text index's candidates (casework/search/query.py)."""
        return every_matching_consultation(queryset, self.search_text) if self.search_text else queryset

    def filter_text(self, queryset, name, value):
        # Text, organisation (name, municipality), case, topics and advisors; accents and case ignored.
        # The filters run in their declared order, this one last: `queryset` is the list filtered by every other.
        self._unsearched = queryset
        return matching_consultations(queryset, value)
