"""Signing in: Django's form with a German message that says what to check."""

from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Benutzername oder Passwort ist falsch. Bitte auch auf Groß- und Kleinschreibung achten."),
    }
