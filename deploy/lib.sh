# Shared by backup.sh and restore.sh (sourced, not run).
#
# Connection details come from a DATABASE_URL, parsed by the same library the application uses
# (dj-database-url), and are handed to pg_dump/pg_restore/psql as PG* variables. The password goes into a
# private passfile, never onto a command line (where `ps` would show it) and never into the output.

APP_DIR="${APP_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
VIELFALT_PYTHON="${VIELFALT_PYTHON:-$APP_DIR/.venv/bin/python}"

fail() {
  echo "$SCRIPT_NAME: FEHLER: $*" >&2
  exit 1
}

# pg_connect URL PASSFILE: export PGHOST, PGPORT, PGUSER, PGDATABASE, PGSSL* and PGPASSFILE for URL.
pg_connect() {
  local url="$1" passfile="$2" settings key value
  [ -x "$VIELFALT_PYTHON" ] || fail "Python der Anwendung nicht gefunden: $VIELFALT_PYTHON (VIELFALT_PYTHON setzen)."
  unset PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGPASSWORD PGSERVICE PGSSLMODE PGSSLROOTCERT PGSSLCERT \
    PGSSLKEY PGCONNECT_TIMEOUT
  # The script prints KEY=value lines (no password) and writes the password into PASSFILE.
  settings="$(DB_URL="$url" PASSFILE="$passfile" "$VIELFALT_PYTHON" - <<'PY'
import os
import sys

import dj_database_url

ENV = {"HOST": "PGHOST", "PORT": "PGPORT", "USER": "PGUSER", "NAME": "PGDATABASE"}
OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}
try:
    db = dj_database_url.parse(os.environ["DB_URL"])
except Exception:  # the message could quote the URL, password included
    sys.exit("Die Datenbank-Adresse ist ungültig (erwartet: postgres://benutzer:passwort@host:5432/datenbank).")
if db.get("ENGINE") != "django.db.backends.postgresql":
    sys.exit("Die Datenbank-Adresse ist keine PostgreSQL-Adresse (postgres://…).")
if not db.get("NAME"):
    sys.exit("Die Datenbank-Adresse nennt keine Datenbank.")
for key, variable in ENV.items():
    value = str(db.get(key) or "")
    if value:
        if "\n" in value:
            sys.exit(f"{variable}: Zeilenumbruch in der Datenbank-Adresse.")
        print(f"{variable}={value}")
for key, value in (db.get("OPTIONS") or {}).items():
    if key not in OPTIONS:
        sys.exit(f"Unbekannter Parameter „{key}“ in der Datenbank-Adresse (erlaubt: {', '.join(OPTIONS)}).")
    print(f"{OPTIONS[key]}={value}")
password = db.get("PASSWORD") or ""
# .pgpass format: host:port:database:user:password, with ":" and "\" escaped.
escaped = password.replace("\\", "\\\\").replace(":", "\\:")
with open(os.open(os.environ["PASSFILE"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as passfile:
    if password:
        passfile.write(f"*:*:*:*:{escaped}\n")
PY
  )" || fail "Datenbank-Adresse nicht verwendbar."
  while IFS='=' read -r key value; do
    [ -n "$key" ] && export "$key=$value"
  done <<<"$settings"
  export PGPASSFILE="$passfile"
}

# The database named by the PG* variables, for messages (never the password).
pg_describe() {
  echo "„${PGDATABASE}“ auf ${PGHOST:-lokalem Socket}${PGPORT:+:$PGPORT}"
}

# gpg with a throwaway home directory: symmetric encryption and --recipient-file need no keyring.
# It lives in TMPDIR, not in the work directory: gpg-agent's socket path must stay short (108 bytes).
GPG_HOME=""
gpg_throwaway() {
  [ -n "$GPG_HOME" ] || GPG_HOME="$(mktemp -d "${TMPDIR:-/tmp}/vielfalt-gpg.XXXXXX")"
  gpg --homedir "$GPG_HOME" --batch --yes --quiet --no-tty "$@"
}

# Stop the gpg-agent the throwaway home may have started, then remove the temporary directories.
cleanup_work_dir() {
  if [ -n "$GPG_HOME" ] && [ -d "$GPG_HOME" ]; then
    gpgconf --homedir "$GPG_HOME" --kill gpg-agent >/dev/null 2>&1 || true
    rm -rf "$GPG_HOME"
  fi
  if [ -n "${WORK_DIR:-}" ] && [ -d "$WORK_DIR" ]; then
    rm -rf "$WORK_DIR"
  fi
}
