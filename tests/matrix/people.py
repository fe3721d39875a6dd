"""Permission-matrix rows for managing people and for password reset (see tests/matrix/__init__.py).

People are not unit records: only administrators manage them, so there is no own/foreign/shared target.
The person pages act on the Lots advisor of the `people` fixture. The invitation and password-reset links
take a made-up uid and token here: they answer every visitor with the "link invalid" page (200).
That denied POSTs change nothing is checked by tests/test_permissions.py; what administrators' POSTs do,
by tests/casework/accounts/test_people.py.
"""

from django.contrib.auth import get_user_model

from tests.matrix import LOGIN, row

ADMINISTRATORS = row(LOGIN, 403, 403, 403, 403, 200)
ANYONE = row(200, 200, 200, 200, 200, 200)


def _lots_advisor(_pk):
    return {"pk": get_user_model().objects.get(username="beratung-lots").pk}


INVALID_LINK = {"uidb64": "MTIzNDU2", "token": "abc-0123456789abcdef"}

ROWS = {
    "casework:people_list": (None, {"-": ADMINISTRATORS}),
    "casework:person_invite": (None, {"-": ADMINISTRATORS}),
    "casework:person_roles": (None, {"-": ADMINISTRATORS}),
    "casework:person_deactivate": (None, {"-": ADMINISTRATORS}),
    # The Lots advisor signed in (force_login) and is active: there is nothing to reactivate or re-invite,
    # so the administrator is sent back to the list.
    "casework:person_reactivate": (None, {"-": row(LOGIN, 403, 403, 403, 403, 302)}),
    "casework:person_reinvite": (None, {"-": row(LOGIN, 403, 403, 403, 403, 302)}),
    "casework:invitation_accept": (None, {"-": ANYONE}),
    "password_reset": (None, {"-": ANYONE}),
    "password_reset_done": (None, {"-": ANYONE}),
    "password_reset_confirm": (None, {"-": ANYONE}),
    "password_reset_complete": (None, {"-": ANYONE}),
}

URL_KWARGS = {
    "casework:person_roles": _lots_advisor,
    "casework:person_deactivate": _lots_advisor,
    "casework:person_reactivate": _lots_advisor,
    "casework:person_reinvite": _lots_advisor,
    "casework:invitation_accept": INVALID_LINK,
    "password_reset_confirm": INVALID_LINK,
}
