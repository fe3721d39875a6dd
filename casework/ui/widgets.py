from django import forms
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe


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


def render_select(bound_field, attrs):
    """A select's HTML built in Python: Django renders each option through a template include,
    which cost ~2.5 ms of a ~20 ms list page for the filter card's few hundred options.

    The same markup as Django's widget templates (name, id, attributes, `selected`, `multiple`);
    None where the choices are grouped (optgroups), which the caller then renders the usual way.
    """
    widget = bound_field.field.widget
    choices = list(widget.choices)
    if any(isinstance(label, (list, tuple)) for _value, label in choices):
        return None
    final = _final_attrs(bound_field, attrs)
    if widget.allow_multiple_selected:
        final["multiple"] = True
    chosen = set(widget.format_value(bound_field.value()))
    # One f-string per option (format_html per option cost twice as much); every value and label escaped.
    options = mark_safe(  # noqa: S308 – built from escaped parts only
        "\n".join(
            f'  <option value="{conditional_escape(value)}"{" selected" if str(value) in chosen else ""}>'
            f"{conditional_escape(label)}</option>"
            for value, label in choices
        )
    )
    return format_html('<select name="{}"{}>\n{}\n</select>', bound_field.html_name, _attributes(final), options)


def render_input(bound_field, attrs):
    """A plain <input> (text, date, number …) built in Python, as Django's input.html renders it:
    the filter card's three inputs took ~1 ms of a list page through the widget templates."""
    widget = bound_field.field.widget
    final = _final_attrs(bound_field, attrs)
    value = widget.format_value(bound_field.value())
    shown = format_html(' value="{}"', value) if value is not None else ""
    return format_html(
        '<input type="{}" name="{}"{}{}>', widget.input_type, bound_field.html_name, shown, _attributes(final)
    )


def _final_attrs(bound_field, attrs):
    """The widget's attributes as BoundField.as_widget passes them to its template (id included)."""
    widget = bound_field.field.widget
    final = widget.build_attrs(widget.attrs, bound_field.build_widget_attrs(attrs, widget))
    if bound_field.auto_id and "id" not in widget.attrs:
        final.setdefault("id", bound_field.auto_id)
    return final


def _attributes(attrs):
    """Like django/forms/widgets/attrs.html: in the given order, True as a bare name, False and None left out."""
    shown = [(name, value) for name, value in attrs.items() if value is not False and value is not None]
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in shown
        ),
    )
