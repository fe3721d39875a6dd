#!/usr/bin/env bash
# Restore a backup made by backup.sh into an empty database, then bring its schema up to date.
#
#   deploy/restore.sh /var/backups/vielfalt/vielfalt-20260101T023000Z.dump[.gpg]
#
# Target: RESTORE_DATABASE_URL if set, else DATABASE_URL. The target database must exist and be empty
# (createdb -O vielfalt vielfalt): this script never overwrites data. Encrypted backups (.gpg) are
# decrypted with BACKUP_GPG_PASSPHRASE_FILE (symmetric) or the private key in GNUPGHOME.
# Afterwards it runs `manage.py migrate` with the application's settings (SECRET_KEY etc. from the
# environment) and reminds to re-apply the deletion periods.
set -euo pipefail
umask 077
SCRIPT_NAME=restore
# shellcheck source=deploy/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -eq 1 ] || fail "Aufruf: $0 SICHERUNGSDATEI (Ziel: RESTORE_DATABASE_URL oder DATABASE_URL)."
backup="$1"
[ -r "$backup" ] || fail "Sicherung $backup nicht gefunden oder nicht lesbar."
target_url="${RESTORE_DATABASE_URL:-${DATABASE_URL:-}}"
[ -n "$target_url" ] || fail "Weder RESTORE_DATABASE_URL noch DATABASE_URL ist gesetzt."

WORK_DIR="$(mktemp -d)"
trap cleanup_work_dir EXIT
pg_connect "$target_url" "$WORK_DIR/pgpass"
target="$(pg_describe)"

# Only an empty database: a restore on top of existing tables would mix two states of the data.
objects="$(psql --no-password --no-psqlrc --quiet --tuples-only --no-align --command "
  SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
    AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
    AND n.nspname NOT LIKE 'pg_temp%'")" || fail "Keine Verbindung zur Zieldatenbank $target."
[ "$objects" = "0" ] ||
  fail "Die Zieldatenbank $target ist nicht leer ($objects Tabellen/Sequenzen). Eine leere Datenbank anlegen (createdb) und erneut versuchen."

dump="$backup"
if [[ "$backup" == *.gpg ]]; then
  dump="$WORK_DIR/restore.dump"
  if [ -n "${BACKUP_GPG_PASSPHRASE_FILE:-}" ]; then
    gpg_throwaway --pinentry-mode loopback --passphrase-file "$BACKUP_GPG_PASSPHRASE_FILE" \
      --output "$dump" --decrypt "$backup" || fail "Entschlüsseln mit der Passphrasen-Datei ist fehlgeschlagen."
  else
    gpg --batch --yes --quiet --output "$dump" --decrypt "$backup" ||
      fail "Entschlüsseln ist fehlgeschlagen (privater Schlüssel in GNUPGHOME?)."
  fi
fi

echo "$SCRIPT_NAME: spiele $(basename "$backup") in $target ein …"
# One transaction: either the whole backup arrives or nothing does. Owners and grants of the source
# server are dropped; the objects belong to the role that restores (the application's database user).
pg_restore --no-password --exit-on-error --single-transaction --no-owner --no-privileges \
  --dbname="$PGDATABASE" "$dump" || fail "pg_restore in $target ist fehlgeschlagen; die Datenbank ist unverändert."

echo "$SCRIPT_NAME: bringe das Datenbankschema auf den Stand dieser Version (manage.py migrate) …"
# PGPASSFILE and friends must not leak into Django: it reads DATABASE_URL only.
(
  unset PGPASSFILE
  DATABASE_URL="$target_url" "$VIELFALT_PYTHON" "$APP_DIR/manage.py" migrate --no-input
) || fail "manage.py migrate auf $target ist fehlgeschlagen."

cat <<EOF
$SCRIPT_NAME: Wiederherstellung in $target abgeschlossen.

WICHTIG – Löschfristen erneut anwenden / re-apply deletion periods:
  Die Sicherung kann Datensätze enthalten, die nach ihrer Erstellung wegen abgelaufener Löschfristen
  gelöscht wurden. Bevor die Anwendung wieder freigegeben wird, die Löschfristen erneut anwenden
  (deploy/manage.sh apply_retention) und Löschungen auf Verlangen (Art. 17) seit dem Sicherungszeitpunkt
  wiederholen. Eine Wiederherstellung darf Gelöschtes nicht zurückbringen.
EOF
