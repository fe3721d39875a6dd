"""Keeps a signed-in person on the second step (or on enrolment) until the second factor is done."""

import contextlib
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpResponseRedirect
from django.urls import NoReverseMatch, reverse

from casework.accounts.two_factor import policy

# Reachable in every state: signing in and out, the language switch, static files, the health check
# and the session keep-alive (which touches no records). Resolved lazily: URLconfs load after settings.
ALWAYS_OPEN = (
    "login",
    "logout",
    "set_language",
    "healthz",
    "casework:session_keepalive",
    "otp_webauthn:js-i18n-catalog",
)
# The second step: the code form, backup codes and the passkey ceremony for signing in.
VERIFY_OPEN = (
    "two_factor:verify",
    "two_factor:verify_backup",
    "otp_webauthn:credential-authentication-begin",
    "otp_webauthn:credential-authentication-complete",
)
# Setting up a first second factor. Registering a passkey is refused by django-otp-webauthn itself to
# anyone who has a device and has not used it in this session.
ENROL_OPEN = (
    "two_factor:overview",
    "two_factor:totp_enrol",
    "two_factor:backup_codes",
    "otp_webauthn:credential-registration-begin",
    "otp_webauthn:credential-registration-complete",
)


def _paths(names):
    paths = set()
    for name in names:
        with contextlib.suppress(NoReverseMatch):  # e.g. an app's URLs not in a test URLconf
            paths.add(reverse(name))
    return frozenset(paths)


class SecondFactorMiddleware:
    """Must come after AuthenticationMiddleware and django-otp's OTPMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.redirect_for(request)
        return response or self.get_response(request)

    def redirect_for(self, request):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        state = policy.state_for(request)
        if state == policy.FREE:
            return None
        path = request.path
        if path.startswith(settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL):
            return None
        if path in _paths(ALWAYS_OPEN):
            return None
        if state == policy.VERIFY:
            if path in _paths(VERIFY_OPEN):
                return None
            return HttpResponseRedirect(reverse("two_factor:verify") + "?" + urlencode({"next": _next(request)}))
        if state == policy.ENROL:
            if path in _paths(ENROL_OPEN):
                return None
            return HttpResponseRedirect(reverse("two_factor:overview"))
        return None


def _next(request):
    # Only pages worth returning to: a background POST's URL would answer 405 to the redirect's GET.
    return request.get_full_path() if request.method == "GET" else reverse(settings.LOGIN_REDIRECT_URL)


@receiver(user_logged_in, dispatch_uid="two_factor_forget_state")
def forget_state(sender, request, user, **kwargs):
    """A new sign-in starts from the devices and policy as they are now, never from an earlier session's state."""
    if request is not None and hasattr(request, "session"):
        request.session.pop(policy.SESSION_KEY, None)
