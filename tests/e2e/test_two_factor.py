"""Second factor in the browser: enrol an authenticator app and sign in with it; a passkey with
Chromium's virtual authenticator (DevTools protocol, WebAuthn domain). Under the strict CSP throughout."""

import base64
import re
import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import expect

from casework.audit.models import AccessEvent
from tests.e2e.test_accessibility import blocking_violations, describe

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def code_from_secret(secret: str, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for the secret on the page (base32, grouped by four).

    A code made just before its 30-second step ends may reach the server in the next step; django-otp then
    learns a drift of one step, and the test's next code would be one step off. So wait for a fresh step.
    """
    left = 30 - time.time() % 30
    if left < 5:
        time.sleep(left + 0.2)
    key = base64.b32decode(secret.replace(" ", ""))
    return f"{totp(key, drift=steps_ahead):06d}"


def sign_out(page):
    # The sign-out form sits in the user menu; submitting it directly is what the menu's button does.
    page.evaluate("document.querySelector('form[data-logout]').submit()")
    page.wait_for_url(re.compile(r"/anmelden/"))


def second_factor_events():
    return list(
        AccessEvent.objects.filter(kind=AccessEvent.Kind.SECOND_FACTOR)
        .order_by("at", "id")
        .values_list("detail", flat=True)
    )


def test_enrol_authenticator_app_then_sign_in_with_it(e2e, people, settings):
    settings.TWO_FACTOR_POLICY = "coordinators"
    axe, found = Axe(), []

    def check_accessibility(label):
        if violations := blocking_violations(axe, page):
            found.append(describe(label, page.url, violations))

    page = e2e.login(e2e.new_page(), "koordination-mo")

    # Right after the password: enrolment, and nothing else.
    expect(page.get_by_role("heading", level=1)).to_have_text("Zweiter Faktor")
    expect(page.get_by_role("alert").filter(has_text="vorgeschrieben")).to_be_visible()
    page.goto("/beratungen/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Zweiter Faktor")

    page.get_by_role("link", name="Authenticator-App einrichten").click()
    expect(page.get_by_role("img", name="QR-Code für die Authenticator-App")).to_be_visible()
    check_accessibility("Authenticator-App einrichten")
    secret = page.locator("[data-totp-secret]").inner_text()
    page.get_by_label("Code aus der Authenticator-App").fill(code_from_secret(secret))
    page.get_by_role("button", name="Bestätigen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Backup-Codes")
    expect(page.locator("[data-backup-codes] li")).to_have_count(10)
    check_accessibility("Backup-Codes")
    page.get_by_role("link", name="Ich habe die Codes notiert").click()
    expect(page.locator("tr[data-device='app']")).to_have_count(1)
    check_accessibility("Zweiter Faktor")
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Willkommen")

    sign_out(page)
    page.get_by_label("Benutzername").fill("koordination-mo")
    page.get_by_label("Passwort").fill("pw-koordination-mo")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmeldung bestätigen")
    expect(page.get_by_role("link", name="Backup-Code verwenden")).to_be_visible()
    check_accessibility("Anmeldung bestätigen")
    page.get_by_label("Code aus der Authenticator-App").fill("000000")
    page.get_by_role("button", name="Bestätigen").click()
    expect(page.get_by_text("Der Code stimmt nicht")).to_be_visible()
    # The enrolment code's time step is used up; the app's next code is accepted (one step of tolerance).
    page.wait_for_timeout(1100)  # django-otp's back-off after one wrong code: one second
    page.get_by_label("Code aus der Authenticator-App").fill(code_from_secret(secret, steps_ahead=1))
    page.get_by_role("button", name="Bestätigen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Willkommen")

    assert not found, "\n\n".join(found)
    assert TOTPDevice.objects.get(user=people["coordinator_mo"]).confirmed
    assert second_factor_events() == ["enrolled", "backup_codes", "failed", "ok"]
    e2e.assert_clean_console()


def test_passkey_with_virtual_authenticator(e2e, people, settings, live_server):
    settings.TWO_FACTOR_POLICY = "optional"
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    assert live_server.url.startswith("http://localhost:")

    page = e2e.new_page()
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    e2e.login(page, "beratung-mo")
    page.goto("/konto/zweiter-faktor/")
    page.get_by_role("button", name="Passkey einrichten").click()
    # static/js/passkeys.js reloads the overview once the passkey is saved.
    expect(page.locator("tr[data-device='passkey']")).to_have_count(1)
    assert WebAuthnCredential.objects.filter(user=people["advisor_mo"], confirmed=True).count() == 1

    sign_out(page)
    page.get_by_label("Benutzername").fill("beratung-mo")
    page.get_by_label("Passwort").fill("pw-beratung-mo")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmeldung bestätigen")
    page.goto("/beratungen/")  # every page waits for the second step
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmeldung bestätigen")
    page.get_by_role("button", name="Passkey verwenden").click()
    page.wait_for_url(re.compile(r"/beratungen/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Beratungen")

    assert second_factor_events() == ["enrolled", "ok_passkey"]
    e2e.assert_clean_console()
