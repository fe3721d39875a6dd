"""Settings for Vielfalt-Beratung, driven by environment variables.

Every value a deployment may need to change is read here, through helpers that
fail loudly on malformed input instead of silently falling back.
"""

import ipaddress
import os
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Environment variable {name} is required.")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}.") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEVELOPMENT_KEY = "dev-only-insecure-key"
# Keys that are public: the development default, the old test key and the README's placeholders.
KNOWN_SECRET_KEYS = frozenset({DEVELOPMENT_KEY, "test-only-key", "…", "...", "geheim"})
MIN_SECRET_KEY_LENGTH = 50
MIN_SECRET_KEY_CHARACTERS = 5
KEY_GENERATION_COMMAND = 'python -c "import secrets; print(secrets.token_urlsafe(50))"'


def secret_key_problem(key: str) -> str | None:
    """Why `key` must not sign production sessions, or None.

    Django's `check --deploy` only warns about these (security.W009); a production start refuses them.
    """
    if key in KNOWN_SECRET_KEYS:
        return "ist ein bekannter Beispielwert"
    if key.startswith("django-insecure"):
        return "beginnt mit „django-insecure“"
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return f"hat nur {len(key)} Zeichen (mindestens {MIN_SECRET_KEY_LENGTH})"
    if len(set(key)) < MIN_SECRET_KEY_CHARACTERS:
        return f"hat weniger als {MIN_SECRET_KEY_CHARACTERS} verschiedene Zeichen"
    return None


DEBUG = env_bool("DEBUG", False)
# A development key only works with DEBUG on; production must set its own.
SECRET_KEY = env_str("SECRET_KEY", DEVELOPMENT_KEY if DEBUG else None)
if not DEBUG and (_problem := secret_key_problem(SECRET_KEY)):
    raise ImproperlyConfigured(
        f"SECRET_KEY {_problem}: zu schwach für den Betrieb (DEBUG ist aus). "
        f"Einen neuen Schlüssel erzeugen mit: {KEY_GENERATION_COMMAND}"
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guardian",
    "django_filters",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    # Second factor (casework/accounts/two_factor): authenticator apps, backup codes, passkeys.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "casework",
    "organisations",
    "reports",
]

# Background work (funder reports) goes through Django's task interface; the database backend
# needs no extra service: `manage.py worker` (db_worker with a heartbeat) runs the queue (README).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

