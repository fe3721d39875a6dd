"""What the list pages' filters share: the date widget, a safe id filter, the filter card's layout."""

import django_filters
from django import forms

from casework import access
from casework.ui.widgets import DatePicker

DATE_WIDGET = DatePicker()


class IdFilter(django_filters.Filter):
    """A primary key filter; out-of-range numbers are a form error, not a database error."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=access.MAX_PK, **kwargs)


class ListFilterSet(django_filters.FilterSet):
    """A list page's filter. `columns` orders the visible fields in the filter card and gives
    each its width in Bootstrap's twelve columns (templates/includes/list_page.html)."""

    columns: dict[str, int] = {}

    def layout(self):
        return [(self.form[name], width) for name, width in self.columns.items()]
