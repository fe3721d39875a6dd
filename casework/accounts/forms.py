"""Signing in: Django's form with a German message that says what to check; the person's own settings."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from casework.models import NotificationSettings


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Benutzername oder Passwort ist falsch. Bitte auch auf Groß- und Kleinschreibung achten."),
    }


class NotificationSettingsForm(forms.ModelForm):
    class Meta:
        model = NotificationSettings
        fields = ["daily_digest", "report_ready"]
