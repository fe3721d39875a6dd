"""Changing a person's second factors: every change goes through here and into the access log."""

import base64
import dataclasses
import datetime
import io

import qrcode
import qrcode.image.svg
from django.db import transaction
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from casework.accounts.two_factor import policy
from casework.audit.log import record
from casework.audit.models import AccessEvent

BACKUP_CODE_COUNT = 10
TOTP_NAME = "Authenticator-App"
BACKUP_NAME = "Backup-Codes"

# Device kinds as they appear in URLs and in the access log (target_kind).
KINDS = {"app": TOTPDevice, "passkey": WebAuthnCredential, "backup": StaticDevice}
KIND_OF = {model: kind for kind, model in KINDS.items()}


def log(request, detail: str, device=None, user=None):
    """A second-factor entry in the access log: kind and id of the device, never a code or a name."""
    kind = KIND_OF.get(type(device), "") if device is not None else ""
    record(
        AccessEvent.Kind.SECOND_FACTOR,
        request=request,
        user=user,
        target_kind=kind,
        target_id=str(device.pk) if device is not None and device.pk else "",
        detail=detail,
    )


# --- Checking a code ------------------------------------------------------------------------------


@dataclasses.dataclass
class Check:
    device: object | None = None  # the device that accepted the code
    locked_until: datetime.datetime | None = None  # throttled: no code is checked before then


def check_code(*, device_model, user, code: str, confirmed: bool = True) -> Check:
    """Check `code` against the person's device of `device_model`, under django-otp's throttling.

    The device row is locked for the check, so two parallel requests cannot both use one code, and a
    failure is counted even though the caller shows an error.
    """
    with transaction.atomic():
        device = device_model.objects.filter(user=user, confirmed=confirmed).select_for_update().order_by("-pk").first()
        if device is None:
            return Check()
        allowed, extra = device.verify_is_allowed()
        if not allowed:
            return Check(locked_until=(extra or {}).get("locked_until"))
        if device.verify_token(code):
            return Check(device=device)
        return Check()


def normalise_backup_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def mark_verified(request, device) -> None:
    """The session has passed the second step with `device`: a new session key, as after any sign-in."""
    request.session.cycle_key()
    otp_login(request, device)
    policy.refresh(request)


# --- Authenticator app ---------------------------------------------------------------------------


def totp_pending(*, user) -> TOTPDevice:
    """The unconfirmed app device being set up (one per person; a new visit shows the same secret)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def totp_secret(device: TOTPDevice) -> str:
    """The secret as authenticator apps expect it typed: base32 in groups of four."""
    secret = base64.b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_data_uri(text: str) -> str:
    """A QR code as an SVG data URI, made here: the secret never leaves the tool (and no inline markup)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def totp_confirm(*, request, code: str) -> Check:
    """Confirm the pending app device with a code from the app; on success it is the session's factor."""
    user = request.user
    result = check_code(device_model=TOTPDevice, user=user, code=code, confirmed=False)
    if result.device is None:
        log(request, "throttled" if result.locked_until else "enrol_failed")
        return result
    device = result.device
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    log(request, "enrolled", device)
    mark_verified(request, device)
    return result


# --- Backup codes --------------------------------------------------------------------------------


def backup_codes_create(*, request) -> list[str]:
    """Ten new one-time codes, replacing any earlier ones. Shown once; stored as django-otp keeps them."""
    user = request.user
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(user=user, name=BACKUP_NAME, defaults={"confirmed": True})
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
        StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    log(request, "backup_codes", device)
    policy.refresh(request)
    return [f"{code[:4]}-{code[4:]}" for code in codes]


def backup_codes_left(*, user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- Listing and removing ------------------------------------------------------------------------


@dataclasses.dataclass
class DeviceRow:
    kind: str
    pk: int
    label: str
    created_at: datetime.datetime | None
    last_used_at: datetime.datetime | None


def devices_of(user) -> list[DeviceRow]:
    """The person's own app and passkeys, for the overview (backup codes are shown as a count)."""
    rows = []
    for device in policy.primary_devices(user):
        kind = KIND_OF[type(device)]
        rows.append(
            DeviceRow(
                kind=kind,
                pk=device.pk,
                label=device.name or ("Passkey" if kind == "passkey" else TOTP_NAME),
                created_at=device.created_at,
                last_used_at=device.last_used_at,
            )
        )
    return sorted(rows, key=lambda row: (row.created_at or timezone.now(), row.kind, row.pk))


def own_device(*, user, kind: str, pk: int):
    """The person's own confirmed device, or None (others' devices do not exist for them)."""
    model = KINDS.get(kind)
    if model is None or model is StaticDevice:
        return None
    return model.objects.filter(user=user, confirmed=True, pk=pk).first()


def device_remove(*, request, device) -> None:
    """Remove one of the person's devices; with the last app or passkey the backup codes go too.

    Backup codes only stand in for a lost app or passkey: alone, they would be a second factor
    that was never set up as one.
    """
    user = request.user
    kind, pk = KIND_OF[type(device)], device.pk
    with transaction.atomic():
        device.delete()
        if not policy.primary_devices(user):
            StaticDevice.objects.filter(user=user).delete()
    record(AccessEvent.Kind.SECOND_FACTOR, request=request, target_kind=kind, target_id=str(pk), detail="removed")
    policy.refresh(request)
