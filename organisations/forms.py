from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework import access
from casework.access import Action
from casework.concurrency import ConcurrencySafeForm
from casework.ui.fields import BoundedDateField, model_formfield
from organisations.models import ContactPerson, Organisation, Region


class OrganisationForm(ConcurrencySafeForm, forms.ModelForm):
    website = forms.URLField(label=_("Website"), required=False, max_length=200, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = [
            "name",
            "kind",
            "legal_form",
            "host_type",
            "charitable_status",
            "founding_year",
            "region",
            "municipality",
            "email",
            "phone",
            "website",
            "member_count",
            "may_be_named",
            "units",
        ]
        widgets = {"units": forms.CheckboxSelectMultiple}
        formfield_callback = model_formfield

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        writable = access.units_for(user, Action.CHANGE)
        self.writable_unit_ids = set(writable.values_list("pk", flat=True))
        self.fields["units"].queryset = writable
        self.fields["units"].help_text = _("Welche Fachstellen mit der Organisation arbeiten.")
        today = timezone.localdate()
        current = self.instance.region_id if self.instance.pk else None
        self.fields["region"].queryset = Region.objects.valid_on(today) | Region.objects.filter(pk=current)
        self.helper = FormHelper()
        self.helper.render_hidden_fields = True  # version or one-time token (casework/concurrency.py)
        self.helper.layout = Layout(
            "name",
            Row(
                Column("kind", css_class="col-md-4"),
                Column("legal_form", css_class="col-md-4"),
                Column("host_type", css_class="col-md-4"),
            ),
            Row(
                Column("charitable_status", css_class="col-md-4"),
                Column("founding_year", css_class="col-md-4"),
                Column("member_count", css_class="col-md-4"),
            ),
            Row(Column("region", css_class="col-md-6"), Column("municipality", css_class="col-md-6")),
            Row(
                Column("email", css_class="col-md-4"),
                Column("phone", css_class="col-md-4"),
                Column("website", css_class="col-md-4"),
            ),
            "may_be_named",
            "units",
            Submit("save", _("Speichern")),
        )

    def clean_founding_year(self):
        year = self.cleaned_data["founding_year"]
        if year and year > timezone.localdate().year:
            raise forms.ValidationError(_("Das Gründungsjahr darf nicht in der Zukunft liegen."))
        return year

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") != Organisation.Kind.GUIDE_PROJECT and cleaned.get("host_type"):
            self.add_error("host_type", _("Ein Träger wird nur bei Lots*innen-Projekten angegeben."))
        return cleaned

    def unit_ids_to_save(self):
        """The chosen units plus links to units the person may not write (those stay as they are)."""
        chosen = {unit.pk for unit in self.cleaned_data["units"]}
        existing = {unit.pk for unit in self.instance.units.all()} if self.instance.pk else set()
        return chosen | (existing - self.writable_unit_ids)


class ContactPersonForm(ConcurrencySafeForm, forms.ModelForm):
    consent_date = BoundedDateField(
        label=_("Einwilligung am"),
        help_text=_("Datum, an dem die Person der Speicherung ihrer Daten zugestimmt hat."),
        error_messages={"too_late": _("Das Datum der Einwilligung darf nicht in der Zukunft liegen.")},
    )

    class Meta:
        model = ContactPerson
        fields = ["name", "function", "email", "phone", "consent_date"]
        formfield_callback = model_formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Speichern")))

    def clean_consent_date(self):
        consent = self.cleaned_data["consent_date"]
        if consent > timezone.localdate():
            raise forms.ValidationError(_("Das Datum der Einwilligung darf nicht in der Zukunft liegen."))
        return consent
