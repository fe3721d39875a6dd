import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.concurrency import ConcurrencySafeForm
from casework.ui.fields import BoundedDateField
from reports import periods
from reports.figures import ALL_SCOPE
from reports.models import FIRST_YEAR, Report, Target

# A custom period longer than this is almost certainly a typo (and a very large report).
MAX_CUSTOM_DAYS = 5 * 366


def scope_choices(units):
    """The scopes a person may report on: each of their units, and both together if they hold both."""
    choices = [(u.code, u.short_name) for u in units]
    if len(units) > 1:
        choices.append((ALL_SCOPE, _("Kompetenzzentrum (beide Fachstellen)")))
    return choices


def units_of_scope(scope, units):
    return list(units) if scope == ALL_SCOPE else [u for u in units if u.code == scope]


class ReportForm(ConcurrencySafeForm, forms.Form):
    """Which report: scope and period. Read from GET (preview) and POST (generate)."""

    scope = forms.ChoiceField(label=_("Bereich"))
    period_kind = forms.ChoiceField(
        label=_("Zeitraum"), choices=Report.PeriodKind.choices, initial="year", widget=forms.RadioSelect
    )
    year = forms.IntegerField(label=_("Jahr"), required=False)
    half = forms.TypedChoiceField(
        label=_("Halbjahr"), choices=[(1, _("1. Halbjahr")), (2, _("2. Halbjahr"))], coerce=int, required=False
    )
    quarter = forms.TypedChoiceField(
        label=_("Quartal"),
        choices=[(q, _("%(q)s. Quartal") % {"q": q}) for q in range(1, 5)],
        coerce=int,
        required=False,
    )
    first_day = BoundedDateField(label=_("von"), required=False)
    last_day = BoundedDateField(label=_("bis"), required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = list(units)
        self.fields["scope"].choices = scope_choices(self.units)
        this_year = timezone.localdate().year
        self.fields["year"].initial = this_year - 1
        self.fields["year"].widget.attrs.update(min=FIRST_YEAR, max=this_year)

    def clean_year(self):
        year = self.cleaned_data.get("year")
        if year is not None and not FIRST_YEAR <= year <= timezone.localdate().year:
            raise forms.ValidationError(
                _("Bitte ein Jahr zwischen %(first)s und %(last)s angeben."),
                params={"first": FIRST_YEAR, "last": timezone.localdate().year},
            )
        return year

    def clean(self):
        data = super().clean()
        kind = data.get("period_kind")
        try:
            data["period"] = self._period(kind, data)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
        if data["period"] is not None and "scope" in data:
            data["units"] = units_of_scope(data["scope"], self.units)
        return data

    def _typed_day(self, name):
        """The date typed into `name`, also outside the range the field accepts; None if it is no date."""
        field = self.fields[name]
        try:
            return field.to_python(field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name)))
        except forms.ValidationError:
            return None

    def _period(self, kind, data):
        if kind is None:
            return None
        if kind == "custom":
            typed_first, typed_last = self._typed_day("first_day"), self._typed_day("last_day")
            if typed_first and typed_last and (typed_last - typed_first).days + 1 > MAX_CUSTOM_DAYS:
                raise ValueError(_("Ein eigener Zeitraum kann höchstens fünf Jahre umfassen."))
            if {"first_day", "last_day"} & set(self.errors):
                return None  # the date field's own message says what is wrong
            first, last = data.get("first_day"), data.get("last_day")
            if first is None or last is None:
                raise ValueError(_("Für einen eigenen Zeitraum bitte Anfang und Ende angeben."))
            if first.year < FIRST_YEAR or last > timezone.localdate() + datetime.timedelta(days=366):
                raise ValueError(_("Dieser Zeitraum liegt außerhalb der erfassten Jahre."))
            return periods.custom(first, last)
        year = data.get("year")
        if year is None:
            raise ValueError(_("Bitte das Jahr angeben."))
        if kind == "year":
            return periods.year(year)
        if kind == "half":
            if not data.get("half"):
                raise ValueError(_("Bitte das Halbjahr wählen."))
            return periods.half(year, data["half"])
        if not data.get("quarter"):
            raise ValueError(_("Bitte das Quartal wählen."))
        return periods.quarter(year, data["quarter"])


class TargetsForm(ConcurrencySafeForm, forms.Form):
    """The targets of one unit and year: one optional number per metric."""

    def __init__(self, *args, targets: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for metric, label in Target.Metric.choices:
            self.fields[metric] = forms.IntegerField(
                label=label, required=False, min_value=0, max_value=1_000_000, initial=targets.get(metric)
            )
