from django import forms


class PickerSelect(forms.Select):
    """A select that renders only its chosen option; picker.js loads the rest on demand.

    Listing every organisation would send thousands of options with each form.
    The form sets `choices` to the current selection; the field's queryset still validates.
    """

    def __init__(self, url, *, placeholder="", attrs=None):
        attrs = {"data-picker-url": url, "data-picker-placeholder": placeholder, **(attrs or {})}
        super().__init__(attrs=attrs)


def limit_picker_choices(field, selected):
    """Show only `selected` (a model instance or None) in a PickerSelect field."""
    choices = [("", "---------")]
    if selected is not None:
        choices.append((selected.pk, field.label_from_instance(selected)))
    field.widget.choices = choices


class DatePicker(forms.DateInput):
    """The browser's date picker; it exchanges ISO dates whatever the interface language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")
