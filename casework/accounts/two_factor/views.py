"""Screens of the second factor: the second step after the password, setting up, listing, removing."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render, resolve_url
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from casework.access import parse_pk
from casework.accounts.two_factor import policy, services
from casework.accounts.two_factor.forms import BackupCodeForm, CodeForm, PasswordConfirmForm


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _locked_message(locked_until) -> str:
    until = formats.time_format(timezone.localtime(locked_until), "H:i:s")
    return _("Zu viele falsche Codes. Bitte warten Sie bis %(time)s Uhr und versuchen Sie es dann erneut.") % {
        "time": until
    }


def _verify(request, *, device_model, form_class, template, success_detail):
    """The second step with a code of `device_model` (the app's code or a backup code)."""
    if request.user.is_verified() or not policy.has_any_device(request.user):
        return redirect(_next_url(request))
    has_device = device_model.objects.devices_for_user(request.user, confirmed=True).exists()
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and has_device and form.is_valid():
        code = form.cleaned_data["code"]
        if device_model is StaticDevice:
            code = services.normalise_backup_code(code)
        result = services.check_code(device_model=device_model, user=request.user, code=code)
        if result.device is not None:
            services.log(request, success_detail, result.device)
            services.mark_verified(request, result.device)
            return redirect(_next_url(request))
        if result.locked_until:
            services.log(request, "throttled")
            form.add_error("code", _locked_message(result.locked_until))
        else:
            services.log(request, "failed")
            form.add_error("code", _("Der Code stimmt nicht. Bitte prüfen Sie ihn und versuchen Sie es erneut."))
    user = request.user
    context = {
        "form": form,
        "next": _next_url(request),
        "has_device": has_device,
        "has_app": TOTPDevice.objects.devices_for_user(user, confirmed=True).exists(),
        "has_passkey": WebAuthnCredential.objects.devices_for_user(user, confirmed=True).exists(),
        "has_backup_codes": services.backup_codes_left(user=user) > 0,
    }
    return render(request, template, context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """After the password: the code from the app, a passkey, or the way to a backup code."""
    return _verify(
        request,
        device_model=TOTPDevice,
        form_class=CodeForm,
        template="casework/accounts/two_factor_verify.html",
        success_detail="ok",
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify_backup(request):
    """The second step with a backup code, for a lost or forgotten phone or passkey. Each code works once."""
    return _verify(
        request,
        device_model=StaticDevice,
        form_class=BackupCodeForm,
        template="casework/accounts/two_factor_verify_backup.html",
        success_detail="ok_backup_code",
    )


@never_cache
@login_required
@require_http_methods(["GET"])
def overview(request):
    """'Zweiter Faktor' in the person's settings: their own devices only, and how to add one."""
    user = request.user
    devices = services.devices_of(user)
    context = {
        "devices": devices,
        "has_app": any(row.kind == "app" for row in devices),
        "backup_codes_left": services.backup_codes_left(user=user),
        "must_enrol": not devices and policy.must_have_second_factor(user),
        "required": policy.must_have_second_factor(user),
        "passkeys_possible": request.get_host().split(":")[0] == settings.OTP_WEBAUTHN_RP_ID,
    }
    return render(request, "casework/accounts/two_factor_overview.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def totp_enrol(request):
    """Set up an authenticator app: QR code (made here) and secret, then a code to confirm."""
    user = request.user
    if TOTPDevice.objects.devices_for_user(user, confirmed=True).exists():
        messages.info(request, _("Sie haben bereits eine Authenticator-App eingerichtet."))
        return redirect("two_factor:overview")
    device = services.totp_pending(user=user)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        result = services.totp_confirm(request=request, code=form.cleaned_data["code"])
        if result.device is not None:
            messages.success(request, _("Die Authenticator-App ist eingerichtet."))
            return _show_backup_codes(request, first=True)
        if result.locked_until:
            form.add_error("code", _locked_message(result.locked_until))
        else:
            form.add_error(
                "code",
                _(
                    "Der Code stimmt nicht. Prüfen Sie, ob die Uhrzeit des Telefons stimmt, und geben Sie den neuen Code ein."
                ),
            )
    context = {
        "form": form,
        "qr_code": services.qr_code_data_uri(device.config_url),
        "secret": services.totp_secret(device),
    }
    return render(request, "casework/accounts/two_factor_totp.html", context)


def _show_backup_codes(request, *, first=False):
    # Rendered in the answer to the POST, never stored for later: the codes are shown exactly once.
    codes = services.backup_codes_create(request=request)
    return render(request, "casework/accounts/two_factor_backup_codes.html", {"codes": codes, "first": first})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def backup_codes(request):
    """How many backup codes are left; POST makes ten new ones (the old ones stop working)."""
    if not policy.primary_devices(request.user):
        messages.info(
            request, _("Backup-Codes gibt es erst, wenn eine Authenticator-App oder ein Passkey eingerichtet ist.")
        )
        return redirect("two_factor:overview")
    if request.method == "POST":
        return _show_backup_codes(request)
    left = services.backup_codes_left(user=request.user)
    return render(request, "casework/accounts/two_factor_backup_codes.html", {"codes": None, "left": left})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def device_remove(request, kind, pk):
    """Remove one of the person's own devices after entering the password again."""
    device = services.own_device(user=request.user, kind=kind, pk=parse_pk(pk) or 0)
    if device is None:
        raise Http404
    form = PasswordConfirmForm(request.POST if request.method == "POST" else None, request=request)
    if request.method == "POST" and form.is_valid():
        services.device_remove(request=request, device=device)
        messages.success(request, _("Der zweite Faktor wurde entfernt."))
        return redirect("two_factor:overview")
    label = _("Authenticator-App") if kind == "app" else _("Passkey")
    return render(
        request,
        "casework/accounts/two_factor_remove.html",
        {"form": form, "device": device, "label": label, "kind": kind},
    )
