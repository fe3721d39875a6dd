import uuid

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework import access
from casework.access import Action
from casework.concurrency import TOKEN_FIELD, ConcurrencySafeForm
from casework.models import Submission
from casework.ui.fields import BoundedDateField, OrganisationChoiceField, model_formfield
from casework.ui.widgets import PickerSelect
from organisations import services
from organisations.models import ContactPerson, Organisation, Region

# The kind of organisation each unit works with, preset when one of its people registers one.
KIND_OF_UNIT = {"mo": Organisation.Kind.MIGRANT_ORGANISATION, "lots": Organisation.Kind.GUIDE_PROJECT}


def default_kind(user) -> str | None:
    """The kind of the person's unit; none for people of both units (admins)."""
    kinds = {KIND_OF_UNIT.get(unit.code) for unit in access.units_for(user, Action.CHANGE)}
    return kinds.pop() if len(kinds) == 1 else None


class OrganisationForm(ConcurrencySafeForm, forms.ModelForm):
    website = forms.URLField(label=_("Website"), required=False, max_length=200, assume_scheme="https")
    # Shown (by the template) once similar organisations were found: registering one anyway is a choice.
    allow_duplicate = forms.BooleanField(label=_("Trotzdem neu anlegen"), required=False)

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
        self.user = user
        self.similar = []  # similar organisations found when creating (duplicate warning)
        if self.instance.pk:
            del self.fields["allow_duplicate"]
        writable = access.units_for(user, Action.CHANGE)
        self.writable_unit_ids = set(writable.values_list("pk", flat=True))
        self.fields["units"].queryset = writable
        self.fields["units"].help_text = _("Welche Fachstellen mit der Organisation arbeiten.")
        today = timezone.localdate()
        current = self.instance.region_id if self.instance.pk else None
        self.fields["region"].queryset = Region.objects.valid_on(today) | Region.objects.filter(pk=current)
        self.helper = FormHelper()
        self.helper.form_tag = False  # the template wraps it, with the duplicate warning inside the form
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
        if (
            not self.instance.pk
            and cleaned.get("name")
            and not cleaned.get("allow_duplicate")
            and not self._sent_before()
        ):
            self.similar = services.similar_organisations(
                self.user, name=cleaned["name"], municipality=cleaned.get("municipality", "")
            )
            if self.similar:
                self.add_error(
                    None,
                    _(
                        "Es gibt bereits ähnliche Organisationen (siehe unten). Bitte prüfen Sie, ob die "
                        "Organisation schon erfasst ist. Ist sie wirklich neu, kreuzen Sie „Trotzdem neu anlegen“ "
                        "an und speichern Sie erneut."
                    ),
                )
        return cleaned

    def _sent_before(self) -> bool:
        """This very form sent again (its one-time token is used): no new duplicate, create_once leads to the
        organisation created first."""
        try:
            token = uuid.UUID(str(self.data.get(self.add_prefix(TOKEN_FIELD), "")))
        except ValueError:
            return False
        return Submission.objects.filter(token=token).exists()

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


class MergeForm(forms.Form):
    """Which organisation to merge into the one whose page the coordinator is on (it is kept)."""

    mit = OrganisationChoiceField(
        label=_("Doppelt erfasste Organisation (wird aufgelöst)"),
        queryset=Organisation.objects.none(),
        widget=PickerSelect(reverse_lazy("organisations:picker"), placeholder=_("Organisation suchen …")),
        error_messages={
            "invalid_choice": _(
                "Diese Organisation kann hier nicht zusammengeführt werden. Bitte eine andere Organisation "
                "Ihrer Fachstelle wählen."
            )
        },
    )

    def __init__(self, *args, keep, user, suggestions=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Only organisations of units the person coordinates can be dissolved; never the kept one.
        field = self.fields["mit"]
        field.queryset = access.organisations_visible_to(user, Action.DELETE).exclude(pk=keep.pk)
        field.queryset = field.queryset.select_related("region")
        field.widget.choices = [("", "---------")] + [(org.pk, field.label_from_instance(org)) for org in suggestions]
