"""Concurrent writes on the embedded SQLite database: how many fail with "database is locked"?

    .venv/bin/python bench/sqlite_writes.py [--seconds 20] [--writers 4] [--worker-interval 0.1]
                                            [--user-every 20] [--pause 0] [--legacy]

On a fresh, migrated SQLite file in a temporary directory, `manage.py db_worker` polls the task queue
(as beside `make run` or in production) while `--writers` processes save through the ORM for
`--seconds`: consultations and organisations through their services (as the forms do) and users as
the admin's "add user" page does (the form validates – a read – and saves, in one transaction).

Prints the number of saves, the errors ("database is locked" and others), the latency per kind of
save (median, p95, max) and whether db_worker survived. Goal: 0 errors. `--legacy` runs the same with
the SQLite options of before (journal_mode=DELETE, DEFERRED transactions, Python's 5 s busy timeout).
Always exits 0: it is a report.

Reading the maxima: by default the writers save back to back, so the write lock is nearly always
taken. SQLite's busy handler retries with growing sleeps (up to 100 ms), and a process that has just
committed takes the lock again at once: a waiting save can wait seconds. A user creation holds the
lock for its password hashing (~0.3–0.6 s), as the admin runs the whole page in one transaction; with
`--user-every 5` (about two user creations a second) the lock is taken all the time and single saves
can reach the 20 s timeout. `--pause 50` (a think time between saves) shows a lighter load.
"""

import argparse
import math
import multiprocessing
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("consultation", "organisation", "user")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20, help="how long the writers write (default 20)")
    parser.add_argument("--writers", type=int, default=4, help="writing processes (default 4)")
    parser.add_argument(
        "--worker-interval",
        type=float,
        default=0.1,
        help="db_worker's poll interval in seconds (default 0.1; production polls every 1 s)",
    )
    parser.add_argument(
        "--user-every",
        type=int,
        default=20,
        help="every Nth save of a writer creates a user as the admin does (default 20; 1 = only users, 0 = none)",
    )
    parser.add_argument(
        "--pause",
        type=float,
        default=0,
        help="milliseconds a writer waits between its saves (default 0: back to back, the worst case)",
    )
    parser.add_argument("--legacy", action="store_true", help="SQLite options of before, for comparison")
    return parser.parse_args()


def configure_environment(directory: Path, legacy: bool):
    """Settings for this process and its children: the project's, on a file in `directory`."""
    os.environ["DATABASE_URL"] = f"sqlite:///{directory / 'bench.sqlite3'}"
    os.environ["DEBUG"] = "false"
    os.environ["SECRET_KEY"] = "bench-" + secrets.token_urlsafe(50)
    os.environ["ALLOWED_HOSTS"] = "localhost"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    if legacy:
        (directory / "legacy_settings.py").write_text(
            "from config.settings import *  # noqa\nDATABASES['default']['OPTIONS'] = {}\n"
        )
        os.environ["DJANGO_SETTINGS_MODULE"] = "legacy_settings"
    paths = [str(directory), str(ROOT), os.environ.get("PYTHONPATH", "")]
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    sys.path[:0] = [str(directory), str(ROOT)]


def setup_django():
    import django

    django.setup()


# --- One writing process -------------------------------------------------------------------------


def save_consultation(n, context):
    from casework.consultations.services import consultation_save
    from casework.models import Consultation

    consultation = Consultation(
        unit=context["unit"],
        organisation=context["organisation"],
        date=context["today"],
        duration_minutes=60,
        format=Consultation.Format.OFFICE,
        initiated_by=Consultation.Initiator.ORGANISATION,
        participants=2,
        summary=f"Beratung {n}",
    )
    consultation_save(
        consultation=consultation, by=context["person"], topics=context["topics"], advisors=[context["person"]]
    )


def save_organisation(n, context):
    from organisations.models import Organisation
    from organisations.services import organisation_save

    organisation = Organisation(
        name=f"Verein {os.getpid()}-{n} e.V.",
        kind=Organisation.Kind.MIGRANT_ORGANISATION,
        legal_form=Organisation.LegalForm.REGISTERED_ASSOCIATION,
        region=context["region"],
    )
    organisation_save(organisation=organisation, by=context["person"], unit_ids=[context["unit"].pk])


def create_user(n, context):
    """As the admin's add page: validate (unique username: a read) and save, in one transaction."""
    from django.contrib.admin.models import ADDITION, LogEntry
    from django.contrib.auth.admin import UserAdmin
    from django.db import transaction

    password = secrets.token_urlsafe(16)
    data = {"username": f"person-{os.getpid()}-{n}", "password1": password, "password2": password}
    with transaction.atomic():
        form = UserAdmin.add_form(data)
        if not form.is_valid():
            raise RuntimeError(form.errors.as_text())
        user = form.save()
        LogEntry.objects.log_actions(
            user_id=context["person"].pk, queryset=[user], action_flag=ADDITION, change_message="[]", single_object=True
        )


SAVES = {"consultation": save_consultation, "organisation": save_organisation, "user": create_user}


