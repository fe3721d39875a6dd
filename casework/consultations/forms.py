from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Field, Layout, Row, Submit
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from casework import access
from casework.access import Action
from casework.concurrency import ConcurrencySafeForm
from casework.models import Case, Consultation, QualityCriterion, Unit
from casework.search.ordering import german
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
        partner_units = []
        if self.leads:
            self._init_lead_fields(user, unit_ids)
            # The lead may name advisors of every unit it may share with; clean() checks they fit the sharing.
            partner_units = [unit for unit in Unit.objects.all() if unit.pk not in unit_ids]
        self._init_shared_choices(unit_ids, partner_units)

        self.helper = FormHelper()
        self.helper.render_hidden_fields = True  # the loaded version or the one-time token
        # In the order of filling in: the organisation first (it gets the cursor, static/js/fields.js),
        # then what is already set but may change; rarely used fields in a collapsed "Weitere Angaben".
        lead_layout = [
            "organisation",
            Row(Column("unit", css_class="col-md-6"), Column("shared_with", css_class="col-md-6")),
            Row(
                Column("date", css_class="col-md-3"),
                Column("duration_minutes", css_class="col-md-3"),
                Column("format", css_class="col-md-3"),
                Column("initiated_by", css_class="col-md-3"),
            ),
            Row(Column("participants", css_class="col-md-3")),
        ]
        more = [
            *(["case"] if "case" in self.fields else []),
            *([Field("criteria", wrapper_class="choice-columns")] if "criteria" in self.fields else []),
            Row(Column("follow_up_date", css_class="col-md-3"), Column("follow_up_what", css_class="col-md-9")),
        ]
        self.helper.layout = Layout(
            *(lead_layout if self.leads else []),
            Field("topics", wrapper_class="choice-columns"),
            Field("advisors", wrapper_class="choice-columns"),
            "summary",
            "agreements",
            HTML(
                '<details class="mb-3 more-details" {% if form.more_open %}open{% endif %}>'
                '<summary class="mb-2">{{ form.more_label }}</summary>'
            ),
            *more,
            HTML("</details>"),
            Submit("save", _("Speichern")),
        )
        for name in ("topics", "advisors", "criteria"):
            if name in self.fields:
                # One tab stop per group, arrow keys within (static/js/checkbox_group.js).
                self.fields[name].widget.attrs["data-checkbox-group"] = ""

    MORE_FIELDS = ("case", "criteria", "follow_up_date", "follow_up_what")

    @property
    def more_label(self):
        parts = [_("Beratungsprozess")] if "case" in self.fields else []
        parts += [_("Qualitätskriterien")] if "criteria" in self.fields else []
        parts.append(_("Wiedervorlage"))
        return _("Weitere Angaben: %(parts)s") % {"parts": ", ".join(str(p) for p in parts)}

    @property
    def more_open(self):
        """Open when something in it is set (a linked case, criteria, a follow-up date) or needs fixing."""
        names = [n for n in self.MORE_FIELDS if n in self.fields]
        if self.is_bound and any(self.errors.get(n) for n in names):
            return True
        return any(self[n].value() for n in names if n != "follow_up_what")

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

    def _init_shared_choices(self, unit_ids, partner_units):
        """Topics: each unit chooses from its own catalogue (joint topics: both). Advisors: the lead from the
        people of both units, the partner from its own.

        On a joint record, what belongs to the other unit is not offered to the partner and is kept on save.
        """
        # ModelForm has loaded the current topics and advisors into `initial` already.
        current_topics = list(self.initial.get("topics", [])) if self.instance.pk else []
        own_topics = [t for t in current_topics if t.unit_id is None or t.unit_id in unit_ids]
        self.kept_topics = [t for t in current_topics if t not in own_topics]
        # The unit's own catalogue first, joint topics after it; retired topics already chosen stay.
        self.fields["topics"].queryset = access.topics_selectable_for(unit_ids, keep=own_topics).order_by(
            F("unit_id").asc(nulls_last=True), "position", "name"
        )
        advisor_unit_ids = [*unit_ids, *(unit.pk for unit in partner_units)]
        current_advisors = list(self.initial.get("advisors", [])) if self.instance.pk else []
        self.current_advisor_pks = {a.pk for a in current_advisors}
        other_units = {self.instance.unit_id, self.instance.shared_with_id} - set(advisor_unit_ids) - {None}
        others = set()
        if other_units and current_advisors:
            others = set(
                access.advisors_of(other_units).exclude(pk__in=access.advisors_of(advisor_unit_ids).values("pk"))
            )
        self.kept_advisors = [a for a in current_advisors if a in others]
        chosen = [a.pk for a in current_advisors if a not in others]
        advisors = get_user_model().objects.filter(
            Q(pk__in=access.advisors_of(advisor_unit_ids).values("pk")) | Q(pk__in=chosen)
        )
        if partner_units:
            own = access.advisors_of(unit_ids).filter(pk=OuterRef("pk"))
            advisors = advisors.annotate(is_own_unit=Exists(own))
        self.fields["advisors"].queryset = advisors.order_by(german("last_name"), german("first_name"), "username")
        self._label_partner_advisors(partner_units)
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

    def _label_partner_advisors(self, partner_units):
        """People of the other unit carry its short name, so the lead sees whom a joint consultation adds."""
        partner_names = ", ".join(unit.short_name for unit in partner_units)

        def label(person):
            name = person_label(person)
            return name if getattr(person, "is_own_unit", True) else f"{name} ({partner_names})"

        self.fields["advisors"].label_from_instance = label

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

    def _check_advisor_units(self, advisors, unit_ids):
        """Advisors of the other unit belong on a consultation shared with it (already named ones may stay)."""
        allowed = set(access.advisors_of([pk for pk in unit_ids if pk]).values_list("pk", flat=True))
        outside = [a for a in advisors if a.pk not in allowed | self.current_advisor_pks]
        if outside:
            self.add_error(
                "advisors",
                _(
                    "Berater*innen der anderen Fachstelle können nur bei einer gemeinsamen Beratung mit ihr "
                    "eingetragen werden: %(names)s"
                )
                % {"names": ", ".join(person_label(a) for a in outside)},
            )

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

    def clean_participants(self):
        participants = self.cleaned_data["participants"]
        if participants is not None and participants < 1:
            raise forms.ValidationError(_("An einer Beratung nimmt mindestens eine Person teil."))
        return participants

    def clean(self):
        cleaned = super().clean()
        unit = cleaned.get("unit")
        shared_with = cleaned.get("shared_with")
        if unit and shared_with and unit == shared_with:
            self.add_error("shared_with", _("Eine Beratung kann nur mit der anderen Fachstelle geteilt werden."))
        if self.leads and unit:
            self._check_advisor_units(cleaned.get("advisors", []), [unit.pk, getattr(shared_with, "pk", None)])
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
