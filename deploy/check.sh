#!/usr/bin/env bash
# Checks the deployment kit without a server: the systemd units pass `systemd-analyze verify`, the nginx
# site passes `nginx -t`, the shell scripts parse. Needs the Debian packages systemd, nginx and openssl.
#
# systemd-analyze verify checks that every Exec* binary exists. It runs with --root on a throwaway tree
# holding the host's unit library, our units, the kit's own scripts at /srv/vielfalt/deploy, and stand-ins
# for the virtualenv's programs – each only after checking that the real one exists (our .venv, the host).
# verify reports unknown or malformed settings as warnings with exit status 0: any output counts as failure.
set -euo pipefail
cd "$(dirname "$0")/.."
APP=/srv/vielfalt
WORK="$(mktemp -d)"
pids=()
cleanup() {
  [ ${#pids[@]} -eq 0 ] || kill "${pids[@]}" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
failed=0

echo "-- systemd units"
root="$WORK/root"
mkdir -p "$root/etc/systemd/system" "$root/usr/lib/systemd" "$root/etc/vielfalt"
cp -a /usr/lib/systemd/system "$root/usr/lib/systemd/"
cp deploy/systemd/*.service deploy/systemd/*.timer "$root/etc/systemd/system/"
cp deploy/vielfalt.env.example "$root/etc/vielfalt/vielfalt.env"

# Every program a unit starts: the first word of Exec* lines, without the prefixes -@:+!.
mapfile -t programs < <(sed -n 's/^Exec[A-Za-z]*=[-@:+!]*\([^ ]*\).*/\1/p' deploy/systemd/*.service | sort -u)
for program in "${programs[@]}"; do
  case "$program" in
    "$APP"/deploy/*) source_file="deploy/${program#"$APP"/deploy/}" ;;  # the kit's own script
    "$APP"/.venv/bin/*) source_file=".venv/bin/${program#"$APP"/.venv/bin/}" ;;  # installed by requirements.txt
    *) source_file="$program" ;;  # a system program
  esac
  if [ ! -x "$source_file" ]; then
    echo "FEHLER: $program (geprüft als $source_file) fehlt oder ist nicht ausführbar"
    failed=1
    continue
  fi
  mkdir -p "$root$(dirname "$program")"
  printf '#!/bin/sh\n' >"$root$program"
  chmod +x "$root$program"
done

units=(deploy/systemd/*.service deploy/systemd/*.timer)
output="$(systemd-analyze verify --man=no --generators=no --root="$root" "${units[@]##*/}" 2>&1)" || failed=1
if [ -n "$output" ]; then
  echo "$output"
  failed=1
else
  echo "systemd-analyze verify: ${#units[@]} Units ohne Befund"
fi
# The exposure score is for information; the verify above is the test.
for unit in deploy/systemd/*.service; do
  systemd-analyze security --offline=yes --root="$root" "${unit##*/}" 2>/dev/null | tail -n 1 | sed "s/^/  ${unit##*/}: /" || true
done

echo "-- nginx site"
n="$WORK/nginx"
mkdir -p "$n"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=beratung.example.org" \
  -keyout "$n/privkey.pem" -out "$n/fullchain.pem" 2>/dev/null
sed -e "s#/etc/letsencrypt/live/beratung.example.org/#$n/#" -e "s#/var/log/nginx/#$n/#" \
  deploy/nginx/vielfalt.conf >"$n/vielfalt.conf"
grep -q "/etc/letsencrypt\|/var/log/nginx" "$n/vielfalt.conf" && { echo "FEHLER: Pfade nicht ersetzt"; failed=1; }
cat >"$n/nginx.conf" <<EOF
pid $n/nginx.pid;
error_log $n/error.log;
events {}
http {
    include /etc/nginx/mime.types;
    access_log $n/access.log;
    client_body_temp_path $n/body;
    proxy_temp_path $n/proxy;
    fastcgi_temp_path $n/fastcgi;
    uwsgi_temp_path $n/uwsgi;
    scgi_temp_path $n/scgi;
    include $n/vielfalt.conf;
}
EOF
if output="$(nginx -t -q -e "$n/error.log" -p "$n" -c "$n/nginx.conf" 2>&1)" && ! grep -q "\[warn\]\|\[emerg\]" <<<"$output"; then
  echo "nginx -t: Konfiguration in Ordnung"
else
  echo "$output"
  failed=1
fi

echo "-- nginx in Betrieb: Weiterleitung, Kopfzeilen an gunicorn, statische Dateien, Upload-Grenze"
# The same site on free loopback ports, with an echo server in gunicorn's place.
read -r p80 p443 pup < <(.venv/bin/python -c "
import socket
socks = [socket.socket() for _ in range(3)]
for s in socks: s.bind(('127.0.0.1', 0))
print(*(s.getsockname()[1] for s in socks))")
mkdir -p "$n/run/static"
echo "body{}" >"$n/run/static/app.0123456789ab.css"
echo "body{}" >"$n/run/static/app.css"
sed -e "s/listen 80;/listen 127.0.0.1:$p80;/" -e "s/listen 443 ssl http2;/listen 127.0.0.1:$p443 ssl http2;/" \
  -e '/listen \[::\]/d' -e "s/127.0.0.1:8000/127.0.0.1:$pup/" -e "s#/srv/vielfalt/staticfiles/#$n/run/static/#" \
  "$n/vielfalt.conf" >"$n/run/vielfalt.conf"
# Started by root, nginx's workers would run as nobody, who may not enter this private directory.
user=""
[ "$(id -u)" -ne 0 ] || user="user root root;"
{
  echo "$user"
  sed -e "s#$n/vielfalt.conf#$n/run/vielfalt.conf#" -e "s#$n/nginx.pid#$n/run/nginx.pid#" "$n/nginx.conf"
} >"$n/run/nginx.conf"
.venv/bin/python - "$pup" <<'PY' &
import json, sys
from http.server import BaseHTTPRequestHandler, HTTPServer

class Echo(BaseHTTPRequestHandler):
    def answer(self):
        size = int(self.headers.get("Content-Length") or 0)
        while size > 0:
            size -= len(self.rfile.read(min(size, 1 << 20)))
        body = json.dumps({k.lower(): v for k, v in self.headers.items()}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    do_GET = do_POST = answer
    def log_message(self, *args):
        pass

HTTPServer(("127.0.0.1", int(sys.argv[1])), Echo).serve_forever()
PY
pids+=($!)
nginx -e "$n/error.log" -p "$n" -c "$n/run/nginx.conf" -g "daemon off;" &
pids+=($!)
for _ in $(seq 1 50); do
  curl -s -o /dev/null "http://127.0.0.1:$p80/" && curl -s -o /dev/null "http://127.0.0.1:$pup/" && break
  sleep 0.1
done
expect() {  # expect DESCRIPTION TEXT PATTERN (the text as one line)
  if grep -qiE -- "$3" <<<"$(tr -d '\r' <<<"$2" | tr '\n' ' ' | sed 's/ *$//')"; then echo "  ok   $1"; else echo "  FEHLER $1: erwartet /$3/ in: $2"; failed=1; fi
}
https="https://127.0.0.1:$p443"
expect "HTTP leitet auf HTTPS um" "$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "http://127.0.0.1:$p80/suche/?q=x")" \
  '^301 https://127\.0\.0\.1/suche/\?q=x$'
proxied="$(curl -sk -H 'X-Forwarded-For: 203.0.113.9' "$https/")"
expect "X-Forwarded-Proto https" "$proxied" '"x-forwarded-proto": "https"'
expect "X-Forwarded-For hängt die Adresse an" "$proxied" '"x-forwarded-for": "203\.0\.113\.9, 127\.0\.0\.1"'
expect "Host und X-Forwarded-Host" "$proxied" '"host": "127\.0\.0\.1".*"x-forwarded-host": "127\.0\.0\.1"'
expect "gehashte Datei ein Jahr im Cache" "$(curl -sk -D - -o /dev/null "$https/static/app.0123456789ab.css")" \
  '^HTTP/[0-9.]+ 200.*cache-control: public, max-age=31536000, immutable'
static_plain="$(curl -sk -D - -o /dev/null "$https/static/app.css")"
expect "ungehashte Datei kurz im Cache" "$static_plain" '^HTTP/[0-9.]+ 200.*cache-control: public, max-age=3600'
if grep -qi "strict-transport-security" <<<"$static_plain$(curl -sk -D - -o /dev/null "$https/")"; then
  echo "  FEHLER nginx sendet selbst HSTS (das tut die Anwendung)"
  failed=1
fi
head -c 21000000 /dev/zero >"$n/upload"
expect "Upload 21 MB wird angenommen" "$(curl -sk -o /dev/null -w '%{http_code}' --data-binary @"$n/upload" "$https/import/")" '^200$'
head -c 27000000 /dev/zero >"$n/upload"
expect "Upload 27 MB wird abgelehnt" "$(curl -sk -o /dev/null -w '%{http_code}' --data-binary @"$n/upload" "$https/import/")" '^413$'
expect "Zugriffsprotokoll ohne Query-String" "$(cat "$n/vielfalt.access.log" 2>/dev/null)" '"GET /suche/" 301'
if grep -q "q=x" "$n/vielfalt.access.log" 2>/dev/null; then
  echo "  FEHLER Query-String im Zugriffsprotokoll"
  failed=1
fi
kill "${pids[@]}"
wait "${pids[@]}" 2>/dev/null || true
pids=()

echo "-- Skripte"
for script in deploy/*.sh; do
  bash -n "$script" || failed=1
done
[ -x deploy/backup.sh ] && [ -x deploy/restore.sh ] || { echo "FEHLER: backup.sh/restore.sh nicht ausführbar"; failed=1; }

if [ "$failed" -ne 0 ]; then
  echo "Deploy-Kit: FEHLER"
  exit 1
fi
echo "Deploy-Kit: alles in Ordnung"
