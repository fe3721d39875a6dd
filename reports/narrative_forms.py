"""Forms of the Sachbericht: the narrative sections, taking texts over, the title page and its logos."""

from django import forms
from django.utils.translation import gettext_lazy as _

from casework.concurrency import ConcurrencySafeForm
from reports import narrative


class NarrativeForm(ConcurrencySafeForm, forms.Form):
    """One plain-text field per section of the outline; carries the draft's loaded version."""

    refusal_hint = _(
        "Ihre Texte stehen unten noch im Formular – bitte prüfen und erneut speichern, "
        "dann ersetzen sie den anderen Stand."
    )

    def __init__(self, *args, draft, **kwargs):
        super().__init__(*args, record=narrative.DraftVersionCheck(draft), **kwargs)
        for section in narrative.OUTLINE:
            self.fields[section.key] = forms.CharField(
                label=section.title,
                help_text=section.hint,
                required=False,
                strip=False,
                max_length=narrative.MAX_SECTION_CHARS,
                initial=draft.texts.get(section.key, ""),
                widget=forms.Textarea(attrs={"rows": 7, "data-narrative-section": section.key}),
            )


class TakeOverForm(ConcurrencySafeForm, forms.Form):
    """Copy the previous period's texts: into empty sections, or into all after ticking the box."""

    refusal_hint = _("Bitte den aktuellen Stand prüfen und dann erneut versuchen.")

    overwrite = forms.BooleanField(label=_("Auch bereits ausgefüllte Abschnitte ersetzen"), required=False)

    def __init__(self, *args, draft, **kwargs):
        super().__init__(*args, record=narrative.DraftVersionCheck(draft), **kwargs)


class TitlePageForm(ConcurrencySafeForm, forms.Form):
    """The funding notice and the Aktenzeichen of each unit (administrators)."""

    funding_notice = forms.CharField(
        label=_("Förderhinweis"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Steht unten auf der Titelseite jedes Sachberichts, unter den Logos."),
    )

    def __init__(self, *args, settings_row, units, references, **kwargs):
        super().__init__(*args, record=settings_row, **kwargs)
        self.fields["funding_notice"].initial = settings_row.funding_notice
        self.units = list(units)
        for unit in self.units:
            self.fields[f"reference_{unit.pk}"] = forms.CharField(
                label=_("Aktenzeichen des Zuwendungsbescheids: %(unit)s") % {"unit": unit.short_name},
                max_length=100,
                required=False,
                initial=references.get(unit.pk, ""),
            )

    def references(self) -> dict:
        return {unit.pk: self.cleaned_data.get(f"reference_{unit.pk}", "").strip() for unit in self.units}


class LogoForm(forms.Form):
    """A logo for the title page: PNG or JPEG, at most 2 MB."""

    name = forms.CharField(label=_("Bezeichnung"), max_length=100, help_text=_("z. B. „Ministerium“ oder „beramí“"))
    image = forms.FileField(
        label=_("Bilddatei (PNG oder JPEG, höchstens 2 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )

    def clean_image(self):
        return narrative.read_logo(self.cleaned_data["image"])
