"""casework.ui.widgets.render_select and render_input build the same markup as Django's widget templates, faster."""

import datetime
import re

import pytest
from django import forms

from casework.ui.widgets import DatePicker, PickerSelect, render_input, render_select


class ChoiceForm(forms.Form):
    single = forms.ChoiceField(choices=[("", "---------"), ("1", "Ärzte & <Co>"), ("2", 'Verein "Şahin"')])
    several = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B"), ("c", "C")], required=False)
    picked = forms.ChoiceField(choices=[("", "---------"), ("5", "Çiğdem e.V.")], widget=PickerSelect("/auswahl/"))
    grouped = forms.ChoiceField(choices=[("Gruppe", [("x", "X")])], required=False)


def _card_attrs(field, css_class):
    """The attributes the filter card passes (casework/ui/filters.py), with the error ones where invalid."""
    attrs = {"class": css_class}
    if field.errors:
        attrs |= {"aria-invalid": "true", "aria-describedby": f"{field.auto_id}_error"}
    return attrs


def _normalised(html):
    return re.sub(r">\s+<", "><", str(html).strip())


@pytest.mark.parametrize(
    ("data", "name"),
    [
        ({}, "single"),
        ({"single": "2"}, "single"),
        ({"single": "9"}, "single"),  # invalid choice: shown with its error attributes
        ({"several": ["a", "c"]}, "several"),
        ({"picked": "5"}, "picked"),
    ],
)
def test_same_markup_as_django(data, name):
    form = ChoiceForm(data or None)
    form.is_valid()
    field = form[name]
    attrs = _card_attrs(field, "form-select")
    assert _normalised(render_select(field, attrs)) == _normalised(field.as_widget(attrs=attrs))


def test_labels_and_values_are_escaped():
    html = str(render_select(ChoiceForm()["single"], {}))
    assert "Ärzte &amp; &lt;Co&gt;" in html
    assert "Verein &quot;Şahin&quot;" in html
    assert "<Co>" not in html


def test_grouped_choices_are_left_to_django():
    assert render_select(ChoiceForm()["grouped"], {}) is None


class InputForm(forms.Form):
    text = forms.CharField(max_length=20, required=False)
    needed = forms.CharField(help_text="Pflichtfeld")
    day = forms.DateField(widget=DatePicker(), required=False)
    number = forms.IntegerField(min_value=1, required=False)


@pytest.mark.parametrize(
    ("data", "initial", "name"),
    [
        ({}, {}, "text"),
        ({"text": 'Şahin & "Söhne" <e.V.>'}, {}, "text"),
        ({"text": "x" * 30}, {}, "text"),  # too long: shown with its error attributes
        ({}, {}, "needed"),
        ({}, {"day": datetime.date(2026, 3, 2)}, "day"),
        ({"day": "2026-13-40"}, {}, "day"),
        ({"number": "0"}, {}, "number"),
    ],
)
def test_inputs_have_the_same_markup_as_django(data, initial, name):
    form = InputForm(data or None, initial=initial)
    form.is_valid()
    field = form[name]
    attrs = _card_attrs(field, "form-control")
    assert _normalised(render_input(field, attrs)) == _normalised(field.as_widget(attrs=attrs))
