"""TWO_FACTOR_POLICY and the passkey domain come from the environment and are checked at start-up."""

import io
import json

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework.accounts.two_factor import policy
from casework.management.commands import seed_demo
from tests.test_settings import run_with_settings

PRINT_SETTINGS = """
    import json
    import django
    django.setup()
    from django.conf import settings
    print(json.dumps([settings.TWO_FACTOR_POLICY, settings.OTP_WEBAUTHN_RP_ID, settings.OTP_WEBAUTHN_ALLOWED_ORIGINS]))
"""


def test_production_requires_second_factor_for_everyone_by_default():
    result = run_with_settings(PRINT_SETTINGS)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == [
        "required",
        "beratung.example.org",
        ["https://beratung.example.org"],
    ]


def test_demo_makes_it_optional_and_binds_passkeys_to_localhost():
    result = run_with_settings(PRINT_SETTINGS, DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == [
        "optional",
        "localhost",
        ["https://localhost", "http://localhost:8000"],
    ]


def test_policy_and_passkey_domain_follow_the_environment():
    result = run_with_settings(
        PRINT_SETTINGS, TWO_FACTOR_POLICY="coordinators", SITE_URL="https://beratung.vielfalt-hessen.de"
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == [
        "coordinators",
        "beratung.vielfalt-hessen.de",
        ["https://beratung.vielfalt-hessen.de"],
    ]


def test_unknown_policy_stops_the_start_with_a_german_message():
    result = run_with_settings(PRINT_SETTINGS, TWO_FACTOR_POLICY="sometimes")
    assert result.returncode != 0
    assert "TWO_FACTOR_POLICY muss „required“, „coordinators“ oder „optional“ sein, nicht 'sometimes'" in result.stderr


@pytest.mark.django_db
def test_who_counts_as_coordinator(people):
    assert [role for role, person in people.items() if policy.is_coordinator_or_admin(person)] == [
        "coordinator_mo",
        "coordinator_lots",
        "admin",
    ]


@pytest.mark.django_db
def test_an_unfinished_app_setup_is_no_second_factor(client, people, settings):
    settings.TWO_FACTOR_POLICY = "coordinators"
    person = people["coordinator_mo"]
    TOTPDevice.objects.create(user=person, name="Authenticator-App", confirmed=False)
    assert not policy.has_any_device(person)
    assert policy.primary_devices(person) == []
    client.force_login(person)
    assert client.get(reverse("casework:home"))["Location"] == reverse("two_factor:overview")
    # No backup codes for it either: they would make it a second factor.
    assert client.post(reverse("two_factor:backup_codes"))["Location"] == reverse("two_factor:overview")


@pytest.mark.parametrize(
    ("setting", "expected"),
    [("optional", "freiwillig"), ("coordinators", "Pflicht für Koordination"), ("required", "Pflicht für alle")],
)
def test_seed_demo_prints_how_to_enrol(settings, setting, expected):
    settings.TWO_FACTOR_POLICY = setting
    output = io.StringIO()
    seed_demo.Command(stdout=output)._print_logins([])
    text = output.getvalue()
    assert f"Zweiter Faktor: {expected}" in text
    assert "„Authenticator-App einrichten“" in text
