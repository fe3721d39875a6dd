"""Second factor: who must enrol, the second step after the password, throttling, backup codes, removal."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework.audit.models import AccessEvent

pytestmark = pytest.mark.django_db

HOME = reverse("casework:home")
OVERVIEW = reverse("two_factor:overview")
VERIFY = reverse("two_factor:verify")


def sign_in(client, person):
    """The password step through the login form (not force_login): as a person signs in."""
    response = client.post(reverse("login"), {"username": person.username, "password": "pw-" + person.username})
    assert response.status_code == 302, "password step failed"
    return response


def code_for(device, offset=0):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def app_device(person):
    return TOTPDevice.objects.create(user=person, name="Authenticator-App", confirmed=True)


def backup_codes(person, *codes):
    device = StaticDevice.objects.create(user=person, name="Backup-Codes", confirmed=True)
    for code in codes:
        StaticToken.objects.create(device=device, token=code)
    return device


def second_factor_events():
    return list(
        AccessEvent.objects.filter(kind=AccessEvent.Kind.SECOND_FACTOR)
        .order_by("at", "id")
        .values_list("detail", flat=True)
    )


# --- Policy ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["coordinator_mo", "admin"])
def test_coordinator_without_second_factor_is_sent_to_enrol(client, people, settings, role):
    settings.TWO_FACTOR_POLICY = "coordinators"
    sign_in(client, people[role])
    for url in [HOME, reverse("casework:consultation_list"), reverse("password_change"), reverse("casework:dashboard")]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == OVERVIEW, url
    page = client.get(OVERVIEW)
    assert page.status_code == 200
    assert "Für Ihr Konto ist ein zweiter Faktor vorgeschrieben" in page.content.decode()
    # The enrolment pages themselves, signing out and the health check stay open.
    assert client.get(reverse("two_factor:totp_enrol")).status_code == 200
    assert client.get(reverse("healthz")).status_code != 302
    assert client.post(reverse("casework:session_keepalive")).status_code == 204


def test_coordinator_policy_lets_advisors_in_without_second_factor(client, people, settings):
    settings.TWO_FACTOR_POLICY = "coordinators"
    sign_in(client, people["advisor_mo"])
    assert client.get(HOME).status_code == 200


def test_required_policy_sends_advisors_to_enrol_too(client, people, settings):
    settings.TWO_FACTOR_POLICY = "required"
    sign_in(client, people["advisor_lots"])
    response = client.get(reverse("casework:consultation_list"))
    assert (response.status_code, response["Location"]) == (302, OVERVIEW)


@pytest.mark.parametrize("role", ["advisor_mo", "coordinator_mo", "admin"])
def test_optional_policy_lets_everyone_in(client, people, settings, role):
    settings.TWO_FACTOR_POLICY = "optional"
    sign_in(client, people[role])
    assert client.get(HOME).status_code == 200
    assert client.get(reverse("casework:consultation_list")).status_code == 200


def test_policy_change_applies_to_running_sessions(client, people, settings):
    settings.TWO_FACTOR_POLICY = "optional"
    sign_in(client, people["coordinator_mo"])
    assert client.get(HOME).status_code == 200
    settings.TWO_FACTOR_POLICY = "coordinators"
    assert client.get(HOME)["Location"] == OVERVIEW


# --- Enrolling an authenticator app ---------------------------------------------------------------


def test_enrol_app_with_a_code_shows_ten_backup_codes_once(client, people, settings):
    settings.TWO_FACTOR_POLICY = "coordinators"
    person = people["coordinator_mo"]
    sign_in(client, person)
    page = client.get(reverse("two_factor:totp_enrol"))
    content = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in content  # the QR code is made here, no outside service
    device = TOTPDevice.objects.get(user=person)
    assert not device.confirmed
    secret = re.search(r"data-totp-secret>([A-Z2-7 ]+)<", content).group(1)
    assert len(secret.replace(" ", "")) == 32
    # A second visit shows the same secret instead of piling up devices.
    client.get(reverse("two_factor:totp_enrol"))
    assert TOTPDevice.objects.filter(user=person).count() == 1

    response = client.post(reverse("two_factor:totp_enrol"), {"code": code_for(device)})
    assert response.status_code == 200
    codes = re.findall(r"<li>([a-z2-7]{4}-[a-z2-7]{4})</li>", response.content.decode())
    assert len(codes) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert StaticToken.objects.filter(device__user=person).count() == 10
    # The session is verified now: the tool opens.
    assert client.get(HOME).status_code == 200
    # Shown once: the backup-code page later only counts them.
    later = client.get(reverse("two_factor:backup_codes")).content.decode()
    assert "noch 10 unbenutzte Backup-Codes" in later
    assert codes[0] not in later
    assert second_factor_events() == ["enrolled", "backup_codes"]


def test_enrol_with_wrong_code_is_refused(client, people, settings):
    settings.TWO_FACTOR_POLICY = "coordinators"
    person = people["coordinator_mo"]
    sign_in(client, person)
    client.get(reverse("two_factor:totp_enrol"))
    for bad in ["000000", "12ab56", ""]:
        response = client.post(reverse("two_factor:totp_enrol"), {"code": bad})
        assert response.status_code == 200
        assert "is-invalid" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=person, confirmed=True).exists()
    assert client.get(HOME)["Location"] == OVERVIEW


# --- The second step ------------------------------------------------------------------------------


def test_person_with_app_must_pass_second_step_before_any_page(client, people, settings):
    settings.TWO_FACTOR_POLICY = "optional"  # having a device is enough to be asked for it
    person = people["advisor_mo"]
    device = app_device(person)
    response = sign_in(client, person)
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY + "?next=")
    for url in [reverse("casework:consultation_list"), OVERVIEW, reverse("two_factor:backup_codes")]:
        assert client.get(url)["Location"].startswith(VERIFY), url
    # No new passkey without the second step (that would replace the factor).
    assert client.post(reverse("otp_webauthn:credential-registration-begin")).status_code == 302
    page = client.get(VERIFY + "?next=/beratungen/")
    assert page.status_code == 200
    assert "Passkey verwenden" not in page.content.decode()  # no passkey set up

    response = client.post(VERIFY, {"code": code_for(device), "next": "/beratungen/"})
    assert (response.status_code, response["Location"]) == (302, "/beratungen/")
    assert client.get(reverse("casework:consultation_list")).status_code == 200
    assert client.get(OVERVIEW).status_code == 200
    assert second_factor_events() == ["ok"]


def test_second_step_never_redirects_elsewhere(client, people):
    device = app_device(people["advisor_mo"])
    sign_in(client, people["advisor_mo"])
    response = client.post(VERIFY, {"code": code_for(device), "next": "https://evil.example/"})
    assert response["Location"] == HOME


def test_wrong_code_is_refused_and_throttled(client, people):
    person = people["coordinator_mo"]
    device = app_device(person)
    sign_in(client, person)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
        response = client.post(VERIFY, {"code": wrong})
        assert response.status_code == 200
        assert "Der Code stimmt nicht" in response.content.decode()
        # Right after a failure even the right code is refused: django-otp's back-off.
        response = client.post(VERIFY, {"code": code_for(device)})
        assert "Zu viele falsche Codes" in response.content.decode()
        assert client.get(HOME).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    with time_machine.travel(start + datetime.timedelta(seconds=2), tick=False):
        response = client.post(VERIFY, {"code": code_for(device)})
        assert response.status_code == 302
        assert client.get(HOME).status_code == 200
    device.refresh_from_db()
    assert device.throttling_failure_count == 0
    assert second_factor_events() == ["failed", "throttled", "ok"]


def test_a_code_works_only_once(client, people):
    person = people["advisor_mo"]
    device = app_device(person)
    sign_in(client, person)
    code = code_for(device)
    assert client.post(VERIFY, {"code": code}).status_code == 302
    client.post(reverse("logout"))
    sign_in(client, person)
    response = client.post(VERIFY, {"code": code})
    assert response.status_code == 200
    assert client.get(HOME).status_code == 302


def test_backup_code_works_once(client, people):
    person = people["coordinator_lots"]
    app_device(person)
    backup_codes(person, "abcd2345", "efgh6723")
    sign_in(client, person)
    assert "Backup-Code verwenden" in client.get(VERIFY).content.decode()
    response = client.post(reverse("two_factor:verify_backup"), {"code": "ABCD-2345"})
    assert response.status_code == 302
    assert client.get(HOME).status_code == 200
    client.post(reverse("logout"))

    sign_in(client, person)
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=5)):
        response = client.post(reverse("two_factor:verify_backup"), {"code": "abcd2345"})
    assert response.status_code == 200
    assert "Der Code stimmt nicht" in response.content.decode()
    assert client.get(HOME).status_code == 302
    assert list(StaticToken.objects.filter(device__user=person).values_list("token", flat=True)) == ["efgh6723"]
    assert second_factor_events() == ["ok_backup_code", "failed"]


def test_backup_codes_are_only_ones_own(client, people):
    backup_codes(people["advisor_lots"], "abcd2345")
    person = people["advisor_mo"]
    app_device(person)
    sign_in(client, person)
    response = client.post(reverse("two_factor:verify_backup"), {"code": "abcd2345"})
    assert response.status_code == 200
    assert client.get(HOME).status_code == 302
    assert StaticToken.objects.filter(token="abcd2345").exists()


def test_regenerating_backup_codes_replaces_the_old_ones(client, people):
    person = people["advisor_mo"]
    device = app_device(person)
    backup_codes(person, "abcd2345")
    sign_in(client, person)
    client.post(VERIFY, {"code": code_for(device)})
    response = client.post(reverse("two_factor:backup_codes"))
    codes = re.findall(r"<li>([a-z2-7]{4}-[a-z2-7]{4})</li>", response.content.decode())
    assert len(codes) == 10
    assert "Die bisherigen Backup-Codes gelten nicht mehr" in response.content.decode()
    tokens = set(StaticToken.objects.filter(device__user=person).values_list("token", flat=True))
    assert tokens == {code.replace("-", "") for code in codes}
    assert StaticDevice.objects.filter(user=person).count() == 1


def test_no_backup_codes_without_app_or_passkey(client, people):
    client.force_login(people["advisor_mo"])
    response = client.post(reverse("two_factor:backup_codes"))
    assert (response.status_code, response["Location"]) == (302, OVERVIEW)
    assert not StaticToken.objects.exists()


# --- Listing and removing -------------------------------------------------------------------------


def verified(client, person, device):
    sign_in(client, person)
    assert client.post(VERIFY, {"code": code_for(device)}).status_code == 302


def test_overview_lists_only_own_devices(client, people):
    person = people["advisor_mo"]
    device = app_device(person)
    other = app_device(people["advisor_lots"])
    verified(client, person, device)
    content = client.get(OVERVIEW).content.decode()
    assert reverse("two_factor:device_remove", args=["app", device.pk]) in content
    assert reverse("two_factor:device_remove", args=["app", other.pk]) not in content


def test_removing_needs_the_password(client, people, settings):
    settings.TWO_FACTOR_POLICY = "optional"
    person = people["advisor_mo"]
    device = app_device(person)
    backup_codes(person, "abcd2345")
    verified(client, person, device)
    url = reverse("two_factor:device_remove", args=["app", device.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"password": "falsch"})
    assert response.status_code == 200
    assert "Das Passwort ist falsch" in response.content.decode()
    assert TOTPDevice.objects.filter(pk=device.pk).exists()

    response = client.post(url, {"password": "pw-beratung-mo"})
    assert (response.status_code, response["Location"]) == (302, OVERVIEW)
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    # Backup codes alone are no second factor: they went with the last app.
    assert not StaticDevice.objects.filter(user=person).exists()
    assert client.get(HOME).status_code == 200
    assert second_factor_events()[-1] == "removed"


def test_removing_the_last_factor_where_required_sends_back_to_enrol(client, people, settings):
    settings.TWO_FACTOR_POLICY = "coordinators"
    person = people["coordinator_mo"]
    device = app_device(person)
    verified(client, person, device)
    client.post(reverse("two_factor:device_remove", args=["app", device.pk]), {"password": "pw-koordination-mo"})
    assert client.get(HOME)["Location"] == OVERVIEW


@pytest.mark.parametrize("kind", ["app", "backup", "passkey", "nonsense"])
def test_others_devices_cannot_be_removed(client, people, kind):
    foreign = app_device(people["advisor_lots"])
    backup = backup_codes(people["advisor_lots"], "abcd2345")
    client.force_login(people["advisor_mo"])
    pk = backup.pk if kind == "backup" else foreign.pk
    url = reverse("two_factor:device_remove", args=[kind, pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"password": "pw-beratung-mo"}).status_code == 404
    assert TOTPDevice.objects.filter(pk=foreign.pk).exists()
    assert StaticToken.objects.filter(device=backup).exists()


def test_settings_page_links_to_second_factor(client, people):
    client.force_login(people["advisor_mo"])
    assert OVERVIEW in client.get(reverse("casework:account_settings")).content.decode()


def test_access_log_never_holds_codes(client, people):
    person = people["advisor_mo"]
    app_device(person)
    sign_in(client, person)
    client.post(VERIFY, {"code": "123456"})
    values = " ".join(str(v) for row in AccessEvent.objects.values() for v in row.values())
    assert "123456" not in values


# --- Bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["١٢٣٤٥٦", "12345", "1234567", "x" * 5000, "<script>", "12 34 5a"])
def test_malformed_codes_get_a_german_message_and_count_nothing(client, people, code):
    person = people["advisor_mo"]
    device = app_device(person)
    sign_in(client, person)
    response = client.post(VERIFY, {"code": code})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Bitte die sechs Ziffern aus der App eingeben." in content or "höchstens 20 Zeichen" in content
    device.refresh_from_db()
    assert device.throttling_failure_count == 0
    assert client.get(HOME).status_code == 302


@pytest.mark.parametrize(
    "path",
    [
        "/konto/zweiter-faktor/app/99999999999999999999999/entfernen/",
        "/konto/zweiter-faktor/app/0/entfernen/",
        "/konto/zweiter-faktor/%C3%A4pp/1/entfernen/",
    ],
)
def test_bad_device_addresses_are_404(client, people, path):
    client.force_login(people["advisor_mo"])
    assert client.get(path).status_code == 404


def test_malformed_passkey_answers_are_refused_without_error(client, people):
    person = people["advisor_mo"]
    app_device(person)
    sign_in(client, person)
    url = reverse("otp_webauthn:credential-authentication-complete")
    response = client.post(url, "{not json", content_type="application/json")
    assert response.status_code == 400
    response = client.post(url, {"id": "x"}, content_type="application/json")
    assert response.status_code == 400  # no ceremony was begun
    assert client.get(HOME).status_code == 302
    assert second_factor_events() == ["failed_passkey", "failed_passkey"]
