#!/usr/bin/env bash
# manage.py on the server: with the environment the services use, as the user they run as.
#   /srv/vielfalt/deploy/manage.sh migrate
#   /srv/vielfalt/deploy/manage.sh createsuperuser
set -euo pipefail
ENV_FILE="${VIELFALT_ENV_FILE:-/etc/vielfalt/vielfalt.env}"
APP_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ "$(id -u)" -eq 0 ]; then
  # Files the command writes (static files, caches) must belong to the service user, not root.
  exec runuser -u vielfalt -- "$APP_DIR/deploy/manage.sh" "$@"
fi
[ -r "$ENV_FILE" ] || { echo "manage: $ENV_FILE fehlt oder ist nicht lesbar (Gruppe vielfalt?)." >&2; exit 1; }
set -a
# shellcheck source=/dev/null
. "$ENV_FILE"
set +a
cd "$APP_DIR"
exec "$APP_DIR/.venv/bin/python" manage.py "$@"
