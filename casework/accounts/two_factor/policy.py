"""Who must have a second factor, and where a signed-in person stands with theirs.

The state is cached in the session (with the policy it was computed under), so ordinary pages pay
no device queries; the views that add or remove devices refresh it (`refresh`).
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from casework.access import Action, unit_ids_for

REQUIRED, COORDINATORS, OPTIONAL = "required", "coordinators", "optional"

# The person's state until the second factor is done.
VERIFY = "verify"  # has a second factor: must use it
ENROL = "enrol"  # must have one and has none: must set one up
FREE = "free"  # may go on without one

SESSION_KEY = "two_factor_state"

# Rights that only coordinators and administrators hold (casework.roles): holding any of them on any
# unit makes a person a coordinator for the policy, whether through a role group or a direct grant.
COORDINATOR_ACTIONS = (Action.DELETE, Action.HISTORY, Action.CATALOGUES, Action.REPORTS)


def current_policy() -> str:
    return settings.TWO_FACTOR_POLICY


def must_have_second_factor(user, policy: str | None = None) -> bool:
    policy = policy or current_policy()
    if policy == REQUIRED:
        return True
    if policy == COORDINATORS:
        return is_coordinator_or_admin(user)
    return False


def is_coordinator_or_admin(user) -> bool:
    if user.is_superuser or user.is_staff:
        return True  # the Django admin is open to them
    return any(unit_ids_for(user, action) for action in COORDINATOR_ACTIONS)


def primary_devices(user) -> list:
    """Authenticator apps and passkeys (confirmed); backup codes only stand in for them."""
    return [
        *TOTPDevice.objects.devices_for_user(user, confirmed=True),
        *WebAuthnCredential.objects.devices_for_user(user, confirmed=True),
    ]


def has_any_device(user) -> bool:
    """Any confirmed second factor, backup codes included: whoever has one must use it. One query."""
    return (
        get_user_model()
        .objects.filter(pk=user.pk)
        .filter(
            Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
            | Exists(WebAuthnCredential.objects.filter(user=OuterRef("pk"), confirmed=True))
            | Exists(StaticDevice.objects.filter(user=OuterRef("pk"), confirmed=True, token_set__isnull=False))
        )
        .exists()
    )


def compute_state(user, policy: str | None = None) -> str:
    if has_any_device(user):
        return VERIFY
    return ENROL if must_have_second_factor(user, policy) else FREE


def state_for(request) -> str:
    """The signed-in person's state, from the session cache or computed once per session and policy."""
    policy = current_policy()
    cached = request.session.get(SESSION_KEY)
    if isinstance(cached, list) and len(cached) == 2 and cached[0] == policy and cached[1] in (VERIFY, ENROL, FREE):
        return cached[1]
    return refresh(request)


def refresh(request) -> str:
    state = compute_state(request.user)
    request.session[SESSION_KEY] = [current_policy(), state]
    return state
