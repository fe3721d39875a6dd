from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Fieldset, Layout, Row, Submit
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import F, Q
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from casework import access
from casework.access import Action
from casework.concurrency import ConcurrencySafeForm
from casework.models import Case, CaseGoal, CaseOutcome, CaseOutcomeReached, Unit
from casework.search.ordering import german
from casework.ui.fields import BoundedDateField, IdChoiceField, OrganisationChoiceField, model_formfield
from casework.ui.labels import person_label
from casework.ui.widgets import PickerSelect, limit_picker_choices
from organisations.models import Organisation

FIRST_YEAR = 2017


def _check_date(value, what):
    if value > timezone.localdate():
        raise forms.ValidationError(_("%(what)s kann nicht in der Zukunft liegen.") % {"what": what})
    if value.year < FIRST_YEAR:
        raise forms.ValidationError(_("Das Kompetenzzentrum berät erst seit 2017."))
    return value


def _date_messages(what):
    """The messages of `_check_date` for dates outside the range every date field has (casework.ui.fields)."""
    in_future = lazy(lambda: _("%(what)s kann nicht in der Zukunft liegen.") % {"what": what}, str)()
    return {"too_early": _("Das Kompetenzzentrum berät erst seit 2017."), "too_late": in_future}


class CatalogueChoiceField(IdChoiceField):
    """Goals of a unit's catalogue; joint entries are marked, and the unit is named when several are offered."""

    show_unit = False

    def label_from_instance(self, entry):
        if entry.unit_id is None:
            return "{} ({})".format(entry.name, _("gemeinsam"))
        return f"{entry.name} ({entry.unit.short_name})" if self.show_unit else entry.name


class CaseForm(ConcurrencySafeForm, forms.ModelForm):
    """Begin or edit a case. Unit and organisation are fixed once the case exists."""

    organisation = OrganisationChoiceField(
        queryset=None,
        label=_("Organisation"),
        widget=PickerSelect(reverse_lazy("organisations:picker"), placeholder=_("Organisation suchen …")),
    )
    goal = CatalogueChoiceField(queryset=None, label=_("Ziel"))
    opened_on = BoundedDateField(label=_("begonnen am"), error_messages=_date_messages(_("Der Beginn")))
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(Case.Status.OPEN, Case.Status.OPEN.label), (Case.Status.DORMANT, Case.Status.DORMANT.label)],
        help_text=_("Abgeschlossen wird ein Beratungsprozess über „Abschließen“, mit seinen Ergebnissen."),
    )

    class Meta:
        model = Case
        fields = ["unit", "organisation", "title", "goal", "description", "status", "opened_on", "responsible"]
        formfield_callback = model_formfield
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        case = self.instance
        if case.pk:
            unit_ids = [case.unit_id]
            self.fields["unit"].disabled = True
            self.fields["organisation"].disabled = True
            self.fields["organisation"].queryset = Organisation.objects.filter(pk=case.organisation_id)
        else:
            unit_ids = sorted(access.unit_ids_for(user, Action.CHANGE))
            self.fields["organisation"].queryset = access.organisations_visible_to(user)
        self.fields["organisation"].queryset = self.fields["organisation"].queryset.select_related("region")
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=unit_ids)
        self.fields["unit"].empty_label = None
        limit_picker_choices(self.fields["organisation"], self._selected_organisation())

        self.fields["goal"].queryset = (
            CaseGoal.objects.for_units(unit_ids)
            .filter(Q(retired_at__isnull=True) | Q(pk=case.goal_id or 0))
            .select_related("unit")
            .order_by(F("unit_id").asc(nulls_last=True), "position", "name")
        )
        self.fields["goal"].show_unit = len(unit_ids) > 1
        self.fields["responsible"].queryset = (
            get_user_model()
            .objects.filter(Q(pk__in=access.advisors_of(unit_ids).values("pk")) | Q(pk=case.responsible_id or 0))
            .order_by(german("last_name"), german("first_name"), "username")
        )
        self.fields["responsible"].label_from_instance = person_label
        self.fields["responsible"].empty_label = _("noch niemand")
        if not case.pk or case.status == Case.Status.CLOSED:
            del self.fields["status"]

        self.helper = FormHelper()
        self.helper.render_hidden_fields = True  # version or one-time token (casework/concurrency.py)
        self.helper.layout = Layout(
            Row(Column("unit", css_class="col-md-4"), Column("organisation", css_class="col-md-8")),
            "title",
            Row(Column("goal", css_class="col-md-8"), Column("opened_on", css_class="col-md-4")),
            "description",
            Row(
                Column("responsible", css_class="col-md-6"),
                *([Column("status", css_class="col-md-6")] if "status" in self.fields else []),
            ),
            Submit("save", _("Speichern")),
        )

    def _selected_organisation(self):
        if self.is_bound and not self.fields["organisation"].disabled:
            raw = self.data.get(self.add_prefix("organisation"))
        else:
            raw = self.initial.get("organisation") or self.instance.organisation_id
        pk = access.parse_pk(getattr(raw, "pk", raw))
        return self.fields["organisation"].queryset.filter(pk=pk).first() if pk else None

    def clean_opened_on(self):
        return _check_date(self.cleaned_data["opened_on"], _("Der Beginn"))

    def clean(self):
        cleaned = super().clean()
        unit, goal, responsible = cleaned.get("unit"), cleaned.get("goal"), cleaned.get("responsible")
        if unit and goal and goal.unit_id not in (None, unit.pk):
            self.add_error("goal", _("Dieses Ziel gehört nicht zum Katalog der gewählten Fachstelle."))
        if (
            unit
            and responsible
            and responsible.pk != self.instance.responsible_id
            and not access.advisors_of([unit.pk]).filter(pk=responsible.pk).exists()
        ):
            self.add_error("responsible", _("Verantwortlich kann nur eine Person der gewählten Fachstelle sein."))
        opened_on, closed_on = cleaned.get("opened_on"), self.instance.closed_on
        if opened_on and closed_on and opened_on > closed_on:
            self.add_error("opened_on", _("Der Beginn kann nicht nach dem Abschluss liegen."))
        return cleaned


