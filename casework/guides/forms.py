"""Forms of the Lots*innen figures: a count of active Lots*innen, a training."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.concurrency import ConcurrencySafeForm
from casework.guides.models import (
    MAX_ACTIVE_GUIDES,
    MAX_TEACHING_UNITS,
    MAX_TRAINING_PARTICIPANTS,
    GuideCount,
    GuideTraining,
)
from casework.ui.fields import BoundedDateField

TOO_EARLY = _("Das Kompetenzzentrum arbeitet erst seit 2017.")


def _not_in_future(value, message):
    if value is not None and value > timezone.localdate():
        raise forms.ValidationError(message)
    return value


class GuideCountForm(ConcurrencySafeForm, forms.ModelForm):
    as_of = BoundedDateField(
        label=_("Stand am"),
        error_messages={
            "too_early": TOO_EARLY,
            "too_late": _("Der Stand kann nicht in der Zukunft liegen."),
        },
    )
    active = forms.IntegerField(
        label=_("aktive Lots*innen"),
        min_value=0,
        max_value=MAX_ACTIVE_GUIDES,
        error_messages={
            "min_value": _("Die Zahl der aktiven Lots*innen kann nicht negativ sein."),
            "max_value": _("Bitte höchstens %(limit_value)s eintragen."),
            "invalid": _("Bitte eine ganze Zahl eintragen."),
        },
        help_text=_("Wie viele Lots*innen an diesem Tag im Projekt aktiv waren."),
    )

    class Meta:
        model = GuideCount
        fields = ["as_of", "active", "note"]

    def __init__(self, *args, unit, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit, self.organisation = unit, organisation
        self.instance.unit, self.instance.organisation = unit, organisation
        self.fields["note"].help_text = _("Zum Beispiel: neue Gruppe nach der Basisqualifizierung.")
        self.helper = FormHelper()
        self.helper.render_hidden_fields = True  # version or one-time token (casework/concurrency.py)
        self.helper.layout = Layout(
            Row(Column("as_of", css_class="col-md-4"), Column("active", css_class="col-md-4")),
            "note",
            Submit("save", _("Speichern")),
        )

    def clean_as_of(self):
        return _not_in_future(self.cleaned_data["as_of"], _("Der Stand kann nicht in der Zukunft liegen."))

    def clean_note(self):
        return self.cleaned_data["note"].strip()

    def clean(self):
        cleaned = super().clean()
        as_of = cleaned.get("as_of")
        if as_of:
            taken = GuideCount.objects.filter(unit=self.unit, organisation=self.organisation, as_of=as_of)
            if taken.exclude(pk=self.instance.pk).exists():
                self.add_error("as_of", _("Für diesen Tag ist schon eine Zahl erfasst – bitte diese bearbeiten."))
        return cleaned

    def save(self, commit=True):
        count = super().save(commit=False)
        count.unit, count.organisation = self.unit, self.organisation
        if commit:
            count.save()
        return count


class GuideTrainingForm(ConcurrencySafeForm, forms.ModelForm):
    date = BoundedDateField(
        label=_("Datum"),
        help_text=GuideTraining._meta.get_field("date").help_text,
        error_messages={
            "too_early": TOO_EARLY,
            "too_late": _("Bitte nur Schulungen erfassen, die schon stattgefunden haben."),
        },
    )
    teaching_units = forms.IntegerField(
        label=_("Unterrichtseinheiten (UE)"),
        min_value=1,
        max_value=MAX_TEACHING_UNITS,
        error_messages={
            "min_value": _("Eine Schulung hat mindestens eine Unterrichtseinheit."),
            "max_value": _("Bitte höchstens %(limit_value)s Unterrichtseinheiten eintragen."),
            "invalid": _("Bitte ganze Unterrichtseinheiten eintragen."),
        },
        help_text=_("Ganze UE; die Basisqualifizierung hat meist 20 bis 36 UE."),
    )
    participants = forms.IntegerField(
        label=_("Teilnehmende"),
        min_value=1,
        max_value=MAX_TRAINING_PARTICIPANTS,
        error_messages={
            "min_value": _("Eine Schulung hat mindestens eine teilnehmende Person."),
            "max_value": _("Bitte höchstens %(limit_value)s Teilnehmende eintragen."),
            "invalid": _("Bitte eine ganze Zahl eintragen."),
        },
    )

    class Meta:
        model = GuideTraining
        fields = ["kind", "title", "date", "teaching_units", "participants"]

    def __init__(self, *args, unit, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit, self.organisation = unit, organisation
        self.instance.unit, self.instance.organisation = unit, organisation
        self.fields["title"].error_messages["required"] = _("Bitte einen Titel eintragen.")
        self.fields["title"].widget.attrs["placeholder"] = _("z. B. Basisqualifizierung Frühjahr")
        self.helper = FormHelper()
        self.helper.render_hidden_fields = True  # version or one-time token (casework/concurrency.py)
        self.helper.layout = Layout(
            Row(Column("kind", css_class="col-md-4"), Column("date", css_class="col-md-4")),
            "title",
            Row(Column("teaching_units", css_class="col-md-4"), Column("participants", css_class="col-md-4")),
            Submit("save", _("Speichern")),
        )

    def clean_date(self):
        return _not_in_future(
            self.cleaned_data["date"], _("Bitte nur Schulungen erfassen, die schon stattgefunden haben.")
        )

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError(_("Bitte einen Titel eintragen."))
        return title

    def save(self, commit=True):
        training = super().save(commit=False)
        training.unit, training.organisation = self.unit, self.organisation
        if commit:
            training.save()
        return training
