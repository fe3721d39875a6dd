"""Settings for the test suite: fast hashing, in-memory mail, no HTTPS redirect."""

import os
import secrets

# DEBUG is off, so the key must pass the production check (config.settings.secret_key_problem).
os.environ.setdefault("SECRET_KEY", "test-only-" + secrets.token_urlsafe(50))
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
# Most tests sign people in with force_login; tests of the second factor set the policy themselves.
os.environ.setdefault("TWO_FACTOR_POLICY", "optional")

from config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
AXES_ENABLED = True
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Reports are generated at once inside the test; tests/reports/test_worker.py runs the real queue.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
