"""Restore drill: prove that a backup made by deploy/backup.sh restores completely with deploy/restore.sh.

    .venv/bin/python deploy/restore_drill.py [--server-url postgres://postgres@127.0.0.1:5432/postgres]

On a PostgreSQL server (a role that may create databases; default: DATABASE_URL, else the local server)
it creates two scratch databases, migrates and seeds the demo data into the first, erases a contact
person the way the application does (with their history), backs it up (encrypted, as in production),
restores into the second, and compares:

- every table's row count,
- the funder report figures (reports.figures.report_figures) for every year with consultations, for each
  unit and for both together,
- that the erased contact person appears nowhere in the restored database (no row of any table contains
  their unique marker), though it did before the erasure.

Both scratch databases are dropped at the end. Exit status 1 on any mismatch. `--sabotage TABLE` empties
TABLE in the restored database before the comparison: the drill must then fail (a test of the drill).

The checks that need Django run in a child process of this script per database (`_snapshot`, `_erase`),
because the settings read DATABASE_URL once at start-up.
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

APP_DIR = Path(__file__).resolve().parent.parent
DEPLOY_DIR = APP_DIR / "deploy"
DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432/postgres"
# Report figures carry the time they were generated: fixed, so both databases give the same dict.
RESULT_PREFIX = "DRILL-RESULT "
FIXED_NOW = datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)


# --- Child side: runs with DATABASE_URL pointing at one scratch database --------------------------


def _django():
    sys.path.insert(0, str(APP_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def child_erase() -> dict:
    """Mark one contact person with a unique name, so their traces can be searched for, then erase them
    as the contact delete view does (organisations/views.py: contact.delete(), which also deletes the
    history, DSGVO Art. 17)."""
    _django()
    from organisations.models import ContactPerson

    contact = ContactPerson.objects.order_by("pk").first()
    if contact is None:
        raise SystemExit("Keine Ansprechperson in den Demodaten.")
    marker = f"Löschprobe-{uuid.uuid4().hex}"
    contact.name = marker
    contact.email = f"{marker.lower()}@example.org"
    contact.save()  # an edit, as through the form: adds a history row carrying the marker
    before = {
        "history_rows": ContactPerson.history.filter(id=contact.pk).count(),
        "marker_hits": _marker_hits(marker),
    }
    contact_id = contact.pk
    contact.delete()
    return {"id": contact_id, "marker": marker, "before": before}


def _tables() -> list[str]:
    from django.db import connection

    return sorted(connection.introspection.table_names())


def _marker_hits(marker: str) -> dict:
    """Tables with a row whose text form contains `marker` (PostgreSQL: a row cast to text)."""
    from django.db import connection

    hits = {}
    with connection.cursor() as cursor:
        for table in _tables():
            name = connection.ops.quote_name(table)
            cursor.execute(f"SELECT count(*) FROM {name} AS row WHERE row::text LIKE %s", [f"%{marker}%"])  # noqa: S608
            if found := cursor.fetchone()[0]:
                hits[table] = found
    return hits


def child_snapshot(contact_id: int, marker: str) -> dict:
    _django()
    from django.db import connection
    from django.db.models.functions import ExtractYear

    from casework.models import Consultation, Unit
    from organisations.models import ContactPerson
    from reports.figures import report_figures
    from reports.periods import year

    counts = {}
    with connection.cursor() as cursor:
        for table in _tables():
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]

    units = list(Unit.objects.order_by("pk"))
    years = sorted(set(Consultation.objects.annotate(y=ExtractYear("date")).values_list("y", flat=True)))
    figures = {}
    for y in years:
        for scope in [[unit] for unit in units] + [units]:
            key = f"{y} {'+'.join(unit.code for unit in scope)}"
            data = report_figures(scope, year(y), generated_by="Wiederherstellungsprobe", now=FIXED_NOW)
            # Through JSON, as reports are frozen: dates and decimals compare as their text.
            figures[key] = json.loads(json.dumps(data, default=str, sort_keys=True))
    return {
        "counts": counts,
        "figures": figures,
        "contact": {
            "rows": ContactPerson.objects.filter(pk=contact_id).count(),
            "history_rows": ContactPerson.history.filter(id=contact_id).count(),
            "marker_hits": _marker_hits(marker),
        },
    }


# --- Parent side -----------------------------------------------------------------------------------


class Drill:
    def __init__(self, server_url: str):
        parts = urlsplit(server_url)
        if parts.scheme not in ("postgres", "postgresql"):
            raise SystemExit("Die Probe braucht PostgreSQL: --server-url postgres://… (oder DATABASE_URL).")
        self.parts = parts
        suffix = f"{os.getpid()}_{int(time.time())}"
        self.source = f"vielfalt_drill_src_{suffix}"
        self.restored = f"vielfalt_drill_dst_{suffix}"
        self.problems: list[str] = []

    def url(self, database: str) -> str:
        return urlunsplit(self.parts._replace(path=f"/{database}"))

    def admin(self, sql: str):
        import psycopg

        # The server's maintenance database, not the one in the URL (it may not exist yet).
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(sql)

    def run(self, command: list, database: str, **extra_env) -> str:
        # seed_demo creates logins with a known password and therefore insists on DEBUG.
        env = {**os.environ, "DATABASE_URL": self.url(database), "DEBUG": "true", **extra_env}
        done = subprocess.run(command, env=env, cwd=APP_DIR, capture_output=True, text=True)  # noqa: S603 - our commands
        if done.returncode != 0:
            sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
            raise SystemExit(f"Schritt fehlgeschlagen / step failed: {' '.join(map(str, command[:3]))}")
        return done.stdout

    def child(self, database: str, *args) -> dict:
        out = self.run([sys.executable, __file__, *args], database)
        # Logging may share standard output; the result is the line with the prefix.
        (line,) = [line for line in out.splitlines() if line.startswith(RESULT_PREFIX)]
        return json.loads(line.removeprefix(RESULT_PREFIX))

    def manage(self, database: str, *args) -> str:
        return self.run([sys.executable, "manage.py", *args], database)

    def check(self, ok: bool, message: str):
        print(f"  {'ok  ' if ok else 'FEHLER/FAIL'} {message}")
        if not ok:
            self.problems.append(message)

    def execute(self, sabotage: str | None) -> int:
        started = time.monotonic()
        print(f"Wiederherstellungsprobe / restore drill: {self.source} → {self.restored}")
        try:
            for name in (self.source, self.restored):
                self.admin(f'CREATE DATABASE "{name}"')
            self.manage(self.source, "migrate", "--no-input")
            self.manage(self.source, "seed_demo")
            erased = self.child(self.source, "_erase")
            before = self.child(self.source, "_snapshot", str(erased["id"]), erased["marker"])
            with tempfile.TemporaryDirectory(prefix="vielfalt-drill-") as tmp:
                passphrase = Path(tmp, "passphrase")
                passphrase.write_text(uuid.uuid4().hex)
                passphrase.chmod(0o600)
                backups = Path(tmp, "backups")
                backups.mkdir()
                gpg = {"BACKUP_GPG_PASSPHRASE_FILE": str(passphrase)}
                self.run(["bash", DEPLOY_DIR / "backup.sh"], self.source, BACKUP_DIR=str(backups), **gpg)
                (backup,) = backups.iterdir()
                print(f"  Sicherung / backup: {backup.name} ({backup.stat().st_size // 1024} KB)")
                out = self.run(
                    ["bash", DEPLOY_DIR / "restore.sh", backup],
                    self.source,
                    RESTORE_DATABASE_URL=self.url(self.restored),
                    **gpg,
                )
            if sabotage:
                print(f"  Sabotage: leere Tabelle {sabotage} in der wiederhergestellten Datenbank")
                import psycopg

                with psycopg.connect(self.url(self.restored), autocommit=True) as conn:
                    conn.execute(f'DELETE FROM "{sabotage}"')  # noqa: S608 – an operator's argument
            after = self.child(self.restored, "_snapshot", str(erased["id"]), erased["marker"])
            self.compare(erased, before, after, out)
            # What restore.sh asks the operator to do: deletion periods again, after which none is left due.
            self.manage(self.restored, "apply_retention")
            again = self.manage(self.restored, "apply_retention", "--dry-run")
            self.check(
                "0 Einträge fällig" in again, "Löschfristen nach der Wiederherstellung angewandt / retention re-applied"
            )
        finally:
            for name in (self.source, self.restored):
                self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        seconds = time.monotonic() - started
        if self.problems:
            print(f"Probe FEHLGESCHLAGEN / drill FAILED ({len(self.problems)} Abweichungen, {seconds:.0f} s)")
            return 1
        print(
            f"Probe bestanden / drill passed ({seconds:.0f} s); Testdatenbanken gelöscht / scratch databases dropped."
        )
        return 0

    def compare(self, erased: dict, before: dict, after: dict, restore_output: str):
        counts_before, counts_after = before["counts"], after["counts"]
        self.check(
            counts_before.keys() == counts_after.keys(), f"dieselben {len(counts_before)} Tabellen / same tables"
        )
        differing = {
            table: (counts_before.get(table), counts_after.get(table))
            for table in counts_before.keys() | counts_after.keys()
            if counts_before.get(table) != counts_after.get(table)
        }
        rows = sum(counts_before.values())
        self.check(not differing, f"Zeilen je Tabelle gleich / row counts equal ({rows} Zeilen) {differing or ''}")
        self.check(rows > 0 and counts_before.get("casework_consultation", 0) > 0, "Demodaten vorhanden / data seeded")

        differing_reports = sorted(
            key for key in before["figures"] if before["figures"][key] != after["figures"].get(key)
        )
        self.check(
            bool(before["figures"]) and not differing_reports and before["figures"].keys() == after["figures"].keys(),
            f"Berichtszahlen gleich / report figures equal ({', '.join(before['figures'])}) {differing_reports or ''}",
        )

        seen = erased["before"]
        self.check(
            seen["history_rows"] > 0 and bool(seen["marker_hits"]),
            f"Ansprechperson #{erased['id']} hatte vor dem Löschen Spuren / had traces before erasure: "
            f"{seen['history_rows']} Historienzeilen, {seen['marker_hits']}",
        )
        for label, snapshot in (("vor der Sicherung / before backup", before), ("nach / after restore", after)):
            contact = snapshot["contact"]
            gone = contact["rows"] == 0 and contact["history_rows"] == 0 and not contact["marker_hits"]
            self.check(gone, f"gelöschte Ansprechperson fehlt {label}: {contact}")
        self.check("Löschfristen erneut anwenden" in restore_output, "restore.sh erinnert an die Löschfristen")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server-url", default=os.environ.get("DATABASE_URL") or DEFAULT_SERVER_URL)
    parser.add_argument("--sabotage", metavar="TABLE", help="empty TABLE after restoring: the drill must fail")
    parser.add_argument("internal", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.internal[:1] == ["_erase"]:
        print(RESULT_PREFIX + json.dumps(child_erase()))
        return 0
    if args.internal[:1] == ["_snapshot"]:
        print(RESULT_PREFIX + json.dumps(child_snapshot(int(args.internal[1]), args.internal[2])))
        return 0
    return Drill(args.server_url).execute(args.sabotage)


if __name__ == "__main__":
    sys.exit(main())
