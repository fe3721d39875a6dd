"""The deployment kit (deploy/): the environment example, backup.sh, restore.sh and the drill's verdicts.

backup.sh runs here against stand-ins for pg_dump and pg_restore, so its own logic (rotation, encryption,
failure, secrets) is tested on any machine; the real dump and restore run in deploy/restore_drill.py
on PostgreSQL (.ci/run).
"""

import importlib.util
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
PASSWORD = "s3cr:t-pässwort"  # ":" must be escaped in the passfile

BASH = shutil.which("bash") or "/bin/bash"
GPG = shutil.which("gpg") or "gpg"
needs_gpg = pytest.mark.skipif(shutil.which("gpg") is None, reason="gpg is not installed")


def example_variables() -> set[str]:
    text = (DEPLOY / "vielfalt.env.example").read_text()
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))


def test_env_example_names_every_variable_the_settings_read():
    settings = (ROOT / "config" / "settings.py").read_text()
    read = set(re.findall(r"env_(?:str|bool|int|list)\(\s*\"([A-Z][A-Z0-9_]+)\"", settings))
    assert {"SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"} <= read  # the pattern still finds them
    assert read - example_variables() == set()


def test_env_example_names_mail_and_backup_variables():
    backup = (DEPLOY / "backup.sh").read_text()
    used = set(re.findall(r"\$\{(BACKUP_[A-Z_]+)", backup))
    mail = {"EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS", "DEFAULT_FROM_EMAIL"}
    assert used and (used | mail) - example_variables() == set()


def test_env_example_loads_as_the_services_and_manage_sh_read_it(tmp_path):
    """Sourced by bash as deploy/manage.sh does, with a real SECRET_KEY, the example passes the settings'
    own checks (e-mail, SITE_URL, proxy count) – only the placeholder key is refused."""
    example = (DEPLOY / "vielfalt.env.example").read_text()
    env_file = tmp_path / "vielfalt.env"
    env_file.write_text(example.replace("SECRET_KEY=BITTE-ERSETZEN", "SECRET_KEY=" + secrets.token_urlsafe(50)))
    script = (
        'set -a; . "$1"; set +a; exec "$2" -c "import config.settings as s; '
        "print(s.DEFAULT_FROM_EMAIL, s.TRUSTED_PROXY_COUNT, s.DATABASES['default']['NAME'], s.DEBUG)\""
    )
    run = [BASH, "-c", script, "-", str(env_file), sys.executable]

    done = subprocess.run(run, cwd=ROOT, env={"PATH": os.environ["PATH"]}, capture_output=True, text=True)  # noqa: S603 - fixed commands
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Vielfalt-Beratung <beratung@example.org> 1 vielfalt False"

    env_file.write_text(example)
    refused = subprocess.run(run, cwd=ROOT, env={"PATH": os.environ["PATH"]}, capture_output=True, text=True)  # noqa: S603
    assert refused.returncode != 0 and "SECRET_KEY hat nur 14 Zeichen" in refused.stderr


# --- backup.sh with stand-ins -----------------------------------------------------------------------


