"""What the list pages' filters share: the date widget, safe id and date filters, the filter card's layout.

List pages use these instead of django-filter's own DateFilter, ModelChoiceFilter and
ModelMultipleChoiceFilter: their fields (casework.ui.fields) reject ids and dates that the database
cannot take as a form error, not a 500.
"""

import django_filters
from django.forms import CheckboxInput, FileInput, Select
from django.forms.widgets import Input

from casework.ui.fields import BoundedDateField, IdField, IdFilterChoiceField, IdFilterMultipleChoiceField
from casework.ui.widgets import DatePicker, render_input, render_select

DATE_WIDGET = DatePicker()


class IdFilter(django_filters.Filter):
    """A primary key filter; anything that cannot be a key is a form error, not a database error."""

    field_class = IdField


class DateFilter(django_filters.DateFilter):
    field_class = BoundedDateField


class IdChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = IdFilterChoiceField


class IdMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = IdFilterMultipleChoiceField


class ListFilterSet(django_filters.FilterSet):
    """A list page's filter. `columns` orders the visible fields in the filter card and gives
    each its width in Bootstrap's twelve columns (templates/includes/list_page.html)."""

    columns: dict[str, int] = {}

    def offer(self, **choices):
        """Fill choice filters with (value, label) pairs, e.g. the cached ones of casework/ui/choices.py."""
        for name, options in choices.items():
            self.filters[name].extra["choices"] = options

    def layout(self):
        """(bound field, width, widget HTML with Bootstrap's classes) per visible field, in card order.

        The card renders these with templates/includes/filter_field.html rather than crispy's
        as_crispy_field: its nested templates took ~12 ms of a ~50 ms list page for nine fields.
        """
        return [(field, width, _bootstrap_widget(field)) for field, width in self._fields()]

    def _fields(self):
        return [(self.form[name], width) for name, width in self.columns.items()]

    def active_count(self):
        """How many of the visible fields hold a value: small screens open the folded filter card then."""
        return sum(1 for field, _width in self._fields() if field.value() not in (None, "", [], (), False))


def _bootstrap_widget(field):
    widget = field.field.widget
    classes = [widget.attrs.get("class", ""), "form-select" if isinstance(widget, Select) else "form-control"]
    attrs = {}
    if field.errors:
        classes.append("is-invalid")
        attrs = {"aria-invalid": "true", "aria-describedby": f"{field.auto_id}_error"}
    attrs = {**attrs, "class": " ".join(c for c in classes if c)}
    if isinstance(widget, Select):
        fast = render_select(field, attrs)
    elif isinstance(widget, Input) and not isinstance(widget, (CheckboxInput, FileInput)):
        fast = render_input(field, attrs)
    else:
        fast = None
    return fast if fast is not None else field.as_widget(attrs=attrs)
