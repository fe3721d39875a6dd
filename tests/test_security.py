import time

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.urls import reverse

from config import settings as project_settings
from config.middleware import SESSION_REFRESH_SECONDS

pytestmark = pytest.mark.django_db


def test_no_missing_migrations():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_csp_forbids_inline_scripts(client, people):
    client.force_login(people["advisor_mo"])
    response = client.get(reverse("casework:home"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "<script>" not in response.content.decode()  # only external scripts


def test_security_headers(client):
    response = client.get(reverse("login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_login_is_throttled(client, people, settings):
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(url, {"username": "beratung-mo", "password": "falsch"})
        assert response.status_code == 200
        assert "Benutzername oder Passwort ist falsch." in response.content.decode()
    assert client.post(url, {"username": "beratung-mo", "password": "falsch"}).status_code == 429
    # Locked out: even the right password does not get in now.
    response = client.post(url, {"username": "beratung-mo", "password": "pw-beratung-mo"})
    assert response.status_code == 429
    assert "Zu viele Anmeldeversuche" in response.content.decode()


def fail_logins(client, times, forwarded_for):
    """`times` failed logins of beratung-mo; the X-Forwarded-For of each call is `forwarded_for(i)`."""
    responses = [
        client.post(
            reverse("login"),
            {"username": "beratung-mo", "password": "falsch"},
            headers={"x-forwarded-for": forwarded_for(i)},
        )
        for i in range(times)
    ]
    return responses[-1]


def test_forged_forwarded_for_is_ignored_without_trusted_proxy(client, people, settings):
    """TRUSTED_PROXY_COUNT=0: X-Forwarded-For comes from the client; a new value per try must not help."""
    from axes.models import AccessAttempt

    settings.TRUSTED_PROXY_COUNT = 0
    last = fail_logins(client, settings.AXES_FAILURE_LIMIT, lambda i: f"198.51.100.{i + 1}")
    assert last.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}
    response = client.post(
        reverse("login"),
        {"username": "beratung-mo", "password": "pw-beratung-mo"},
        headers={"x-forwarded-for": "198.51.100.200"},
    )
    assert response.status_code == 429


def test_clients_behind_a_trusted_proxy_are_throttled_separately(client, people, settings):
    """TRUSTED_PROXY_COUNT=1: the proxy appends the client's address; each client has its own counter."""
    from axes.models import AccessAttempt

    settings.TRUSTED_PROXY_COUNT = 1
    # Whatever the client sends is in front of the address the proxy appended.
    last = fail_logins(client, settings.AXES_FAILURE_LIMIT, lambda i: f"10.0.0.{i}, 203.0.113.5")
    assert last.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}
    login = {"username": "beratung-mo", "password": "pw-beratung-mo"}
    locked = client.post(reverse("login"), login, headers={"x-forwarded-for": "203.0.113.5"})
    assert locked.status_code == 429
    other = client.post(reverse("login"), login, headers={"x-forwarded-for": "203.0.113.9"})
    assert other.status_code == 302
    assert other["Location"] == reverse("casework:home")


def test_malformed_forwarded_for_falls_back_to_the_connection(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 2
    client_ip = project_settings.client_ip_address
    assert client_ip(rf.get("/", headers={"x-forwarded-for": "203.0.113.5, 10.0.0.1"})) == "203.0.113.5"
    assert client_ip(rf.get("/", headers={"x-forwarded-for": "10.0.0.1"})) == "127.0.0.1"  # too few hops
    assert client_ip(rf.get("/", headers={"x-forwarded-for": "kein-ip, 10.0.0.1"})) == "127.0.0.1"
    assert client_ip(rf.get("/")) == "127.0.0.1"


def test_login_works_and_greets_in_german(client, people):
    response = client.post(reverse("login"), {"username": "beratung-mo", "password": "pw-beratung-mo"}, follow=True)
    assert response.status_code == 200
    assert "Willkommen, Aylin" in response.content.decode()


def test_session_expires_after_inactivity(client, people, settings):
    client.force_login(people["advisor_mo"])
    assert client.get(reverse("casework:home")).status_code == 200
    session = client.session
    session["last_seen"] = int(time.time()) - SESSION_REFRESH_SECONDS - 1
    session.save()
    client.get(reverse("casework:home"))  # activity renews the expiry …
    expiry = client.session.get_expiry_date()
    assert expiry.timestamp() > time.time() + settings.SESSION_COOKIE_AGE - 5

    from django.contrib.sessions.models import Session

    Session.objects.filter(session_key=client.session.session_key).update(expire_date="2000-01-01 00:00Z")
    response = client.get(reverse("casework:home"))  # … inactivity ends it
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("helper", "name", "raw"),
    [
        (project_settings.env_bool, "X_BOOL", "vielleicht"),
        (project_settings.env_int, "X_INT", "zehn"),
    ],
)
def test_settings_helpers_fail_loudly(monkeypatch, helper, name, raw):
    monkeypatch.setenv(name, raw)
    with pytest.raises(ImproperlyConfigured):
        helper(name, 1)


def test_required_setting_missing(monkeypatch):
    monkeypatch.delenv("X_REQUIRED", raising=False)
    with pytest.raises(ImproperlyConfigured):
        project_settings.env_str("X_REQUIRED")


def test_settings_helpers_parse(monkeypatch):
    monkeypatch.setenv("X_BOOL", "true")
    monkeypatch.setenv("X_INT", "42")
    monkeypatch.setenv("X_LIST", "a.example, b.example,")
    assert project_settings.env_bool("X_BOOL", False) is True
    assert project_settings.env_int("X_INT", 0) == 42
    assert project_settings.env_list("X_LIST", "") == ["a.example", "b.example"]


def test_german_is_default_and_english_available(client, people):
    client.force_login(people["advisor_mo"])
    assert "Beratungen" in client.get(reverse("casework:consultation_list")).content.decode()
    response = client.get(reverse("casework:consultation_list"), headers={"accept-language": "en"})
    assert response.status_code == 200


def test_language_can_be_switched(client, people):
    client.force_login(people["advisor_mo"])
    home = client.get(reverse("casework:home")).content.decode()
    assert 'name="language" value="en"' in home
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("casework:home")})
    assert response.status_code == 302
    assert client.cookies["django_language"].value == "en"