@pytest.fixture
def fake_pg(tmp_path):
    """pg_dump writes a small file and records its arguments and passfile; pg_restore --list accepts it."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    record = tmp_path / "pg_dump.args"
    (bin_dir / "pg_dump").write_text(
        "#!/bin/bash\n"
        f'echo "$@" > {record}\n'
        f'cat "$PGPASSFILE" >> {record}\n'
        f'echo "PGDATABASE=$PGDATABASE PGHOST=$PGHOST" >> {record}\n'
        '[ -z "${FAIL_DUMP:-}" ] || { echo "pg_dump: error: connection failed" >&2; exit 1; }\n'
        'for arg; do case "$arg" in --file=*) echo "PGDMP stand-in" > "${arg#--file=}";; esac; done\n'
    )
    (bin_dir / "pg_restore").write_text('#!/bin/bash\n[ "$1" = --list ] && grep -q PGDMP "$2"\n')
    for program in bin_dir.iterdir():
        program.chmod(0o755)
    backups = tmp_path / "backups"
    backups.mkdir()
    env = {
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "VIELFALT_PYTHON": sys.executable,
        "DATABASE_URL": f"postgres://vielfalt:{PASSWORD.replace(':', '%3A')}@db.intern:5432/vielfalt",
        "BACKUP_DIR": str(backups),
    }
    return {"env": env, "backups": backups, "record": record, "tmp": tmp_path}


def run_backup(fake_pg, **env):
    return subprocess.run(  # noqa: S603 - our own script
        [BASH, DEPLOY / "backup.sh"], env={**fake_pg["env"], **env}, capture_output=True, text=True, check=False
    )


def test_backup_writes_a_timestamped_dump_and_keeps_the_newest(fake_pg):
    backups = fake_pg["backups"]
    old = ["vielfalt-20250101T023000Z.dump", "vielfalt-20250102T023000Z.dump.gpg", "vielfalt-20250103T023000Z.dump"]
    for name in [*old, "notizen.txt"]:
        (backups / name).write_text("old")

    done = run_backup(fake_pg, BACKUP_KEEP="2")

    assert done.returncode == 0, done.stderr
    kept = sorted(path.name for path in backups.iterdir())
    new = [name for name in kept if name not in old and name != "notizen.txt"]
    assert len(new) == 1 and re.fullmatch(r"vielfalt-\d{8}T\d{6}Z\.dump", new[0])
    assert kept == sorted([new[0], "vielfalt-20250103T023000Z.dump", "notizen.txt"])
    assert (backups / new[0]).read_text() == "PGDMP stand-in\n"
    assert "2 gelöscht" in done.stdout


def test_backup_keeps_the_password_off_command_lines_and_output(fake_pg):
    done = run_backup(fake_pg)

    assert done.returncode == 0, done.stderr
    args, passfile, target = fake_pg["record"].read_text().splitlines()
    assert "s3cr" not in args and "--format=custom" in args
    assert passfile == "*:*:*:*:s3cr\\:t-pässwort"
    assert target == "PGDATABASE=vielfalt PGHOST=db.intern"
    assert "s3cr" not in done.stdout + done.stderr


def test_failed_dump_exits_non_zero_and_deletes_nothing(fake_pg):
    backups = fake_pg["backups"]
    for day in range(1, 4):
        (backups / f"vielfalt-2025010{day}T023000Z.dump").write_text("old")

    done = run_backup(fake_pg, BACKUP_KEEP="1", FAIL_DUMP="1")

    assert done.returncode != 0
    assert "pg_dump von „vielfalt“ auf db.intern:5432 ist fehlgeschlagen" in done.stderr
    assert "s3cr" not in done.stdout + done.stderr
    assert len(list(backups.iterdir())) == 3  # no rotation, no work directory left behind


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"BACKUP_KEEP": "0"}, "BACKUP_KEEP muss eine ganze Zahl ab 1 sein"),
        ({"BACKUP_DIR": "/nonexistent/vielfalt"}, "Sicherungsverzeichnis /nonexistent/vielfalt fehlt"),
        ({"DATABASE_URL": "sqlite:///db.sqlite3"}, "keine PostgreSQL-Adresse"),
        (
            {"BACKUP_GPG_RECIPIENT": "a@example.org", "BACKUP_GPG_PASSPHRASE_FILE": "/etc/hostname"},
            "schließen sich aus",
        ),
    ],
)
def test_backup_refuses_bad_configuration(fake_pg, env, message):
    done = run_backup(fake_pg, **env)

    assert done.returncode != 0
    assert message in done.stderr
    assert list(fake_pg["backups"].iterdir()) == []


def gpg(home, *args, **kwargs):
    return subprocess.run(  # noqa: S603 - fixed command
        [GPG, "--homedir", str(home), "--batch", "--yes", "--quiet", *args],
        capture_output=True,
        check=True,
        **kwargs,
    )


@needs_gpg
def test_backup_encrypts_symmetrically_with_the_passphrase_file(fake_pg):
    passphrase = fake_pg["tmp"] / "passphrase"
    passphrase.write_text("lange geheime passphrase")

    done = run_backup(fake_pg, BACKUP_GPG_PASSPHRASE_FILE=str(passphrase))

    assert done.returncode == 0, done.stderr
    (backup,) = fake_pg["backups"].iterdir()
    assert backup.name.endswith(".dump.gpg") and b"PGDMP" not in backup.read_bytes()
    home = fake_pg["tmp"] / "gnupg-check"
    home.mkdir(mode=0o700)
    plain = gpg(home, "--pinentry-mode", "loopback", "--passphrase-file", str(passphrase), "--decrypt", str(backup))
    assert plain.stdout == b"PGDMP stand-in\n"
    gpg_kill_agent(home)


def gpg_kill_agent(home):
    gpgconf = shutil.which("gpgconf") or "gpgconf"
    subprocess.run([gpgconf, "--homedir", str(home), "--kill", "gpg-agent"], check=False, capture_output=True)  # noqa: S603


@needs_gpg
def test_backup_encrypts_to_a_public_key_file(fake_pg):
    home = fake_pg["tmp"] / "gnupg-owner"  # the key holder's keyring; the server only gets the public key
    home.mkdir(mode=0o700)
    gpg(home, "--passphrase", "", "--quick-generate-key", "sicherung@example.org", "ed25519", "cert", "never")
    fingerprint = re.search(rb"fpr:+([0-9A-F]{40}):", gpg(home, "--with-colons", "--list-keys").stdout).group(1)
    gpg(home, "--passphrase", "", "--quick-add-key", fingerprint.decode(), "cv25519", "encr", "never")
    public_key = fake_pg["tmp"] / "backup-key.asc"
    public_key.write_bytes(gpg(home, "--armor", "--export", "sicherung@example.org").stdout)

    done = run_backup(fake_pg, BACKUP_GPG_RECIPIENT=str(public_key))

    assert done.returncode == 0, done.stderr
    (backup,) = fake_pg["backups"].iterdir()
    assert backup.name.endswith(".dump.gpg")
    assert gpg(home, "--decrypt", str(backup)).stdout == b"PGDMP stand-in\n"
    gpg_kill_agent(home)


# --- restore.sh ---------------------------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="restore.sh needs PostgreSQL")
@pytest.mark.django_db
def test_restore_refuses_a_database_that_is_not_empty(fake_pg):
    settings = connection.settings_dict
    (fake_pg["backups"] / "vielfalt-20250101T023000Z.dump").write_text("PGDMP stand-in\n")
    url = (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"
    )
    env = {**fake_pg["env"], "PATH": os.environ["PATH"], "RESTORE_DATABASE_URL": url}
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]

    done = subprocess.run(  # noqa: S603 - our own script
        [BASH, DEPLOY / "restore.sh", fake_pg["backups"] / "vielfalt-20250101T023000Z.dump"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode != 0
    assert f"Die Zieldatenbank „{settings['NAME']}“" in done.stderr and "ist nicht leer" in done.stderr


# --- The drill's verdicts -----------------------------------------------------------------------------


def load_drill():
    spec = importlib.util.spec_from_file_location("restore_drill", DEPLOY / "restore_drill.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def snapshot(**changes):
    data = {
        "counts": {"casework_consultation": 600, "organisations_contactperson": 55},
        "figures": {"2025 mo": {"totals": [{"key": "consultations", "value": 300}]}},
        "contact": {"rows": 0, "history_rows": 0, "marker_hits": {}},
    }
    return {**data, **changes}


ERASED = {
    "id": 1,
    "marker": "Löschprobe-x",
    "before": {"history_rows": 2, "marker_hits": {"organisations_contactperson": 1}},
}
REMINDER = "… Löschfristen erneut anwenden …"


def verdict(before, after, restore_output=REMINDER, erased=ERASED):
    drill = load_drill().Drill("postgres://postgres@127.0.0.1:5432/postgres")
    drill.compare(erased, before, after, restore_output)
    return drill.problems


def test_drill_passes_identical_snapshots(capsys):
    assert verdict(snapshot(), snapshot()) == []


@pytest.mark.parametrize(
    ("after", "problem"),
    [
        (snapshot(counts={"casework_consultation": 599, "organisations_contactperson": 55}), "row counts"),
        (snapshot(counts={"casework_consultation": 600}), "same tables"),
        (snapshot(figures={"2025 mo": {"totals": [{"key": "consultations", "value": 299}]}}), "report figures"),
        (snapshot(contact={"rows": 0, "history_rows": 1, "marker_hits": {}}), "gelöschte Ansprechperson"),
        (
            snapshot(contact={"rows": 0, "history_rows": 0, "marker_hits": {"casework_historicalconsultation": 1}}),
            "gelöschte Ansprechperson",
        ),
    ],
)
def test_drill_fails_on_any_difference(after, problem, capsys):
    problems = verdict(snapshot(), after)

    assert problems and all(problem in found or "row counts" in found for found in problems)
    assert any(problem in found for found in problems)


def test_drill_fails_when_the_erased_record_left_no_trace_to_look_for(capsys):
    """A marker that never was in the database would make "absent after restore" prove nothing."""
    erased = {**ERASED, "before": {"history_rows": 0, "marker_hits": {}}}

    assert len(verdict(snapshot(), snapshot(), erased=erased)) == 1


def test_drill_fails_without_the_reminder_to_reapply_deletion_periods(capsys):
    assert len(verdict(snapshot(), snapshot(), restore_output="fertig")) == 1
