"""The confirmation form of an erasure: the reason category (logged as its code) and the version loaded."""

from crispy_forms.helper import FormHelper
from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from casework.concurrency import ConcurrencySafeForm


class ErasureReason(models.TextChoices):
    REQUEST = "request", _("Antrag der betroffenen Person oder Organisation (Art. 17 Abs. 1)")
    END_OF_PURPOSE = "end_of_purpose", _("Zweck erfüllt: die Zusammenarbeit ist beendet")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Einwilligung widerrufen")
    UNLAWFUL = "unlawful", _("Daten hätten nicht gespeichert werden dürfen")


class ErasureForm(ConcurrencySafeForm, forms.Form):
    """Only a category: the access log keeps its code, never a free text (it could name the person)."""

    reason = forms.ChoiceField(
        label=_("Grund"),
        choices=[("", "—"), *ErasureReason.choices],
        help_text=_("Wird als Kategorie im Zugriffsprotokoll vermerkt, ohne Namen oder Inhalte."),
    )
    confirm = forms.BooleanField(
        label=_("Mir ist bewusst, dass sich das nicht rückgängig machen lässt."),
        error_messages={"required": _("Bitte bestätigen Sie, dass sich das nicht rückgängig machen lässt.")},
    )

    refusal_hint = _("Bitte prüfen Sie den aktuellen Stand und bestätigen Sie erneut.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.render_hidden_fields = True
