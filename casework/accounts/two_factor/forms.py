"""Forms of the second factor: a code, a backup code, the password before removing a device."""

from django import forms
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code aus der Authenticator-App"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "spellcheck": "false"}
        ),
        help_text=_("Sechs Ziffern; die App zeigt alle 30 Sekunden einen neuen Code."),
    )

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isascii() and code.isdigit() and len(code) == 6):
            raise forms.ValidationError(_("Bitte die sechs Ziffern aus der App eingeben."))
        return code


class BackupCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Backup-Code"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True, "spellcheck": "false"}),
        help_text=_("Einer der zehn Codes, die Sie beim Einrichten notiert haben. Jeder Code gilt nur einmal."),
    )


class PasswordConfirmForm(forms.Form):
    """The password once more before a second factor is removed (a left-open session is not enough).

    Checked through authenticate(), so django-axes counts wrong passwords here as at the sign-in.
    """

    password = forms.CharField(
        label=_("Ihr Passwort"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_password(self):
        password = self.cleaned_data["password"]
        user = self.request.user
        checked = authenticate(self.request, username=user.get_username(), password=password)
        if checked is None or checked.pk != user.pk:
            raise forms.ValidationError(_("Das Passwort ist falsch."))
        return password
