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
    variant = forms.ChoiceField(
        label=_("Fassung"),
        choices=Report.Variant.choices,
        initial=Report.Variant.FUNDER,
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "Der Fördergeber erhält genaue Zahlen. Nur eine Fassung zur Veröffentlichung schützt kleine Werte "
            "(„< 3“, „x“)."
        ),
    )

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

    def clean_variant(self):
        # Missing (an older link or bookmark): the funder's variant with exact figures.
        return self.cleaned_data.get("variant") or Report.Variant.FUNDER

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


# A target below half or above twice last year's actual figure is most likely a typo.
FAR_BELOW, FAR_ABOVE = 0.5, 2.0


def far_from(value, last_year) -> bool:
    """Whether a target is far from last year's actual figure (no comparison without one)."""
    if value is None or not last_year:
        return False
    return value < FAR_BELOW * last_year or value > FAR_ABOVE * last_year


def de_amount(value) -> str:
    """A figure as German readers write it: 1.234 and 111,5."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}".translate(str.maketrans({",": ".", ".": ","}))
    return f"{int(value):,}".replace(",", ".")


class TargetsForm(ConcurrencySafeForm, forms.Form):
    """The targets of one unit and year: one optional whole number per metric.

    `last_year`: the unit's actual figures of the year before, per metric. A value far from them
    (below half, above twice) is refused once with a warning; ticking "Werte trotzdem speichern"
    saves it.
    """

    confirm_unusual = forms.BooleanField(
        label=_("Werte trotzdem speichern"),
        required=False,
        help_text=_("Nur nötig, wenn ein Wert stark vom Vorjahr abweicht."),
    )

    def __init__(self, *args, targets: dict, last_year: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.last_year = last_year or {}
        self.warnings = {}
        for metric, label in Target.Metric.choices:
            field = forms.IntegerField(
                label=label, required=False, min_value=0, max_value=1_000_000, initial=targets.get(metric)
            )
            if self.last_year.get(metric) is not None:
                field.help_text = _("Vorjahr: %(value)s") % {"value": de_amount(self.last_year[metric])}
            self.fields[metric] = field
        # The confirmation box last, after the numbers.
        self.fields["confirm_unusual"] = self.fields.pop("confirm_unusual")

    def metric_values(self) -> dict:
        return {metric: self.cleaned_data.get(metric) for metric in Target.Metric.values}

    def clean(self):
        data = super().clean()
        for metric in Target.Metric.values:
            last_year = self.last_year.get(metric)
            if metric not in self.errors and far_from(data.get(metric), last_year):
                self.warnings[metric] = _("Der Wert weicht stark vom Vorjahr ab (Vorjahr: %(value)s). Tippfehler?") % {
                    "value": de_amount(last_year)
                }
        if self.warnings and not data.get("confirm_unusual"):
            for metric, warning in self.warnings.items():
                self.add_error(metric, warning)
            self.add_error(
                "confirm_unusual",
                _("Bitte die markierten Werte prüfen und „Werte trotzdem speichern“ ankreuzen, wenn sie stimmen."),
            )
        return data
