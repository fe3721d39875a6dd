"""Every text field of the casework is either a free text that erasure empties, or listed as not personal.

A new CharField/TextField without a place in casework/privacy/erasure.py fails here, so erasure,
the deletion periods and the history of deleted records cannot forget it.
"""

from django.apps import apps
from django.db import models

from casework.privacy import erasure
from organisations.models import ContactPerson, Organisation

APPS = ("casework", "organisations", "reports")


def _text_fields(model):
    return {
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField) and not field.choices
    }


def _models():
    for model in apps.get_models():
        if model._meta.app_label in APPS and not hasattr(model, "history_id"):
            yield model


def test_every_text_field_is_classified():
    assert _unlisted() == [], "Freitextfelder ohne Regel in casework/privacy/erasure.py"


def test_an_unlisted_text_field_is_reported(monkeypatch):
    monkeypatch.setitem(erasure.NOT_PERSONAL, "casework.Topic", set())
    assert _unlisted() == ["casework.Topic.name"]


def _unlisted():
    unlisted = []
    for model in _models():
        covered = set(erasure.NOT_PERSONAL.get(model._meta.label, ()))
        covered |= set(erasure.FREE_TEXT.get(model, ()))
        if model is Organisation:
            covered |= {"name", *erasure.ORGANISATION_PERSONAL}
        if model is ContactPerson:
            covered |= set(erasure.CONTACT_PERSON_FIELDS)
        unlisted += [f"{model._meta.label}.{name}" for name in sorted(_text_fields(model) - covered)]
    return unlisted


def test_lists_name_only_existing_fields():
    for label, names in erasure.NOT_PERSONAL.items():
        model = apps.get_model(label)
        assert set(names) <= {field.name for field in model._meta.concrete_fields}, label
    for model, values in erasure.FREE_TEXT.items():
        assert set(values) <= _text_fields(model), model
    assert set(erasure.ORGANISATION_PERSONAL) <= {field.name for field in Organisation._meta.concrete_fields}


def test_every_free_text_model_keeps_history():
    # The history of deleted and anonymised records is cleaned through the historical model.
    for model in [*erasure.FREE_TEXT, Organisation]:
        assert hasattr(model, "history"), model