def writer(number: int, seconds: float, user_every: int, pause_ms: float, queue):
    """Save for `seconds`: consultations and organisations in turn, every `user_every`th a user.

    Reports (kind, ms, error) per save.
    """
    setup_django()
    import datetime

    from django.contrib.auth import get_user_model
    from django.db import OperationalError, connection

    from casework.models import Topic, Unit
    from organisations.models import Organisation, Region

    unit = Unit.objects.get(code="mo")
    person = get_user_model().objects.get(username="bench-writer")
    context = {
        "unit": unit,
        "person": person,
        "organisation": Organisation.objects.get(name="Bench-Verein e.V."),
        "region": Region.objects.filter(valid_until__isnull=True).first(),
        "topics": list(Topic.objects.filter(unit=unit)[:2]),
        "today": datetime.date(2026, 3, 2),
    }
    results, n, begin = [], 0, time.monotonic()
    end = begin + seconds
    while time.monotonic() < end:
        kind = "user" if user_every and (n + number) % user_every == 0 else KINDS[(n + number) % 2]
        started = time.perf_counter()
        error = None
        try:
            SAVES[kind](n, context)
        except OperationalError as exc:
            error = str(exc)
        except Exception as exc:  # noqa: BLE001 - counted and shown, the run goes on
            error = f"{type(exc).__name__}: {exc}"
        results.append((kind, (time.perf_counter() - started) * 1000, error, time.monotonic() - begin))
        n += 1
        time.sleep(pause_ms / 1000)
    connection.close()
    queue.put(results)


# --- The run -------------------------------------------------------------------------------------


def prepare_database():
    setup_django()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from casework.models import Unit
    from organisations.models import Organisation, Region

    call_command("migrate", verbosity=0)
    get_user_model().objects.create_user(username="bench-writer", password=secrets.token_urlsafe(16))
    organisation = Organisation.objects.create(
        name="Bench-Verein e.V.",
        kind=Organisation.Kind.MIGRANT_ORGANISATION,
        legal_form=Organisation.LegalForm.REGISTERED_ASSOCIATION,
        region=Region.objects.filter(valid_until__isnull=True).first(),
    )
    organisation.units.add(Unit.objects.get(code="mo"))
    from django.db import connection

    with connection.cursor() as cursor:
        journal = cursor.execute("PRAGMA journal_mode").fetchone()[0]
        timeout = cursor.execute("PRAGMA busy_timeout").fetchone()[0]
    mode = getattr(connection, "transaction_mode", None) or "DEFERRED"
    connection.close()
    return f"journal_mode={journal}, busy_timeout={timeout} ms, transactions {mode}"


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)] if ordered else float("nan")


def report(results, seconds, options):
    locked = [r for r in results if r[2] and "database is locked" in r[2]]
    other = [r for r in results if r[2] and "database is locked" not in r[2]]
    saved = [r for r in results if not r[2]]
    print(f"saves: {len(saved)} in {seconds:.0f} s ({len(saved) / seconds:.0f}/s) by {options.writers} writers")
    print(f'errors "database is locked": {len(locked)}')
    print(f"other errors: {len(other)}")
    for _kind, _ms, message, _at in other[:5]:
        print(f"  {message[:160]}")
    print()
    print("| save | count | locked | median ms | p95 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for kind in (*KINDS, "all"):
        rows = [r for r in results if kind in (r[0], "all")]
        times = [ms for _, ms, error, _at in rows if not error]
        locks = sum(1 for r in rows if r[2] and "database is locked" in r[2])
        median = statistics.median(times) if times else float("nan")
        print(
            f"| {kind} | {len(times)} | {locks} | {median:.1f} | {percentile(times, 0.95):.1f} | "
            f"{max(times, default=float('nan')):.1f} |"
        )
    slowest = sorted((r for r in results if not r[2]), key=lambda r: -r[1])[:3]
    shown = ", ".join(f"{kind} {ms / 1000:.1f} s (ended {at:.1f} s into the run)" for kind, ms, _, at in slowest)
    print(f"\nslowest saves: {shown}")
    print()
    print("GOAL MET: no save failed." if not locked and not other else "GOAL MISSED: some saves failed.")


def main():
    options = parse_args()
    with tempfile.TemporaryDirectory(prefix="sqlite-writes-") as name:
        directory = Path(name)
        configure_environment(directory, options.legacy)
        print(f"SQLite {'(legacy options) ' if options.legacy else ''}in {directory}: ", end="", flush=True)
        print(prepare_database())
        worker = subprocess.Popen(  # noqa: S603 - our own manage.py
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "db_worker",
                "--interval",
                str(options.worker_interval),
                "--no-startup-delay",
                "--no-reload",
                "--verbosity",
                "0",
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            time.sleep(1)  # the worker is polling
            if worker.poll() is not None:
                sys.exit(f"db_worker did not start: {worker.stderr.read()}")
            print(
                f"db_worker polling every {options.worker_interval} s; {options.writers} writers for "
                f"{options.seconds:.0f} s; load average {os.getloadavg()[0]:.1f}"
            )
            spawn = multiprocessing.get_context("spawn")
            queue = spawn.Queue()
            writers = [
                spawn.Process(target=writer, args=(n, options.seconds, options.user_every, options.pause, queue))
                for n in range(options.writers)
            ]
            for process in writers:
                process.start()
            results = []
            for _ in writers:
                results += queue.get(timeout=options.seconds + 120)
            for process in writers:
                process.join()
        finally:
            worker_exit = worker.poll()
            worker.terminate()
            worker_errors = worker.communicate(timeout=30)[1] or ""
        print(f"load average after: {os.getloadavg()[0]:.1f}")
        if worker_exit is not None:
            last = [line for line in worker_errors.strip().splitlines() if line.strip()][-1:]
            print(f"db_worker EXITED during the run (code {worker_exit}): {' '.join(last)[:200]}")
        else:
            print("db_worker polled throughout the run")
        print()
        report(results, options.seconds, options)


if __name__ == "__main__":
    main()
