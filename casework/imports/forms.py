"""Forms of the import screens: the upload, the column mapping, the catalogue values."""

from pathlib import PurePath

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casework.imports import reading
from casework.imports.kinds import KINDS
from casework.imports.mapping import missing_required
from casework.models import Unit

ALLOWED_SUFFIXES = {".xlsx", ".csv"}
NOT_MAPPED = ""
MAPPING_NAME_MAX = 100
MAX_OTHER_OPTIONS = 300  # beyond this a drop-down helps no one


def kind_choices():
    return [(kind.key, kind.label) for kind in KINDS.values()]


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Was wird eingelesen?"), widget=forms.RadioSelect)
    unit = forms.ModelChoiceField(label=gettext_lazy("Fachstelle"), queryset=None, empty_label=None)
    file = forms.FileField(
        label=gettext_lazy("Datei"),
        help_text=gettext_lazy("Excel (.xlsx) oder CSV; die erste Zeile enthält die Spaltenüberschriften."),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kind_choices()
        self.units = units
        if len(units) == 1:  # not asked: a coordinator imports into their unit
            del self.fields["unit"]
        else:
            self.fields["unit"].queryset = Unit.objects.filter(pk__in=[unit.pk for unit in units])

    def clean(self):
        cleaned = super().clean()
        if "unit" not in self.fields:
            cleaned["unit"] = self.units[0]
        return cleaned

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # Checked before anything is read: the size is known from the request.
        if upload.size > reading.MAX_BYTES:
            raise forms.ValidationError(
                _("Die Datei ist zu groß (%(size)s); erlaubt sind höchstens %(max)s.")
                % {"size": filesizeformat(upload.size), "max": filesizeformat(reading.MAX_BYTES)}
            )
        if PurePath(upload.name or "").suffix.lower() not in ALLOWED_SUFFIXES:
            raise forms.ValidationError(_("Bitte eine Excel-Datei (.xlsx) oder eine CSV-Datei hochladen."))
        return upload


class ColumnMappingForm(forms.Form):
    """One select per column of the file: which field it fills (or none)."""

    save_as = forms.CharField(
        label=gettext_lazy("Zuordnung speichern als"),
        required=False,
        max_length=MAPPING_NAME_MAX,
        help_text=gettext_lazy("Optional: unter diesem Namen für die nächste Datei wiederverwenden."),
    )

    def __init__(self, *args, kind, headers, initial_mapping, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.headers = headers
        choices = [(NOT_MAPPED, _("– nicht übernehmen –"))] + [
            (field.key, f"{field.label} *" if field.required else field.label) for field in kind.fields
        ]
        for index, header in enumerate(headers):
            self.fields[self.column_name(index)] = forms.ChoiceField(
                label=header or _("Spalte %(number)d") % {"number": index + 1},
                choices=choices,
                required=False,
                initial=initial_mapping.get(index) or NOT_MAPPED,
            )

    @staticmethod
    def column_name(index: int) -> str:
        return f"column_{index}"

    def column_fields(self):
        return [self[self.column_name(index)] for index in range(len(self.headers))]

    def mapping(self) -> dict[int, str | None]:
        return {index: self.cleaned_data.get(self.column_name(index)) or None for index in range(len(self.headers))}

    def clean(self):
        cleaned = super().clean()
        mapping = self.mapping()
        labels = {field.key: field.label for field in self.kind.fields}
        seen = {}
        for index, key in mapping.items():
            if key is None:
                continue
            if key in seen:
                self.add_error(
                    self.column_name(index),
                    _("„%(field)s“ ist schon der Spalte „%(column)s“ zugeordnet.")
                    % {"field": labels[key], "column": self.headers[seen[key]]},
                )
            seen.setdefault(key, index)
        missing = missing_required(self.kind, mapping)
        if missing:
            raise forms.ValidationError(
                _("Diese Pflichtfelder sind keiner Spalte zugeordnet: %(fields)s.")
                % {"fields": ", ".join(str(field.label) for field in missing)}
            )
        return cleaned


class SavedMappingForm(forms.Form):
    saved = forms.ModelChoiceField(label=gettext_lazy("Gespeicherte Zuordnung"), queryset=None, empty_label=None)

    def __init__(self, *args, mappings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["saved"].queryset = mappings


class ValueMappingForm(forms.Form):
    """For each catalogue value that matches nothing: which entry it means, once for the whole file."""

    def __init__(self, *args, unmatched, field_labels, options, initial_map, **kwargs):
        """`options`: field key → every (pk, label) a value of it may mean (pk int for records, str for choices)."""
        super().__init__(*args, **kwargs)
        self.unmatched = unmatched
        self.pks = {}  # form field name → {choice value: catalogue pk}
        for index, item in enumerate(unmatched):
            name = f"value_{index}"
            suggested = [(pk, label) for pk, label in item.suggestions]
            suggested_pks = {pk for pk, _label in suggested}
            others = [(pk, label) for pk, label in options.get(item.field, []) if pk not in suggested_pks]
            too_many = len(others) > MAX_OTHER_OPTIONS  # e.g. thousands of organisations: suggestions only
            if too_many:
                others = []
            choices = [(NOT_MAPPED, _("– keine Zuordnung (die Zeilen zeigen einen Fehler) –"))]
            if suggested:
                choices.append((_("Vorschläge"), [(str(pk), label) for pk, label in suggested]))
            if others:
                choices.append((_("Alle Einträge"), [(str(pk), label) for pk, label in others]))
            self.pks[name] = {str(pk): pk for pk, _label in suggested + others}
            chosen = initial_map.get(item.field, {}).get(item.key)
            initial = str(chosen) if chosen is not None else (str(suggested[0][0]) if suggested else NOT_MAPPED)
            field = forms.ChoiceField(
                label=item.value,
                choices=choices,
                required=False,
                initial=initial,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
            field.import_field = field_labels.get(item.field, item.field)
            field.count = item.count
            field.suggestion = suggested[0][1] if suggested else None
            field.suggestions_only = too_many
            self.fields[name] = field

    def merged_into(self, value_map: dict) -> dict[str, dict]:
        """`value_map` (field key → {normalised value: pk}) with this form's choices: a chosen entry is set,
        "keine Zuordnung" removes the value; values not on the form are kept."""
        result = {field: dict(values) for field, values in value_map.items()}
        for index, item in enumerate(self.unmatched):
            name = f"value_{index}"
            chosen = self.cleaned_data.get(name)
            if chosen:
                result.setdefault(item.field, {})[item.key] = self.pks[name][chosen]
            else:
                result.get(item.field, {}).pop(item.key, None)
        return {field: values for field, values in result.items() if values}
