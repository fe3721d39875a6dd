"""Production settings: the SQLite defaults that avoid "database is locked", and the start-up checks.

The settings module is imported in a child process with the environment under test: the test
suite's own settings (config.test_settings) and in-memory database say nothing about production.
"""

import base64
import json
import os
import subprocess
import sys
import textwrap

import pytest
from django.conf import settings

from config import settings as project_settings

STRONG_KEY = "ci-" + base64.b64encode(os.urandom(48)).decode()  # as .ci/run makes it: 67 characters


def run_with_settings(code: str, **env) -> subprocess.CompletedProcess:
    """Run `code` in a fresh interpreter whose DJANGO_SETTINGS_MODULE is config.settings."""
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": STRONG_KEY,
        "ALLOWED_HOSTS": "beratung.example.org",
        **env,
    }
    return subprocess.run(  # noqa: S603 - our interpreter, our code
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- SQLite --------------------------------------------------------------------------------------

SQLITE_PROBE = """
    import json, sqlite3, threading
    import django
    django.setup()
    from django.db import connection, connections, transaction, OperationalError

    result = {}
    with connection.cursor() as cursor:
        result["journal_mode"] = cursor.execute("PRAGMA journal_mode").fetchone()[0]
        result["busy_timeout_ms"] = cursor.execute("PRAGMA busy_timeout").fetchone()[0]
        result["synchronous"] = cursor.execute("PRAGMA synchronous").fetchone()[0]
        cursor.execute("CREATE TABLE probe (id INTEGER PRIMARY KEY, thread INTEGER)")
    result["transaction_mode"] = connection.transaction_mode

    # IMMEDIATE: an open transaction holds the write lock before it has written anything.
    other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0)
    with transaction.atomic():
        connection.cursor().execute("SELECT count(*) FROM probe")
        try:
            other.execute("BEGIN IMMEDIATE")
            other.rollback()
            result["write_lock_at_begin"] = False
        except sqlite3.OperationalError:
            result["write_lock_at_begin"] = True
    other.close()

    # Two threads, each reading before it writes (as a form save does): none may see "database is locked".
    errors, saves = [], []

    def write(number):
        try:
            for _ in range(150):
                try:
                    with transaction.atomic():
                        with connection.cursor() as cursor:
                            cursor.execute("SELECT count(*) FROM probe WHERE thread = %s", [number])
                            cursor.execute("INSERT INTO probe (thread) VALUES (%s)", [number])
                    saves.append(number)
                except OperationalError as error:
                    errors.append(str(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result["saves"], result["errors"] = len(saves), errors[:3]
    print(json.dumps(result))
"""


def test_sqlite_file_database_uses_wal_busy_timeout_and_immediate_transactions(tmp_path):
    database = tmp_path / "probe.sqlite3"
    completed = run_with_settings(SQLITE_PROBE, DATABASE_URL=f"sqlite:///{database}")
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["journal_mode"] == "wal"
    assert result["busy_timeout_ms"] >= 5000
    assert result["synchronous"] == 1  # NORMAL
    assert result["transaction_mode"] == "IMMEDIATE"
    assert result["write_lock_at_begin"] is True
    assert result["errors"] == []
    assert result["saves"] == 300


def test_sqlite_options_leave_postgresql_alone():
    code = "import json, config.settings as s; print(json.dumps(s.DATABASES['default']['OPTIONS']))"
    completed = run_with_settings(code, DATABASE_URL="postgres://vielfalt@db.invalid:5432/vielfalt")
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout) == {"options": "-c jit=off"}


# --- SECRET_KEY ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "kurz-aber-zufällig-7Hq2",  # < 50 characters
        "ab" * 40,  # long, but only two different characters
        "django-insecure-" + "x9Kq2mZ7vL" * 6,  # Django's startproject key, however long
        "…",  # the README's placeholder
        "dev-only-insecure-key",
        "test-only-key",
    ],
)
def test_weak_secret_key_stops_a_production_start(key):
    completed = run_with_settings("import config.settings", SECRET_KEY=key)
    assert completed.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY" in completed.stderr
    assert 'python -c "import secrets; print(secrets.token_urlsafe(50))"' in completed.stderr


@pytest.mark.parametrize(
    ("key", "debug"),
    [
        (STRONG_KEY, "false"),  # what .ci/run passes to check --deploy
        ("x" + "9Kq2mZ7vLa" * 5, "false"),  # exactly 51 characters
        ("dev-only-insecure-key", "true"),  # development: the weak default is fine
    ],
    # Fixed ids: the random key must not name the test (pytest-xdist workers compare their collections).
    ids=["ci-key", "51-characters", "debug"],
)
def test_strong_secret_key_or_debug_starts(key, debug):
    completed = run_with_settings("import config.settings", SECRET_KEY=key, DEBUG=debug)
    assert completed.returncode == 0, completed.stderr


def test_secret_key_problem_names_the_reason():
    assert "12 Zeichen" in project_settings.secret_key_problem("zu-kurz-1234")
    assert "verschiedene Zeichen" in project_settings.secret_key_problem("0" * 80)
    assert "django-insecure" in project_settings.secret_key_problem("django-insecure-" + "abcdef" * 10)
    assert project_settings.secret_key_problem(STRONG_KEY) is None


# --- Reverse proxy -------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["-1", "eins"])
def test_bad_trusted_proxy_count_stops_the_start(raw):
    completed = run_with_settings("import config.settings", TRUSTED_PROXY_COUNT=raw)
    assert completed.returncode != 0
    assert "TRUSTED_PROXY_COUNT" in completed.stderr
