"""Filters of the access log viewer."""

import datetime
import re

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.audit.models import AccessEvent
from casework.ui.filters import DATE_WIDGET, DateFilter, ListFilterSet

# What an IPv4 or IPv6 address (or its beginning) is made of.
ADDRESS_PATTERN = re.compile(r"[0-9A-Fa-f.:]{1,45}")


class AddressField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(max_length=45, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value and not ADDRESS_PATTERN.fullmatch(value):
            raise forms.ValidationError(_("Bitte eine IP-Adresse oder ihren Anfang eingeben, z. B. 192.0.2."))
        return value


class AddressFilter(django_filters.CharFilter):
    field_class = AddressField


class AccessEventFilter(ListFilterSet):
    since = DateFilter(method="filter_since", label=_("von"), widget=DATE_WIDGET)
    until = DateFilter(method="filter_until", label=_("bis"), widget=DATE_WIDGET)
    kind = django_filters.ChoiceFilter(choices=AccessEvent.Kind.choices, label=_("Art"))
    person = django_filters.CharFilter(
        field_name="user_label", lookup_expr="icontains", label=_("Person"), max_length=150
    )
    address = AddressFilter(field_name="address", lookup_expr="startswith", label=_("Adresse (oder Anfang)"))
    target_kind = django_filters.CharFilter(label=_("betrifft (Art)"), max_length=40)
    target_id = django_filters.CharFilter(label=_("betrifft (Kennung)"), max_length=40)

    columns = {"since": 2, "until": 2, "kind": 2, "person": 2, "address": 2, "target_kind": 1, "target_id": 1}

    class Meta:
        model = AccessEvent
        fields = []

    # Whole days in the tool's time zone, as bounds on the indexed timestamp (no date cast per row).
    def filter_since(self, queryset, name, value):
        return queryset.filter(at__gte=_start_of(value))

    def filter_until(self, queryset, name, value):
        return queryset.filter(at__lt=_start_of(value + datetime.timedelta(days=1)))


def _start_of(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
