"""Permission-matrix rows for the second factor (see tests/matrix/__init__.py).

Every signed-in person manages only their own second factors, so there is no record and no target;
the matrix's people have none. Who is sent where before the second step, and that nobody can
remove another person's device, is tested in tests/casework/accounts/test_two_factor.py.
"""

from tests.matrix import EVERYONE, LOGIN, row

# The people have no second factor: nothing to check, so the second step sends them on.
SENT_ON = row(LOGIN, 302, 302, 302, 302, 302)
# django-otp-webauthn's ceremony endpoints answer POST only (JSON); a person who is not signed in gets
# its JSON 403 first (no passkey sign-in without the password: OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN).
POST_ONLY = row(403, 405, 405, 405, 405, 405)


def device_kwargs(_pk):
    # No person in the matrix has a device: any id is someone else's or nobody's.
    return {"kind": "app", "pk": 1}


ROWS = {
    "two_factor:overview": (None, {"-": EVERYONE}),
    "two_factor:verify": (None, {"-": SENT_ON}),
    "two_factor:verify_backup": (None, {"-": SENT_ON}),
    "two_factor:totp_enrol": (None, {"-": EVERYONE}),
    # Without an app or passkey there are no backup codes: sent to the overview.
    "two_factor:backup_codes": (None, {"-": SENT_ON}),
    "two_factor:device_remove": (None, {"-": row(LOGIN, 404, 404, 404, 404, 404)}),
    "otp_webauthn:credential-registration-begin": (None, {"-": POST_ONLY}),
    "otp_webauthn:credential-registration-complete": (None, {"-": POST_ONLY}),
    "otp_webauthn:credential-authentication-begin": (None, {"-": POST_ONLY}),
    "otp_webauthn:credential-authentication-complete": (None, {"-": POST_ONLY}),
    # The library's German texts for its script: the same for everyone, no data.
    "otp_webauthn:js-i18n-catalog": (None, {"-": row(200, 200, 200, 200, 200, 200)}),
}

URL_KWARGS = {"two_factor:device_remove": device_kwargs}