class CaseCloseForm(ConcurrencySafeForm, forms.Form):
    """Close a case: the closing date and a date for every outcome reached (at least one)."""

    closed_on = BoundedDateField(label=_("abgeschlossen am"), error_messages=_date_messages(_("Der Abschluss")))

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, record=case, **kwargs)
        self.case = case
        reached = {r.outcome_id: r.reached_on for r in CaseOutcomeReached.objects.filter(case=case)}
        self.outcomes = list(
            CaseOutcome.objects.filter(Q(unit_id=case.unit_id) | Q(unit__isnull=True))
            .filter(Q(retired_at__isnull=True) | Q(pk__in=list(reached)))
            .order_by(F("unit_id").asc(nulls_last=True), "position", "name")
        )
        for outcome in self.outcomes:
            self.fields[self.field_name(outcome)] = BoundedDateField(
                label=outcome.name, required=False, initial=reached.get(outcome.pk)
            )
        self.helper = FormHelper()
        self.helper.render_hidden_fields = True  # the loaded version (casework/concurrency.py)
        self.helper.layout = Layout(
            Row(Column("closed_on", css_class="col-md-4")),
            Fieldset(
                _("Erreichte Ergebnisse"),
                HTML(
                    format_html(
                        '<p class="form-text">{}</p>',
                        _("Für jedes erreichte Ergebnis das Datum eintragen, an dem es erreicht wurde."),
                    )
                ),
                Row(*[Column(self.field_name(outcome), css_class="col-md-6") for outcome in self.outcomes]),
            ),
            Submit("close", _("Beratungsprozess abschließen")),
        )

    @staticmethod
    def field_name(outcome):
        return f"outcome_{outcome.pk}"

    def clean_closed_on(self):
        closed_on = _check_date(self.cleaned_data["closed_on"], _("Der Abschluss"))
        if closed_on < self.case.opened_on:
            raise forms.ValidationError(
                _("Der Abschluss kann nicht vor dem Beginn (%(date)s) liegen.")
                % {"date": self.case.opened_on.strftime("%d.%m.%Y")}
            )
        return closed_on

    def clean(self):
        cleaned = super().clean()
        closed_on = cleaned.get("closed_on")
        reached = {}
        for outcome in self.outcomes:
            name = self.field_name(outcome)
            reached_on = cleaned.get(name)
            if reached_on is None:
                continue
            if reached_on < self.case.opened_on:
                self.add_error(name, _("Ein Ergebnis kann nicht vor dem Beginn des Beratungsprozesses liegen."))
            elif closed_on and reached_on > closed_on:
                self.add_error(name, _("Ein Ergebnis kann nicht nach dem Abschluss liegen."))
            else:
                reached[outcome] = reached_on
        if not reached and not any(name in self.errors for name in map(self.field_name, self.outcomes)):
            raise forms.ValidationError(_("Bitte mindestens ein erreichtes Ergebnis mit Datum angeben."))
        cleaned["outcomes"] = reached
        return cleaned
