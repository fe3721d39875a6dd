#!/usr/bin/env bash
# Back up the application's PostgreSQL database: pg_dump -Fc of DATABASE_URL into BACKUP_DIR as
# vielfalt-<UTC timestamp>.dump (or .dump.gpg, encrypted), then keep only the BACKUP_KEEP newest backups.
#
# Environment (usually from /etc/vielfalt/vielfalt.env, see deploy/vielfalt.env.example):
#   DATABASE_URL                 the database to back up (required)
#   BACKUP_DIR                   target directory (default /var/backups/vielfalt; must exist)
#   BACKUP_KEEP                  how many backups to keep (default 14: two weeks of daily backups)
#   BACKUP_GPG_RECIPIENT         encrypt to this public key: a key file (.asc) or a key ID in GNUPGHOME
#   BACKUP_GPG_PASSPHRASE_FILE   or: encrypt symmetrically with the passphrase in this file
#
# Exits non-zero on any failure; a failed run never deletes an older backup. Prints no secrets.
set -euo pipefail
umask 077
SCRIPT_NAME=backup
# shellcheck source=deploy/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ -n "${DATABASE_URL:-}" ] || fail "DATABASE_URL ist nicht gesetzt."
BACKUP_DIR="${BACKUP_DIR:-/var/backups/vielfalt}"
BACKUP_KEEP="${BACKUP_KEEP:-14}"
RECIPIENT="${BACKUP_GPG_RECIPIENT:-}"
PASSPHRASE_FILE="${BACKUP_GPG_PASSPHRASE_FILE:-}"

[[ "$BACKUP_KEEP" =~ ^[1-9][0-9]*$ ]] || fail "BACKUP_KEEP muss eine ganze Zahl ab 1 sein, nicht „$BACKUP_KEEP“."
[ -d "$BACKUP_DIR" ] || fail "Sicherungsverzeichnis $BACKUP_DIR fehlt (anlegen: install -d -o vielfalt -g vielfalt -m 0700 $BACKUP_DIR)."
[ -w "$BACKUP_DIR" ] || fail "Sicherungsverzeichnis $BACKUP_DIR ist nicht beschreibbar."
if [ -n "$RECIPIENT" ] && [ -n "$PASSPHRASE_FILE" ]; then
  fail "BACKUP_GPG_RECIPIENT und BACKUP_GPG_PASSPHRASE_FILE schließen sich aus: nur eines setzen."
fi
if [ -n "$PASSPHRASE_FILE" ] && [ ! -r "$PASSPHRASE_FILE" ]; then
  fail "Passphrasen-Datei $PASSPHRASE_FILE ist nicht lesbar."
fi

# Work inside BACKUP_DIR: same file system as the result (the final rename is atomic, the free space
# that counts is checked) and never a world-readable place for the unencrypted dump.
WORK_DIR="$(mktemp -d "$BACKUP_DIR/.work.XXXXXX")"
trap cleanup_work_dir EXIT

pg_connect "$DATABASE_URL" "$WORK_DIR/pgpass"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
plain="$WORK_DIR/vielfalt-$stamp.dump"

pg_dump --format=custom --compress=6 --no-password --file="$plain" ||
  fail "pg_dump von $(pg_describe) ist fehlgeschlagen."
# A dump whose table of contents cannot be read is no backup.
pg_restore --list "$plain" >/dev/null || fail "Die neue Sicherung ist nicht lesbar (pg_restore --list)."

if [ -n "$RECIPIENT" ]; then
  result="$WORK_DIR/vielfalt-$stamp.dump.gpg"
  if [ -f "$RECIPIENT" ]; then
    gpg_throwaway --compress-algo none --recipient-file "$RECIPIENT" --output "$result" --encrypt "$plain" ||
      fail "Verschlüsseln mit dem Schlüssel aus $RECIPIENT ist fehlgeschlagen."
  else
    # A key ID: the key must have been imported into GNUPGHOME; importing it is the trust decision.
    gpg --batch --yes --quiet --no-tty --trust-model always --compress-algo none --recipient "$RECIPIENT" --output "$result" \
      --encrypt "$plain" || fail "Verschlüsseln für $RECIPIENT ist fehlgeschlagen (Schlüssel in GNUPGHOME importiert?)."
  fi
elif [ -n "$PASSPHRASE_FILE" ]; then
  result="$WORK_DIR/vielfalt-$stamp.dump.gpg"
  gpg_throwaway --pinentry-mode loopback --passphrase-file "$PASSPHRASE_FILE" --cipher-algo AES256 --compress-algo none \
    --output "$result" --symmetric "$plain" || fail "Symmetrisches Verschlüsseln ist fehlgeschlagen."
else
  result="$plain"
fi

final="$BACKUP_DIR/$(basename "$result")"
mv "$result" "$final"

# Rotation: the names sort by time, so everything before the newest BACKUP_KEEP goes.
shopt -s nullglob
backups=("$BACKUP_DIR"/vielfalt-*.dump "$BACKUP_DIR"/vielfalt-*.dump.gpg)
shopt -u nullglob
mapfile -t backups < <(printf '%s\n' "${backups[@]}" | sort -r)
removed=0
for old in "${backups[@]:$BACKUP_KEEP}"; do
  rm -f -- "$old"
  removed=$((removed + 1))
done

size="$(du -h "$final" | cut -f1)"
kept=$((${#backups[@]} - removed))
echo "$SCRIPT_NAME: $(pg_describe) gesichert in $final ($size); $kept Sicherung(en) behalten, $removed gelöscht."
