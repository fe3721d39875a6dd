"""E-mail settings from the environment: console in development, SMTP in production, bad values stop the start."""

import json

import pytest

from tests.test_settings import run_with_settings

PRINT_EMAIL = """
    import json
    from django.conf import settings
    print(json.dumps({name: getattr(settings, name) for name in (
        "EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD",
        "EMAIL_USE_TLS", "EMAIL_USE_SSL", "DEFAULT_FROM_EMAIL", "SITE_URL")}))
"""


def email_settings(**env) -> dict:
    result = run_with_settings(PRINT_EMAIL, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_reads_smtp_from_environment():
    values = email_settings(
        EMAIL_HOST="smtp.example.org",
        EMAIL_PORT="587",
        EMAIL_HOST_USER="beratung",
        EMAIL_HOST_PASSWORD="geheim-smtp",
        EMAIL_USE_TLS="true",
        DEFAULT_FROM_EMAIL="Vielfalt-Beratung <beratung@example.org>",
        CSRF_TRUSTED_ORIGINS="https://beratung.example.org",
    )
    assert values == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.example.org",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "beratung",
        "EMAIL_HOST_PASSWORD": "geheim-smtp",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
        "DEFAULT_FROM_EMAIL": "Vielfalt-Beratung <beratung@example.org>",
        # Links in e-mails default to the address people use.
        "SITE_URL": "https://beratung.example.org",
    }


def test_development_prints_mails_to_the_console():
    values = email_settings(DEBUG="true", SECRET_KEY="")
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert values["SITE_URL"] == "http://127.0.0.1:8000"


def test_site_url_wins_over_csrf_origins_without_trailing_slash():
    values = email_settings(SITE_URL="https://vielfalt.example.org/", CSRF_TRUSTED_ORIGINS="https://other.example.org")
    assert values["SITE_URL"] == "https://vielfalt.example.org"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"EMAIL_PORT": "smtp"}, "EMAIL_PORT must be an integer"),
        ({"EMAIL_PORT": "70000"}, "EMAIL_PORT muss zwischen 1 und 65535"),
        ({"EMAIL_USE_TLS": "vielleicht"}, "EMAIL_USE_TLS must be a boolean"),
        ({"EMAIL_USE_TLS": "true", "EMAIL_USE_SSL": "true"}, "schließen sich aus"),
        ({"DEFAULT_FROM_EMAIL": "Vielfalt-Beratung"}, "DEFAULT_FROM_EMAIL muss eine E-Mail-Adresse sein"),
        ({"SITE_URL": "beratung.example.org"}, "SITE_URL muss mit https:// beginnen"),
    ],
)
def test_bad_values_stop_the_start(env, message):
    result = run_with_settings("import django; django.setup()", **env)
    assert result.returncode != 0
    assert message in result.stderr
