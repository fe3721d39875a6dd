"""The form fields every form and filter shares.

- Ids: a submitted id reaches the database only after `access.parse_pk` accepted it. Django's own
  model choice fields pass the raw text on: more than 4,300 digits is a ValueError in int(), and an id
  of 2**63 or more in a multi-select (`pk__in`) an OverflowError on SQLite – both a 500.
- Dates: one range for every date the tool records or filters by (2017 … 2100). Year 9999 parses as a
  date but breaks what follows (a day later overflows in the calendar feed).
- Labels: catalogue entries and organisations are named the same way in every form.

ModelForms build their relation and date fields through `model_formfield` (Meta.formfield_callback).
"""

import datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from casework import access
from casework.ui.widgets import DatePicker
from organisations.labels import organisation_label

FIRST_DATE = datetime.date(2017, 1, 1)
LAST_DATE = datetime.date(2100, 12, 31)
DATE_RANGE_MESSAGE = _("Bitte ein Datum zwischen %(first)s und %(last)s angeben.")
SHOWN_CHARACTERS = 30  # of a rejected value in an error message


def _shown(raw) -> str:
    """`raw` for an error message: shortened (and never str() of an int too long to print)."""
    if isinstance(raw, int) and raw.bit_length() < 64:
        raw = str(raw)
    text = raw if isinstance(raw, str) else type(raw).__name__
    return text if len(text) <= SHOWN_CHARACTERS else text[:SHOWN_CHARACTERS] + "…"


def _checked_pk(field, raw, code):
    """`raw` as a primary key for a model choice field, or a ValidationError with the field's message `code`."""
    if isinstance(raw, models.Model) or field.to_field_name is not None:
        return raw
    if getattr(field, "null_label", None) is not None and raw == field.null_value:
        return raw  # django-filter's "none" option
    pk = access.parse_pk(raw)
    if pk is None:
        raise ValidationError(field.error_messages[code], code=code, params={"value": _shown(raw), "pk": _shown(raw)})
    return pk


class CheckedIdMixin:
    """For a ModelChoiceField: the submitted id is parsed before the queryset sees it."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return super().to_python(_checked_pk(self, value, "invalid_choice"))


class CheckedIdsMixin:
    """For a ModelMultipleChoiceField: every submitted id is parsed before the queryset sees them."""

    def _check_values(self, value):
        return super()._check_values([_checked_pk(self, raw, "invalid_pk_value") for raw in value])


class IdChoiceField(CheckedIdMixin, forms.ModelChoiceField):
    pass


class IdMultipleChoiceField(CheckedIdsMixin, forms.ModelMultipleChoiceField):
    pass


class IdFilterChoiceField(CheckedIdMixin, django_filters.fields.ModelChoiceField):
    """For django-filter's ModelChoiceFilter (casework.ui.filters.IdChoiceFilter)."""


class IdFilterMultipleChoiceField(CheckedIdsMixin, django_filters.fields.ModelMultipleChoiceField):
    """For django-filter's ModelMultipleChoiceFilter (casework.ui.filters.IdMultipleChoiceFilter)."""


class IdField(forms.Field):
    """A bare primary key, e.g. `?organisation=<pk>` from a link: parsed, not looked up."""

    default_error_messages = {"invalid": forms.ModelChoiceField.default_error_messages["invalid_choice"]}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        pk = access.parse_pk(value)
        if pk is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return pk


class BoundedDateField(forms.DateField):
    """A date between FIRST_DATE and LAST_DATE, with the browser's date picker limited to them.

    A form with a more specific rule (e.g. "not in the future") passes its own message for dates
    outside the range as error_messages={"too_early": …, "too_late": …}.
    """

    widget = DatePicker
    default_error_messages = {"too_early": DATE_RANGE_MESSAGE, "too_late": DATE_RANGE_MESSAGE}

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "min": FIRST_DATE.isoformat(), "max": LAST_DATE.isoformat()}

    def validate(self, value):
        super().validate(value)
        if value in self.empty_values or FIRST_DATE <= value <= LAST_DATE:
            return
        code = "too_early" if value < FIRST_DATE else "too_late"
        params = {"first": f"{FIRST_DATE:%d.%m.%Y}", "last": f"{LAST_DATE:%d.%m.%Y}"}
        raise ValidationError(self.error_messages[code], code=code, params=params)


def model_formfield(db_field, **kwargs):
    """Meta.formfield_callback of the ModelForms: relations get the checked id fields, dates the bounded one."""
    if isinstance(db_field, models.ManyToManyField):
        kwargs.setdefault("form_class", IdMultipleChoiceField)
    elif isinstance(db_field, models.ForeignKey):
        kwargs.setdefault("form_class", IdChoiceField)
    elif isinstance(db_field, models.DateField) and not isinstance(db_field, models.DateTimeField):
        kwargs.setdefault("form_class", BoundedDateField)
    return db_field.formfield(**kwargs)


def model_field(model, name, **kwargs):
    """The form field a ModelForm with `model_formfield` builds for `model.name`, to declare on the form."""
    return model_formfield(model._meta.get_field(name), **kwargs)


class TopicChoiceField(IdMultipleChoiceField):
    def label_from_instance(self, topic):
        if topic.unit_id is None:
            return "{} ({})".format(topic.name, _("gemeinsam"))
        return topic.name


class OrganisationChoiceField(IdChoiceField):
    def label_from_instance(self, organisation):
        return organisation_label(organisation)


class OrganisationMultipleChoiceField(IdMultipleChoiceField):
    def label_from_instance(self, organisation):
        return organisation_label(organisation)
