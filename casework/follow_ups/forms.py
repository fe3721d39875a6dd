"""Forms and filters for follow-ups (Wiedervorlagen)."""

import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework import access
from casework.concurrency import ConcurrencySafeForm
from casework.follow_ups.services import FollowUpVersion, State, owner_of, owner_unit_ids
from casework.models import FollowUp
from casework.ui.fields import BoundedDateField, model_formfield
from casework.ui.labels import person_label

MAX_YEARS_AHEAD = 5
EARLIEST_DUE = datetime.date(2017, 1, 1)


def due_on_field(label=None, **kwargs):
    return BoundedDateField(
        label=label or _("fällig am"),
        error_messages={"too_early": _("Das Datum liegt zu weit in der Vergangenheit.")},
        **kwargs,
    )


class FollowUpFieldsForm(ConcurrencySafeForm, forms.ModelForm):
    """What the create and the edit form share: the fields, their checks and their layout."""

    due_on = due_on_field()

    class Meta:
        model = FollowUp
        fields = ["due_on", "what", "assigned_to"]
        formfield_callback = model_formfield

    def _set_helper(self, submit_label, button_class=""):
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.render_hidden_fields = True  # the version or one-time token (casework/concurrency.py)
        self.helper.layout = Layout(
            Row(
                Column("due_on", css_class="col-md-3"),
                Column("what", css_class="col-md-5"),
                Column("assigned_to", css_class="col-md-4"),
            ),
            Submit("save", submit_label, css_class=button_class),
        )

    def clean_due_on(self):
        return checked_due_on(self.cleaned_data["due_on"])

    def clean_what(self):
        what = self.cleaned_data["what"].strip()
        if not what:
            raise forms.ValidationError(_("Bitte angeben, was zu tun ist."))
        return what


class FollowUpForm(FollowUpFieldsForm):
    """Add a follow-up to a consultation or case; the assignee is one of the record's units' people."""

    prefix = "follow_up"  # the form sits on record pages next to other forms

    def __init__(self, *args, owner, user, quick=False, **kwargs):
        super().__init__(*args, **kwargs)
        assignees = self.fields["assigned_to"]
        assignees.queryset = access.advisors_of(owner_unit_ids(owner))
        if quick:
            # The short form on record pages is for oneself; the full form picks another person.
            assignees.widget = forms.HiddenInput()
        else:
            # Read the people once: rendering would otherwise query them again.
            assignees.choices = [(person.pk, person_label(person)) for person in assignees.queryset]
        if not self.is_bound and "assigned_to" not in self.initial:
            self.initial["assigned_to"] = user.pk
        self._set_helper(_("Wiedervorlage anlegen"), button_class="btn-sm")
        self.helper.disable_csrf = True  # the surrounding <form> carries the token


def checked_due_on(due_on):
    if due_on is None:
        return due_on
    if due_on < EARLIEST_DUE:
        raise forms.ValidationError(_("Das Datum liegt zu weit in der Vergangenheit."))
    latest = timezone.localdate() + datetime.timedelta(days=366 * MAX_YEARS_AHEAD)
    if due_on > latest:
        raise forms.ValidationError(
            _("Eine Wiedervorlage kann höchstens %(years)s Jahre im Voraus liegen.") % {"years": MAX_YEARS_AHEAD}
        )
    return due_on


ASSIGNEE_INVALID = _(
    "Diese Person kann die Wiedervorlage nicht sehen. Bitte eine Person der beteiligten Fachstellen wählen."
)


class FollowUpEditForm(FollowUpFieldsForm):
    """Change text, due date and assignee of a follow-up (optimistic locking: FollowUpVersion).

    The assignee is one of the people of the record's units: for a consultation shared with the
    other unit, people of both units, as both see it. Should the sharing end, the partner's person
    no longer sees the follow-up; saving then asks for someone who does.
    """

    def __init__(self, *args, instance, **kwargs):
        super().__init__(*args, instance=instance, record=FollowUpVersion(instance), **kwargs)
        assignees = self.fields["assigned_to"]
        assignees.queryset = access.advisors_of(owner_unit_ids(owner_of(instance)))
        assignees.choices = [(person.pk, person_label(person)) for person in assignees.queryset]
        assignees.error_messages["invalid_choice"] = ASSIGNEE_INVALID
        self._set_helper(_("Speichern"))


class PostponeForm(ConcurrencySafeForm, forms.Form):
    """Postpone by one week (button "week") or to a date; without the button the date is required."""

    refusal_hint = _("Bitte den aktuellen Stand prüfen und dann erneut versuchen.")
    due_on = due_on_field(_("Verschieben auf"), required=False)

    def __init__(self, *args, follow_up, **kwargs):
        super().__init__(*args, record=FollowUpVersion(follow_up), **kwargs)
        self.follow_up = follow_up

    def by_a_week(self) -> bool:
        return bool(self.data.get("week"))

    def clean_due_on(self):
        return checked_due_on(self.cleaned_data["due_on"])

    def clean(self):
        cleaned = super().clean()
        if not self.by_a_week() and not cleaned.get("due_on") and not self.has_error("due_on"):
            self.add_error("due_on", _("Bitte ein Datum angeben."))
        return cleaned

    def new_due_on(self):
        """The date chosen; None for one week later (counted from the due date when saving)."""
        return None if self.by_a_week() else self.cleaned_data["due_on"]


STATE_CHOICES = [
    (State.OPEN, _("offen")),
    (State.DONE, _("erledigt")),
    (State.ALL, _("alle")),
]


class StateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=STATE_CHOICES, required=False)

    def state(self) -> str:
        """The chosen state; open when nothing (or nonsense) was chosen."""
        if self.is_valid() and self.cleaned_data["status"]:
            return self.cleaned_data["status"]
        return State.OPEN