MIDDLEWARE = [
    "config.logging.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.GermanFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "config.middleware.SessionIdleTimeoutMiddleware",
    "casework.audit.middleware.AuditMiddleware",  # access log: the request for signals; denied record URLs
    "django.contrib.messages.middleware.MessageMiddleware",
    # Nothing but the second step (or enrolment) until the second factor is done.
    "casework.accounts.two_factor.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must come last so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "casework.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The visibility filter ("own unit, or shared with me") inflates the planner's cost estimate,
    # which triggers JIT compilation costing 100–300 ms per list query; plain execution takes ~10 ms.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
# SQLite, the embedded default, with web workers and the report worker (`manage.py worker`) writing at once:
# - WAL: readers never wait for a writer, the one writer never waits for readers;
# - IMMEDIATE: a transaction takes the write lock when it begins. A DEFERRED one that reads first and
#   then writes fails at once with "database is locked" if another connection wrote meanwhile – the
#   busy timeout cannot help it (seen in ~1 in 1,500 saves and in most user creations in the admin);
# - a busy timeout, so a writer waits for the lock (the worker holds it for one short poll) instead
#   of failing; synchronous=NORMAL is safe with WAL (a power cut can lose the last commits, not corrupt).
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,  # seconds
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "casework:home"
LOGOUT_REDIRECT_URL = "login"

# guardian: no anonymous user object; permissions are never granted to anonymous users.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

LANGUAGE_CODE = "de"
LANGUAGES = [("de", "Deutsch"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Sessions end after an hour of inactivity, counted from the last request: config.middleware renews
# them while in use, and base.html warns before the end (static/js/session.js).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# However active, a session ends this long after its sign-in (ASVS 7.3.2); config.middleware enforces it.
SESSION_ABSOLUTE_AGE = env_int("SESSION_ABSOLUTE_AGE", 12 * 60 * 60)
# Links in e-mails: a password reset is valid for two hours, an invitation for a week (casework/accounts/people).
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 2 * 60 * 60)
INVITATION_TIMEOUT = env_int("INVITATION_TIMEOUT", 7 * 24 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Monitoring on the server itself may ask gunicorn directly; /healthz carries no data worth TLS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# Preloading binds the whole domain to HTTPS forever: a decision for the host, not this app.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# Behind a reverse proxy every request arrives from the proxy's address, so login throttling by address
# would let anyone lock any account out for everybody. Each trusted proxy appends the address it saw to
# X-Forwarded-For: with TRUSTED_PROXY_COUNT = n the client is the n-th entry from the right. With 0 the
# header is ignored – anybody can send it.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"TRUSTED_PROXY_COUNT muss 0 oder größer sein, nicht {TRUSTED_PROXY_COUNT}.")


def client_ip_address(request) -> str | None:
    """The client's address for login throttling (AXES_CLIENT_IP_CALLABLE).

    Axes reads the proxy settings AXES_IPWARE_* only with django-ipware installed, which this
    project does not use; without it, axes takes REMOTE_ADDR.
    """
    from django.conf import settings

    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(hops) < count:
        return remote  # not through all the proxies: only the connection's own address is known
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return remote


AXES_CLIENT_IP_CALLABLE = client_ip_address
# Login throttling: lock a username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = False

# Second factor (ASVS 6.3.3; README "Anmeldung mit zweitem Faktor"): who must have one.
# "required": everyone; "coordinators": coordinators and administrators; "optional": nobody must.
TWO_FACTOR_POLICIES = ("required", "coordinators", "optional")
TWO_FACTOR_POLICY = env_str("TWO_FACTOR_POLICY", "optional" if DEBUG else "required")
if TWO_FACTOR_POLICY not in TWO_FACTOR_POLICIES:
    raise ImproperlyConfigured(
        f"TWO_FACTOR_POLICY muss „required“, „coordinators“ oder „optional“ sein, nicht {TWO_FACTOR_POLICY!r}."
    )
# Failed codes lock the device for 1, 2, 4, 8 … seconds (django-otp's exponential back-off, per device).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
OTP_TOTP_ISSUER = "Vielfalt-Beratung"
# The admin may remove a person's device (lost phone), never read its secret or backup codes.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Passkeys only as a second factor: signing in without the password would bypass django-axes.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_RP_NAME = "Vielfalt-Beratung"

# One JSON object per line on stdout (journald under systemd); no personal data (config/logging.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "config.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # WeasyPrint and fontTools log every layout step and page at INFO: one report, hundreds of lines.
        **{name: {"level": "WARNING"} for name in ("weasyprint", "fontTools")},
        # RequestLogMiddleware logs every request; these would repeat it, runserver's with the query string.
        "django.request": {"level": "ERROR"},
        "django.server": {"handlers": ["console"], "level": "CRITICAL", "propagate": False},
    },
}


# E-mail (daily digests, "report ready"): SMTP from the environment; the console in development.
EMAIL_BACKEND = (
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
if not 0 < EMAIL_PORT < 65536:
    raise ImproperlyConfigured(f"EMAIL_PORT muss zwischen 1 und 65535 liegen, nicht {EMAIL_PORT}.")
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    # Django would refuse only when the first mail is sent, at night, in the digest timer.
    raise ImproperlyConfigured("EMAIL_USE_TLS und EMAIL_USE_SSL schließen sich aus: bitte nur eines setzen.")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)  # seconds; a hanging server must not block the report worker
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Vielfalt-Beratung <noreply@localhost>")
if "@" not in parseaddr(DEFAULT_FROM_EMAIL)[1]:
    raise ImproperlyConfigured(
        f"DEFAULT_FROM_EMAIL muss eine E-Mail-Adresse sein (z. B. noreply@example.org), nicht {DEFAULT_FROM_EMAIL!r}."
    )
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Links in e-mails must be absolute; there is no request to take the host from. Defaults to the first
# CSRF_TRUSTED_ORIGINS entry (the address people use), in development to runserver's address.
SITE_URL = env_str("SITE_URL", (CSRF_TRUSTED_ORIGINS or ["http://127.0.0.1:8000" if DEBUG else ""])[0]).rstrip("/")
if SITE_URL and not SITE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured(
        f"SITE_URL muss mit https:// beginnen, z. B. https://beratung.example.org, nicht {SITE_URL!r}."
    )
# Passkeys are bound to the tool's domain (the relying party) and accepted only from its addresses.
# Browsers refuse an IP address as the domain: the demo's passkeys work on http://localhost:8000.
OTP_WEBAUTHN_RP_ID = urlsplit(SITE_URL).hostname or (ALLOWED_HOSTS or ["localhost"])[0].lstrip(".")
if OTP_WEBAUTHN_RP_ID in ("127.0.0.1", "::1"):
    OTP_WEBAUTHN_RP_ID = "localhost"
OTP_WEBAUTHN_ALLOWED_ORIGINS = list(
    dict.fromkeys(
        origin.rstrip("/")
        for origin in [SITE_URL, *CSRF_TRUSTED_ORIGINS, f"https://{OTP_WEBAUTHN_RP_ID}"]
        + (["http://localhost:8000"] if DEBUG else [])
        if origin and urlsplit(origin).hostname == OTP_WEBAUTHN_RP_ID
    )
)

# Deletion periods (DSGVO Art. 5 (1) e; README "Datenschutz"): applied by `manage.py apply_retention`.
RETENTION = {
    # Contact persons: years after the last consultation of their organisation (or their creation).
    "contact_person_years": env_int("RETENTION_CONTACT_PERSON_YEARS", 3),
    # Free texts of consultations, cases, events, assessments: years after the end of their funding
    # (calendar) year, since records backing a grant are kept five years.
    "free_text_years": env_int("RETENTION_FREE_TEXT_YEARS", 5),
    # History entries (django-simple-history): years after they were written.
    "history_years": env_int("RETENTION_HISTORY_YEARS", 5),
    # Access log entries: days after they were written.
    "access_log_days": env_int("RETENTION_ACCESS_LOG_DAYS", 365),
}
for _name, _value in RETENTION.items():
    if _value < 1:
        raise ImproperlyConfigured(f"Die Löschfrist {_name} muss mindestens 1 sein, nicht {_value}.")

PAGE_SIZE = 25
