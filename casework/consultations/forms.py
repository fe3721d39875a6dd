from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row, Submit
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import F, Q
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from casework import access
from casework.access import Action
from casework.concurrency import ConcurrencySafeForm
from casework.models import Case, Consultation, QualityCriterion, Unit
from casework.ui.fields import (
    BoundedDateField,
    IdMultipleChoiceField,
    OrganisationChoiceField,
    TopicChoiceField,
    model_field,
)
from casework.ui.labels import person_label
from casework.ui.widgets import PickerSelect, limit_picker_choices

# What only the lead unit of a joint consultation changes.
LEAD_FIELDS = [
    "unit",
    "shared_with",
    "organisation",
    "date",
    "duration_minutes",
    "format",
    "initiated_by",
    "participants",
    "case",
    "criteria",
]
DURATION_CHOICES = [(m, f"{m // 60}:{m % 60:02d} h") for m in range(15, 12 * 60 + 1, 15)]


class ConsultationForm(ConcurrencySafeForm, forms.ModelForm):
    """Log or edit a consultation. Every choice is limited to what the person may use."""

    organisation = OrganisationChoiceField(
        queryset=None,
        label=_("Organisation"),
        widget=PickerSelect(reverse_lazy("organisations:picker"), placeholder=_("Organisation suchen …")),
    )
    duration_minutes = forms.TypedChoiceField(label=_("Dauer"), choices=DURATION_CHOICES, coerce=int, initial=60)
    topics = TopicChoiceField(queryset=None, label=_("Themen"), widget=forms.CheckboxSelectMultiple)
    advisors = IdMultipleChoiceField(queryset=None, label=_("Berater*innen"), widget=forms.CheckboxSelectMultiple)
    # Declared (not generated from Meta) so that their ids are checked before any query (casework.ui.fields).
    unit = model_field(Consultation, "unit")
    shared_with = model_field(Consultation, "shared_with")
    case = model_field(Consultation, "case")
    criteria = model_field(Consultation, "criteria", widget=forms.CheckboxSelectMultiple)
    date = BoundedDateField(
        label=_("Datum"),
        error_messages={
            "too_early": _("Das Kompetenzzentrum berät erst seit 2017."),
            "too_late": _("Eine Beratung kann nicht in der Zukunft liegen."),
        },
    )
    # Not model fields: a date here adds a follow-up (Wiedervorlage) for the person logging.
    follow_up_date = BoundedDateField(label=_("Wiedervorlage am"), required=False)
    follow_up_what = forms.CharField(
        label=_("Was ist dann zu tun?"), required=False, max_length=200, initial=_("Nachfassen")
    )

    class Meta:
        model = Consultation
        fields = [
            "unit",
            "shared_with",
            "organisation",
            "date",
            "duration_minutes",
            "format",
            "initiated_by",
            "participants",
            "topics",
            "advisors",
            "summary",
            "agreements",
            "case",
            "criteria",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "agreements": forms.Textarea(attrs={"rows": 3}),
            "criteria": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.leads = access.leads_consultation(user, self.instance)
        if not self.leads:
            # The partner unit edits the narrative only; the lead's fields are not in its form.
            for name in LEAD_FIELDS:
                del self.fields[name]
            unit_ids = sorted(access.unit_ids_for(user, Action.CHANGE) & {self.instance.shared_with_id})
        elif self.instance.pk:
            # The lead unit is fixed once logged; sharing can still change.
            unit_ids = [self.instance.unit_id]
            self.fields["unit"].disabled = True
        else:
            unit_ids = sorted(access.unit_ids_for(user, Action.CHANGE))
        if self.leads:
            self._init_lead_fields(user, unit_ids)
        self._init_shared_choices(unit_ids)

        self.helper = FormHelper()
        self.helper.render_hidden_fields = True  # the loaded version or the one-time token
        lead_layout = [
            Row(Column("unit", css_class="col-md-6"), Column("shared_with", css_class="col-md-6")),
            "organisation",
            Row(
                Column("date", css_class="col-md-3"),
                Column("duration_minutes", css_class="col-md-3"),
                Column("format", css_class="col-md-3"),
                Column("initiated_by", css_class="col-md-3"),
            ),
            Row(Column("participants", css_class="col-md-3")),
        ]
        self.helper.layout = Layout(
            *(lead_layout if self.leads else []),
            Field("topics", wrapper_class="choice-columns"),
            Field("advisors", wrapper_class="choice-columns"),
            "summary",
            "agreements",
            *(["case"] if "case" in self.fields else []),
            *([Field("criteria", wrapper_class="choice-columns")] if "criteria" in self.fields else []),
            Row(Column("follow_up_date", css_class="col-md-3"), Column("follow_up_what", css_class="col-md-9")),
            Submit("save", _("Speichern")),
        )

    def _init_lead_fields(self, user, unit_ids):
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=unit_ids)
        self.fields["unit"].empty_label = None
        # Sharing means: with a unit other than the lead unit.
        others = Unit.objects.exclude(pk=unit_ids[0]) if len(unit_ids) == 1 else Unit.objects.all()
        self.fields["shared_with"].queryset = others
        self.fields["shared_with"].empty_label = _("nein – nur die eigene Fachstelle")

        self.fields["organisation"].queryset = access.organisations_visible_to(user).select_related("region")
        selected_organisation = self._selected_organisation()
        limit_picker_choices(self.fields["organisation"], selected_organisation)
        self._limit_case_choices(user, unit_ids, selected_organisation)
        self._limit_criteria_choices(unit_ids)
        self.fields["organisation"].help_text = format_html(
            '{} <a href="{}?weiter=beratung">{}</a>',
            _("Nicht gefunden?"),
            reverse("organisations:organisation_create"),
            _("Neue Organisation anlegen und danach hier weiter erfassen"),
        )

    def _init_shared_choices(self, unit_ids):
        """Topics and advisors: each unit chooses from its own catalogue and people (joint topics: both).

        On a joint record, what belongs to the other unit is not offered and is kept on save.
        """
        # ModelForm has loaded the current topics and advisors into `initial` already.
        current_topics = list(self.initial.get("topics", [])) if self.instance.pk else []
        own_topics = [t for t in current_topics if t.unit_id is None or t.unit_id in unit_ids]
        self.kept_topics = [t for t in current_topics if t not in own_topics]
        # The unit's own catalogue first, joint topics after it; retired topics already chosen stay.
        self.fields["topics"].queryset = access.topics_selectable_for(unit_ids, keep=own_topics).order_by(
            F("unit_id").asc(nulls_last=True), "position", "name"
        )
        current_advisors = list(self.initial.get("advisors", [])) if self.instance.pk else []
        other_units = {self.instance.unit_id, self.instance.shared_with_id} - set(unit_ids) - {None}
        others = set()
        if other_units and current_advisors:
            others = set(access.advisors_of(other_units).exclude(pk__in=access.advisors_of(unit_ids).values("pk")))
        self.kept_advisors = [a for a in current_advisors if a in others]
        chosen = [a.pk for a in current_advisors if a not in others]
        self.fields["advisors"].queryset = (
            get_user_model()
            .objects.filter(Q(pk__in=access.advisors_of(unit_ids).values("pk")) | Q(pk__in=chosen))
            .order_by("last_name", "first_name", "username")
        )
        self.fields["advisors"].label_from_instance = person_label
        # The other unit's topics and advisors already count: choosing own ones is then optional.
        self.fields["topics"].required = not self.kept_topics
        self.fields["advisors"].required = not self.kept_advisors
        if self.kept_topics:
            self.fields["topics"].help_text = _("Themen der anderen Fachstelle bleiben erhalten: %(names)s") % {
                "names": ", ".join(t.name for t in self.kept_topics)
            }
        if self.kept_advisors:
            self.fields["advisors"].help_text = _("Berater*innen der anderen Fachstelle bleiben: %(names)s") % {
                "names": ", ".join(person_label(a) for a in self.kept_advisors)
            }

    def _limit_case_choices(self, user, unit_ids, organisation):
        """Cases of the chosen organisation in the unit that are still running (or already linked)."""
        running = ~Q(status=Case.Status.CLOSED) | Q(pk=self.instance.case_id or 0)
        cases = access.cases_visible_to(user).filter(running, unit_id__in=unit_ids)
        self.fields["case"].queryset = cases.filter(organisation=organisation) if organisation else cases.none()
        self.fields["case"].empty_label = _("keinem Beratungsprozess zugeordnet")

    def _limit_criteria_choices(self, unit_ids):
        """Quality criteria exist for the Lots*innen unit only; other units do not see the field."""
        chosen = [c.pk for c in self.initial.get("criteria", [])] if self.instance.pk else []
        criteria = QualityCriterion.objects.filter(area__unit_id__in=unit_ids).filter(
            Q(retired_at__isnull=True, area__retired_at__isnull=True) | Q(pk__in=chosen)
        )
        if criteria.exists():
            self.fields["criteria"].queryset = criteria.select_related("area")
        else:
            del self.fields["criteria"]

    def _selected_organisation(self):
        if self.is_bound:
            raw = self.data.get(self.add_prefix("organisation"))
        else:
            raw = self.initial.get("organisation") or self.instance.organisation_id
        pk = access.parse_pk(getattr(raw, "pk", raw))
        return self.fields["organisation"].queryset.filter(pk=pk).first() if pk else None

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("Eine Beratung kann nicht in der Zukunft liegen."))
        if date.year < 2017:
            raise forms.ValidationError(_("Das Kompetenzzentrum berät erst seit 2017."))
        return date

    def clean(self):
        cleaned = super().clean()
        unit = cleaned.get("unit")
        shared_with = cleaned.get("shared_with")
        if unit and shared_with and unit == shared_with:
            self.add_error("shared_with", _("Eine Beratung kann nur mit der anderen Fachstelle geteilt werden."))
        if unit:
            foreign = [t.name for t in cleaned.get("topics", []) if t.unit_id not in (None, unit.pk)]
            if foreign:
                self.add_error(
                    "topics",
                    _("Diese Themen gehören nicht zum Katalog der gewählten Fachstelle: %(topics)s")
                    % {"topics": ", ".join(foreign)},
                )
        case = cleaned.get("case")
        if case and (case.organisation_id != getattr(cleaned.get("organisation"), "pk", None) or case.unit != unit):
            self.add_error("case", _("Der Beratungsprozess gehört zu einer anderen Organisation oder Fachstelle."))
        if unit:
            foreign_criteria = [c for c in cleaned.get("criteria", []) if c.area.unit_id != unit.pk]
            if foreign_criteria:
                self.add_error("criteria", _("Qualitätskriterien gibt es nur für die Fachstelle, die sie führt."))
        date, follow_up = cleaned.get("date", self.instance.date), cleaned.get("follow_up_date")
        if date and follow_up and follow_up < date:
            self.add_error("follow_up_date", _("Die Wiedervorlage darf nicht vor dem Beratungsdatum liegen."))
        if follow_up and not cleaned.get("follow_up_what", "").strip():
            self.add_error("follow_up_what", _("Bitte angeben, was bei der Wiedervorlage zu tun ist."))
        if "topics" in cleaned:
            cleaned["topics"] = [*cleaned["topics"], *self.kept_topics]
        if "advisors" in cleaned:
            cleaned["advisors"] = [*cleaned["advisors"], *self.kept_advisors]
        return cleaned
