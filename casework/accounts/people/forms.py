"""Forms for managing people: invitation, roles per unit, successors on deactivation."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from casework.accounts.people.services import UNIT_ROLES, Roles, roles_of, successors_in
from casework.models import Unit
from casework.roles import ADVISOR, COORDINATOR
from casework.ui.fields import IdChoiceField
from casework.ui.labels import person_label

User = get_user_model()

ROLE_CHOICES = [("", _("keine Rolle")), (ADVISOR, _("Berater*in")), (COORDINATOR, _("Koordinator*in"))]


class RolesFormMixin:
    """One role choice per Fachstelle and the administration box; `roles()` gives the choice as Roles."""

    def add_role_fields(self, person=None):
        current = roles_of(person) if person is not None else Roles()
        self.units = list(Unit.objects.all())
        for unit in self.units:
            self.fields[f"unit_{unit.pk}"] = forms.ChoiceField(
                label=_("Rolle in %(unit)s") % {"unit": unit.name},
                choices=ROLE_CHOICES,
                required=False,
                initial=current.per_unit.get(unit.pk, ""),
            )
        self.fields["admin"] = forms.BooleanField(
            label=_("Administrator*in"),
            help_text=_("Verwaltet Personen und Kataloge und sieht die Datensätze beider Fachstellen."),
            required=False,
            initial=current.admin,
        )

    def roles(self) -> Roles:
        per_unit = {
            unit.pk: self.cleaned_data[f"unit_{unit.pk}"]
            for unit in self.units
            if self.cleaned_data[f"unit_{unit.pk}"] in UNIT_ROLES
        }
        return Roles(per_unit=per_unit, admin=self.cleaned_data["admin"])


class InviteForm(RolesFormMixin, forms.Form):
    first_name = forms.CharField(label=_("Vorname"), max_length=150)
    last_name = forms.CharField(label=_("Nachname"), max_length=150)
    email = forms.EmailField(label=_("E-Mail-Adresse"), max_length=254, help_text=_("Hierhin geht die Einladung."))
    username = forms.CharField(
        label=_("Benutzername"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Damit meldet sich die Person an. Buchstaben, Ziffern und @ . + - _"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_role_fields()

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("Dieser Benutzername ist schon vergeben."))
        return username

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"])
        # A password reset goes to every account of an address: one address, one person.
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("Zu dieser E-Mail-Adresse gibt es schon ein Konto."))
        return email


class RolesForm(RolesFormMixin, forms.Form):
    def __init__(self, *args, person, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.person, self.actor = person, actor
        self.add_role_fields(person)

    def clean(self):
        cleaned = super().clean()
        if self.person == self.actor and not cleaned.get("admin") and not self.person.is_superuser:
            raise forms.ValidationError(
                _("Die eigene Administrationsrolle kann nur eine andere Administrator*in entziehen.")
            )
        return cleaned


class SuccessorField(IdChoiceField):
    def label_from_instance(self, obj):
        return person_label(obj)


class DeactivateForm(forms.Form):
    """A successor for each unit in which the person still holds open follow-ups or cases."""

    def __init__(self, *args, person, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = units
        for unit in units:
            colleagues = successors_in(unit, person)
            # A unit without another active member: the work stays listed with the person until someone joins.
            alone = not colleagues.exists()
            self.fields[f"successor_{unit.pk}"] = SuccessorField(
                label=_("Übernimmt in %(unit)s") % {"unit": unit.name},
                queryset=colleagues,
                required=not alone,
                help_text=_("Keine aktive Kolleg*in in dieser Fachstelle: die Aufgaben bleiben bei der Person.")
                if alone
                else "",
                empty_label=_("– bitte wählen –"),
                error_messages={
                    "required": _("Bitte eine Kolleg*in dieser Fachstelle wählen."),
                    "invalid_choice": _("Bitte eine aktive Kolleg*in dieser Fachstelle wählen."),
                },
            )

    def successors(self) -> dict:
        """Unit id → successor; units without a colleague are left out (their work stays)."""
        chosen = {unit.pk: self.cleaned_data.get(f"successor_{unit.pk}") for unit in self.units}
        return {unit_id: person for unit_id, person in chosen.items() if person is not None}
