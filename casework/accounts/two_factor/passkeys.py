"""Passkeys (WebAuthn) through django-otp-webauthn's views, with access-log entries and a new session key.

The URL names stay in the library's namespace "otp_webauthn": its template tags and JavaScript
(served from our static files, no CDN) reverse them. Signing in with a passkey alone is off
(OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN): a passkey is only ever the second step after the password.
"""

import json

from django.urls import path
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import views as webauthn
from django_otp_webauthn.models import WebAuthnCredential

from casework.accounts.two_factor import policy, services


def _log_failure(request, detail):
    # Without a signed-in person the library refuses before any ceremony: nobody to log.
    if request.user.is_authenticated:
        services.log(request, detail)


class RegistrationBegin(webauthn.BeginCredentialRegistrationView):
    pass


class RegistrationComplete(webauthn.CompleteCredentialRegistrationView):
    def post(self, *args, **kwargs):
        was_verified = self.request.user.is_verified()
        response = super().post(*args, **kwargs)
        device = WebAuthnCredential.objects.filter(pk=json.loads(response.content)["id"]).first()
        if device is not None:
            services.log(self.request, "enrolled", device)
            if not was_verified:
                services.mark_verified(self.request, device)
            policy.refresh(self.request)
        return response

    def handle_exception(self, exc):
        _log_failure(self.request, "enrol_failed")
        return super().handle_exception(exc)


class AuthenticationBegin(webauthn.BeginCredentialAuthenticationView):
    pass


class AuthenticationComplete(webauthn.CompleteCredentialAuthenticationView):
    def complete_auth(self, device):
        super().complete_auth(device)
        services.log(self.request, "ok_passkey", device)
        services.mark_verified(self.request, device)

    def handle_exception(self, exc):
        _log_failure(self.request, "failed_passkey")
        return super().handle_exception(exc)


urlpatterns = [
    path("registrierung/beginnen/", RegistrationBegin.as_view(), name="credential-registration-begin"),
    path("registrierung/abschliessen/", RegistrationComplete.as_view(), name="credential-registration-complete"),
    path("pruefung/beginnen/", AuthenticationBegin.as_view(), name="credential-authentication-begin"),
    path("pruefung/abschliessen/", AuthenticationComplete.as_view(), name="credential-authentication-complete"),
    path("texte.js", JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]), name="js-i18n-catalog"),
]
