import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row, Submit
from django import forms
from django.db.models import F
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework import access
from casework.access import Action
from casework.concurrency import ConcurrencySafeForm
from casework.models import Event, Unit
from casework.ui.fields import BoundedDateField, OrganisationMultipleChoiceField, TopicChoiceField, model_formfield
from organisations.labels import organisation_label
from organisations.models import Region

# Events are planned ahead, but not years ahead: a typo like 2062 is caught.
MAX_YEARS_AHEAD = 2


class PickerSelectMultiple(forms.SelectMultiple):
    """A multi-select that renders only the chosen options; picker.js loads the rest on demand."""

    def __init__(self, url, *, placeholder="", attrs=None):
        attrs = {"data-picker-url": url, "data-picker-placeholder": placeholder, **(attrs or {})}
        super().__init__(attrs=attrs)


class EventForm(ConcurrencySafeForm, forms.ModelForm):
    """Record or edit an event. Choices are limited to what the person may use."""

    date = BoundedDateField(
        label=_("Datum"), error_messages={"too_early": _("Das Kompetenzzentrum gibt es erst seit 2017.")}
    )
    topics = TopicChoiceField(queryset=None, label=_("Themen"), required=False, widget=forms.CheckboxSelectMultiple)
    organisations = OrganisationMultipleChoiceField(
        queryset=None,
        label=_("teilnehmende Organisationen"),
        required=False,
        widget=PickerSelectMultiple(reverse_lazy("organisations:picker"), placeholder=_("Organisation suchen …")),
        help_text=_("Mehrere Organisationen nacheinander suchen und auswählen."),
    )

    class Meta:
        model = Event
        fields = [
            "unit",
            "is_joint",
            "title",
            "kind",
            "date",
            "status",
            "format",
            "place",
            "region",
            "teaching_units",
            "participants",
            "topics",
            "organisations",
        ]
        formfield_callback = model_formfield

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk:
            # The lead unit is fixed once recorded; whether the event is joint, the lead unit decides.
            unit_ids = {self.instance.unit_id}
            self.fields["unit"].disabled = True
            if self.instance.unit_id not in access.unit_ids_for(user, Action.CHANGE):
                self.fields["is_joint"].disabled = True
        else:
            unit_ids = set(access.unit_ids_for(user, Action.CHANGE))
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=unit_ids)
        self.fields["unit"].empty_label = None

        chosen_topics = self.initial.get("topics", []) if self.instance.pk else []
        # Joint events may carry either unit's topics: offer the catalogues of all units the person works in.
        topic_unit_ids = unit_ids | set(access.unit_ids_for(user, Action.CHANGE))
        self.fields["topics"].queryset = (
            access.topics_selectable_for(topic_unit_ids, keep=chosen_topics)
            .select_related("unit")
            .order_by(F("unit_id").asc(nulls_last=True), "position", "name")
        )
        self.fields["topics"].label_from_instance = self._topic_label(len(topic_unit_ids) > 1)

        # Kreise valid today, plus the one the event was recorded with (it may have been dissolved since).
        current_region = self.instance.region_id if self.instance.pk else None
        self.fields["region"].queryset = Region.objects.valid_on(timezone.localdate()) | Region.objects.filter(
            pk=current_region
        )
        self.fields["region"].empty_label = _("– bei Online-Veranstaltungen leer –")
        self.fields["status"].help_text = _(
            "Nur durchgeführte Veranstaltungen zählen im Dashboard und im Bericht für den Fördergeber."
        )

        self.visible_organisations = access.organisations_visible_to(user)
        self.fields["organisations"].queryset = self.visible_organisations.select_related("region")
        self.fields["organisations"].widget.choices = [
            (o.pk, organisation_label(o)) for o in self._selected_organisations()
        ]

        self.helper = FormHelper()
        self.helper.render_hidden_fields = True  # version or one-time token (casework/concurrency.py)
        self.helper.layout = Layout(
            Row(Column("unit", css_class="col-md-6"), Column("is_joint", css_class="col-md-6 pt-md-4")),
            "title",
            Row(
                Column("kind", css_class="col-md-4"),
                Column("date", css_class="col-md-4"),
                Column("status", css_class="col-md-4"),
            ),
            Row(
                Column("format", css_class="col-md-4"),
                Column("place", css_class="col-md-4"),
                Column("region", css_class="col-md-4"),
            ),
            Row(
                Column("teaching_units", css_class="col-md-6"),
                Column("participants", css_class="col-md-6"),
            ),
            Field("topics", wrapper_class="choice-columns"),
            "organisations",
            Submit("save", _("Speichern")),
        )

    @staticmethod
    def _topic_label(with_unit):
        def label(topic):
            if topic.unit_id is None:
                return "{} ({})".format(topic.name, _("gemeinsam"))
            return f"{topic.name} ({topic.unit.short_name})" if with_unit else topic.name

        return label

    def _selected_organisations(self):
        """The chosen organisations the person may see: only they are rendered as options."""
        if self.is_bound:
            pks = [access.parse_pk(raw) for raw in self.data.getlist(self.add_prefix("organisations"))]
            pks = [pk for pk in pks if pk]
            if not pks:
                return []
            return self.fields["organisations"].queryset.filter(pk__in=pks)
        if self.instance.pk:
            return self.fields["organisations"].queryset.filter(events=self.instance)
        return []

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date.year < 2017:
            raise forms.ValidationError(_("Das Kompetenzzentrum gibt es erst seit 2017."))
        today = timezone.localdate()
        latest = datetime.date(today.year + MAX_YEARS_AHEAD, 12, 31)
        if date > latest:
            raise forms.ValidationError(
                _("Das Datum liegt zu weit in der Zukunft (spätestens %(date)s).") % {"date": f"{latest:%d.%m.%Y}"}
            )
        return date

    def clean_place(self):
        return " ".join(self.cleaned_data["place"].split())

    def clean(self):
        cleaned = super().clean()
        self._clean_status(cleaned)
        self._clean_place(cleaned)
        unit = cleaned.get("unit")
        if unit and not cleaned.get("is_joint"):
            foreign = [t.name for t in cleaned.get("topics", []) if t.unit_id not in (None, unit.pk)]
            if foreign:
                self.add_error(
                    "topics",
                    _(
                        "Diese Themen gehören nicht zum Katalog der gewählten Fachstelle: %(topics)s. "
                        "Themen beider Fachstellen gibt es nur bei gemeinsamen Veranstaltungen."
                    )
                    % {"topics": ", ".join(foreign)},
                )
        return cleaned

    def _clean_status(self, cleaned):
        date, status = cleaned.get("date"), cleaned.get("status")
        if date and status == Event.Status.HELD and date > timezone.localdate():
            self.add_error(
                "status",
                _(
                    "Eine Veranstaltung in der Zukunft kann noch nicht durchgeführt sein. "
                    "Bitte „geplant“ wählen oder das Datum korrigieren."
                ),
            )

    def _clean_place(self, cleaned):
        """In person and hybrid: place and Kreis required, the Kreis as it was on the event's date.
        Online: neither (what was entered before the format changed is dropped)."""
        fmt = cleaned.get("format")
        if fmt == Event.Format.ONLINE:
            cleaned["place"], cleaned["region"] = "", None
            return
        if not fmt:
            return
        if not cleaned.get("place") and "place" not in self.errors:
            self.add_error("place", _("Bitte den Ort angeben (bei Präsenz- und Hybridveranstaltungen erforderlich)."))
        region, date = cleaned.get("region"), cleaned.get("date")
        if region is None:
            if "region" not in self.errors:
                self.add_error(
                    "region", _("Bitte den Kreis angeben (bei Präsenz- und Hybridveranstaltungen erforderlich).")
                )
        elif date:
            # Regions change (Hanau left the Main-Kinzig-Kreis in 2026): keep the Kreis of the event's date.
            cleaned["region"] = region.on(date)

    def organisations_to_save(self):
        """The chosen organisations plus those of the event the person cannot see (kept unchanged).

        A joint event can list organisations of the other unit; editing it must not drop them.
        """
        chosen = list(self.cleaned_data["organisations"])
        if not self.instance.pk:
            return chosen
        hidden = self.instance.organisations.exclude(pk__in=self.visible_organisations.values("pk"))
        return chosen + list(hidden)
