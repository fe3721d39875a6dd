"""Forms of the quality profiles: the catalogue of areas and criteria, and the Standortbestimmung."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.concurrency import ConcurrencySafeForm
from casework.models import AssessmentRating, QualityArea, QualityCriterion, Unit
from casework.ui.fields import BoundedDateField, model_formfield

RATING_CHOICES = AssessmentRating.Rating.choices
RATING_REQUIRED = _("Bitte dieses Kriterium bewerten.")


class QualityAreaForm(ConcurrencySafeForm, forms.ModelForm):
    class Meta:
        model = QualityArea
        fields = ["unit", "name", "position"]
        formfield_callback = model_formfield
        help_texts = {"position": _("Bereiche mit kleinerer Zahl stehen weiter oben.")}

    def __init__(self, *args, unit_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=unit_ids)
        self.fields["unit"].empty_label = None
        if self.instance.pk:
            self.fields["unit"].disabled = True
        self.helper = FormHelper()
        self.helper.render_hidden_fields = True  # version or one-time token (casework/concurrency.py)
        self.helper.layout = Layout(
            Row(Column("unit", css_class="col-md-4"), Column("position", css_class="col-md-2")),
            "name",
            Submit("save", _("Speichern")),
        )

    def clean(self):
        cleaned = super().clean()
        unit, name = cleaned.get("unit"), (cleaned.get("name") or "").strip()
        if unit and name:
            taken = QualityArea.objects.filter(unit=unit, name__iexact=name).exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error("name", _("Diesen Bereich gibt es in der Fachstelle schon."))
        return cleaned


class QualityCriterionForm(ConcurrencySafeForm, forms.ModelForm):
    class Meta:
        model = QualityCriterion
        fields = ["area", "text", "position"]
        formfield_callback = model_formfield
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"position": _("Kriterien mit kleinerer Zahl stehen im Bereich weiter oben.")}

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        # Criteria can move between the active areas of their unit (or stay in a retired one).
        keep = self.instance.area_id if self.instance.pk else None
        self.fields["area"].queryset = QualityArea.objects.filter(unit=unit).filter(
            retired_at__isnull=True
        ) | QualityArea.objects.filter(pk=keep)
        self.fields["area"].empty_label = None
        self.helper = FormHelper()
        self.helper.render_hidden_fields = True  # version or one-time token (casework/concurrency.py)
        self.helper.layout = Layout(
            Row(Column("area", css_class="col-md-6"), Column("position", css_class="col-md-2")),
            "text",
            Submit("save", _("Speichern")),
        )

    def clean_text(self):
        return self.cleaned_data["text"].strip()


class AssessmentForm(ConcurrencySafeForm, forms.Form):
    """Date, overall note and one rating (with an optional note) per criterion; every criterion must be rated."""

    date = BoundedDateField(
        label=_("Datum"),
        error_messages={
            "too_early": _("Das Kompetenzzentrum arbeitet erst seit 2017."),
            "too_late": _("Eine Standortbestimmung kann nicht in der Zukunft liegen."),
        },
    )
    note = forms.CharField(
        label=_("Anmerkung"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Gesamteindruck, Vereinbarungen, nächste Schritte."),
    )

    def __init__(self, *args, criteria, assessment=None, earlier_ratings=(), **kwargs):
        """`earlier_ratings` (AssessmentRating of the project's latest earlier assessment) pre-fill a new one,
        so only what changed needs a click; an edit starts from its own ratings instead."""
        if assessment is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(assessment)
        self.prefilled_from = None
        if assessment is None and earlier_ratings:
            kwargs["initial"] = {
                **{f"rating_{r.criterion_id}": r.rating for r in earlier_ratings},
                **kwargs.get("initial", {}),
            }
            self.prefilled_from = earlier_ratings[0].assessment
        super().__init__(*args, record=assessment, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            # One radio group per criterion (a table row): arrow keys move between its ratings.
            self.fields[self.rating_name(criterion)] = forms.ChoiceField(
                label=criterion.text,
                choices=RATING_CHOICES,
                widget=forms.RadioSelect(attrs={"aria-describedby": f"criterion-{criterion.pk}"}),
                error_messages={"required": RATING_REQUIRED},
            )
            self.fields[self.note_name(criterion)] = forms.CharField(
                label=_("Notiz"),
                required=False,
                max_length=500,
                widget=forms.TextInput(attrs={"class": "form-control", "placeholder": _("Notiz (optional)")}),
            )

    @staticmethod
    def rating_name(criterion):
        return f"rating_{criterion.pk}"

    @staticmethod
    def note_name(criterion):
        return f"note_{criterion.pk}"

    @classmethod
    def initial_from(cls, assessment):
        initial = {"date": assessment.date, "note": assessment.note}
        for rating in assessment.ratings.all():
            initial[f"rating_{rating.criterion_id}"] = rating.rating
            initial[f"note_{rating.criterion_id}"] = rating.note
        return initial

    rating_choices = RATING_CHOICES

    def groups(self):
        """[(area, [(criterion, rating field, note field)])] in catalogue order, for the template."""
        groups = []
        for criterion in self.criteria:
            if not groups or groups[-1][0].pk != criterion.area_id:
                groups.append((criterion.area, []))
            groups[-1][1].append((criterion, self[self.rating_name(criterion)], self[self.note_name(criterion)]))
        return groups

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("Eine Standortbestimmung kann nicht in der Zukunft liegen."))
        if date.year < 2017:
            raise forms.ValidationError(_("Das Kompetenzzentrum arbeitet erst seit 2017."))
        return date

    def clean(self):
        cleaned = super().clean()
        if not self.criteria:
            raise forms.ValidationError(_("Für diese Fachstelle sind keine Qualitätskriterien hinterlegt."))
        missing = [c for c in self.criteria if not self.data.get(self.add_prefix(self.rating_name(c)))]
        if missing:
            raise forms.ValidationError(
                _("Bitte alle Kriterien bewerten – es fehlen noch %(count)d.") % {"count": len(missing)}
            )
        return cleaned

    def ratings(self) -> dict:
        """criterion → (rating, note) from the cleaned data."""
        return {
            criterion: (
                self.cleaned_data[self.rating_name(criterion)],
                self.cleaned_data[self.note_name(criterion)].strip(),
            )
            for criterion in self.criteria
        }
