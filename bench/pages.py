"""Server-side timings and query counts of the main pages on a large demo dataset.

    .venv/bin/python bench/pages.py [--repeat 30] [--warmup 3] [--fresh] [--only TEXT]

Uses its own database: bench/bench.sqlite3 by default, or DATABASE_URL. The database is
migrated and, if it holds fewer consultations than requested, rebuilt and filled with
`seed_demo`. A PostgreSQL database is only ever reset if its name contains "bench"
(use an empty scratch database). See bench/README.md.

Prints a Markdown table and the verdict against the goals. Always exits 0: it is a report.
"""

import argparse
import logging
import math
import os
import statistics
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DEFAULT_SQLITE = BENCH_DIR / "bench.sqlite3"

GOAL_P95_MS = 50
GOAL_QUERIES = 12
COORDINATOR = "koordination-mo"
ADMIN = "admin"
TRANSACTION_MARKERS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")
LOADS = []  # 1-minute load average after each page: other processes on the machine inflate timings


def add_database_arguments(parser):
    """The options every benchmark script passes to prepare_database()."""
    parser.add_argument("--fresh", action="store_true", help="rebuild and reseed the benchmark database")
    parser.add_argument("--organisations", type=int, default=5000, help="demo organisations (default 5000)")
    parser.add_argument("--consultations", type=int, default=100_000, help="demo consultations (default 100000)")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30, help="measured requests per page (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured requests per page first (default 3)")
    add_database_arguments(parser)
    parser.add_argument("--only", default="", help="measure only pages whose label contains this text")
    parser.add_argument("--show-sql", action="store_true", help="list each page's queries with their times")
    return parser.parse_args()


def configure_environment():
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DEBUG"] = "true"  # seed_demo refuses to run otherwise; see measure_pages() for query logging
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{DEFAULT_SQLITE}")
    sys.path.insert(0, str(ROOT))


# --- Database ----------------------------------------------------------------------------------


def reset_database():
    """Throw away the benchmark database. Refuses anything that does not look like a scratch database."""
    from django.db import connection

    name = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite":
        path = Path(name).resolve()
        if path.parent != BENCH_DIR:
            sys.exit(f"Refusing to delete {path}: only SQLite files inside {BENCH_DIR} are reset.")
        connection.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    elif connection.vendor == "postgresql":
        if "bench" not in name:
            sys.exit(f"Refusing to reset PostgreSQL database {name!r}: its name must contain 'bench'.")
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
    else:
        sys.exit(f"Don't know how to reset a {connection.vendor} database; give an empty one.")


def prepare_database(args):
    from django.core.management import call_command
    from django.db import connection

    from casework.models import Consultation
    from organisations.models import Organisation

    call_command("migrate", interactive=False, verbosity=0)
    existing = Consultation.objects.count()
    if existing >= args.consultations and not args.fresh:
        return
    if args.fresh or Organisation.objects.exists():
        print(f"Rebuilding the benchmark database ({existing:,} consultations found) …", file=sys.stderr)
        reset_database()
        call_command("migrate", interactive=False, verbosity=0)
    started = time.monotonic()
    call_command("seed_demo", organisations=args.organisations, consultations=args.consultations, stdout=sys.stderr)
    if connection.vendor == "postgresql":
        # The steady state autovacuum would reach: planner statistics and a visibility map.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(f"Seeded in {time.monotonic() - started:.1f} s.", file=sys.stderr)


def describe_database():
    from django.db import connection

    from casework.models import Consultation, ConsultationGroupObjectPermission
    from organisations.models import ContactPerson, Organisation

    if connection.vendor == "sqlite":
        vendor = f"SQLite {connection.Database.sqlite_version} ({connection.settings_dict['NAME']})"
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
            cursor.execute("SHOW jit")
            jit = cursor.fetchone()[0]
        vendor = f"{connection.display_name} {version} (database {connection.settings_dict['NAME']}, jit={jit})"
    volume = (
        f"{Consultation.objects.count():,} consultations "
        f"({Consultation.objects.filter(shared_with__isnull=False).count():,} shared, "
        f"{ConsultationGroupObjectPermission.objects.count():,} share grants), "
        f"{Organisation.objects.count():,} organisations, {ContactPerson.objects.count():,} contact persons"
    )
    return vendor, volume


# --- Pages -------------------------------------------------------------------------------------


def build_pages():
    """(label, user, url, is_reference) for every page to measure."""
    from django.conf import settings
    from django.contrib import admin
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.urls import reverse
    from django.utils import timezone

    from casework import access
    from casework.models import Consultation, Unit
    from organisations.models import Organisation

    User = get_user_model()
    coordinator = User.objects.get(username=COORDINATOR)
    superuser = User.objects.get(username=ADMIN)

    visible = access.consultations_visible_to(coordinator)
    consultation_pages = max(1, math.ceil(visible.count() / settings.PAGE_SIZE))
    organisations = access.organisations_visible_to(coordinator)
    organisation_pages = max(1, math.ceil(organisations.count() / settings.PAGE_SIZE))
    newest = visible.order_by("-date", "-id").values_list("pk", flat=True).first()
    busiest = (
        visible.values("organisation")
        .annotate(n=Count("id"))
        .order_by("-n", "organisation")
        .values_list("organisation", "n")
    ).first()
    region = (
        organisations.values("region").annotate(n=Count("id")).order_by("-n", "region").values_list("region", flat=True)
    ).first()
    unit = Unit.objects.get(code="mo")
    last_year = timezone.localdate().year - 1
    admin_per_page = admin.site.get_model_admin(Consultation).list_per_page
    admin_pages = max(1, math.ceil(Consultation.objects.count() / admin_per_page))
    assert Organisation.objects.filter(pk=busiest[0]).exists()

    consultations = reverse("casework:consultation_list")
    organisation_list = reverse("organisations:organisation_list")
    changelist = reverse("admin:casework_consultation_changelist")
    filtered = f"unit={unit.pk}&format=on_site&date_from={last_year}-04-01&date_to={last_year}-09-30"
    c, a = coordinator, superuser
    return [
        ("Start page", c, reverse("casework:home"), False),
        ("Consultations: first page", c, consultations, False),
        (f"Consultations: last page ({consultation_pages})", c, f"{consultations}?page={consultation_pages}", False),
        ("Consultations: filtered (unit+format+dates)", c, f"{consultations}?{filtered}", False),
        ("Consultations: search ?q=Satzung", c, f"{consultations}?q=Satzung", False),
        ("Consultations: search ?q=verein (organisation names)", c, f"{consultations}?q=verein", False),
        ("Consultations: search ?q=yilmaz (advisor Yılmaz)", c, f"{consultations}?q=yilmaz", False),
        ("Consultations: search ?q=Gießen Satzung", c, f"{consultations}?q=Gie%C3%9Fen+Satzung", False),
        ("Organisations: first page", c, organisation_list, False),
        (
            f"Organisations: last page ({organisation_pages})",
            c,
            f"{organisation_list}?page={organisation_pages}",
            False,
        ),
        ("Organisations: filtered (region)", c, f"{organisation_list}?region={region}", False),
        ("Organisations: search ?q=verein", c, f"{organisation_list}?q=verein", False),
        ("Consultation detail (newest)", c, reverse("casework:consultation_detail", args=[newest]), False),
        (
            f"Organisation detail ({busiest[1]} consultations)",
            c,
            reverse("organisations:organisation_detail", args=[busiest[0]]),
            False,
        ),
        ("Consultation create form", c, reverse("casework:consultation_create"), False),
        ("Organisation picker ?q=ver", c, f"{reverse('organisations:picker')}?q=ver", False),
        ("Global search ?q=verein", c, f"{reverse('casework:search')}?q=verein", False),
        ("Global search ?q=yilmaz", c, f"{reverse('casework:search')}?q=yilmaz", False),
        ("Global search ?q=Gießen Satzung", c, f"{reverse('casework:search')}?q=Gie%C3%9Fen+Satzung", False),
        ("Admin changelist (reference)", a, changelist, True),
        (f"Admin changelist: last page ({admin_pages}) (reference)", a, f"{changelist}?p={admin_pages}", True),
    ]


def client_for(user):
    from django.test import Client

    client = Client(raise_request_exception=False)  # a failing page is reported (status 500), not fatal
    client.force_login(user)
    return client


def mark_session_active(client):
    """Stamp the session as just used, so the counted request is the usual one without a session write.

    (SessionIdleTimeoutMiddleware saves the session at most once a minute; the timed requests keep that.)
    """
    session = client.session
    session["last_seen"] = int(time.time())
    session.save()


def percentile(samples, fraction):
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def start(args):
    """Set up Django and the benchmark database, then start as production does; (vendor, volume)."""
    configure_environment()
    import django

    django.setup()
    logging.getLogger("axes").setLevel(logging.WARNING)  # force_login would log every login
    prepare_database(args)
    freeze_like_wsgi()
    return describe_database()


def freeze_like_wsgi():
    """Start as production does: importing config/wsgi.py loads the URLconf and freezes the start-up objects."""
    import config.wsgi  # noqa: F401


def measure(client, url, *, repeat, warmup):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    statuses = set()
    for _ in range(warmup):
        statuses.add(client.get(url).status_code)
    mark_session_active(client)
    with CaptureQueriesContext(connection) as captured:
        statuses.add(client.get(url).status_code)
    queries = [q for q in captured.captured_queries if not q["sql"].startswith(TRANSACTION_MARKERS)]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        statuses.add(response.status_code)
    return {
        "median": statistics.median(times),
        "p95": percentile(times, 0.95),
        "queries": len(queries),
        "sql": queries,
        "statuses": statuses,
    }


def measure_pages(args):
    from django.conf import settings

    # DEBUG stays on for the settings (seed_demo, plain static storage), but the per-query
    # logging it switches on would add to every timing. CaptureQueriesContext still captures.
    settings.DEBUG = False
    pages = [page for page in build_pages() if args.only.lower() in page[0].lower()]
    clients = {}
    results = []
    for label, user, url, is_reference in pages:
        client = clients.setdefault(user.pk, client_for(user))
        print(f"  {label} …", file=sys.stderr)
        results.append((label, url, is_reference, measure(client, url, repeat=args.repeat, warmup=args.warmup)))
        LOADS.append(os.getloadavg()[0])
    return results


# --- Report ------------------------------------------------------------------------------------


def report(results, vendor, volume, args):
    print(f"\n**Database:** {vendor}  ")
    print(f"**Data:** {volume}  ")
    load = f"{min(LOADS, default=0):.1f}–{max(LOADS, default=0):.1f}"
    print(f"**Machine:** {os.cpu_count()} CPUs, 1-minute load average {load} during the run  ")
    print(f"**Requests:** {args.repeat} measured per page after {args.warmup} warm-up; times are server time in ms\n")
    print("| page | median ms | p95 ms | queries | status |")
    print("|---|---:|---:|---:|---|")
    for label, url, _is_reference, r in results:
        status = ", ".join(str(s) for s in sorted(r["statuses"]))
        print(f"| {label} `{url}` | {r['median']:.1f} | {r['p95']:.1f} | {r['queries']} | {status} |")

    misses = []
    for label, _url, is_reference, r in results:
        if r["statuses"] != {200}:
            misses.append(f"{label}: status {sorted(r['statuses'])}, expected 200")
        if is_reference:
            continue
        if r["p95"] > GOAL_P95_MS:
            misses.append(f"{label}: p95 {r['p95']:.1f} ms > {GOAL_P95_MS} ms")
        if r["queries"] > GOAL_QUERIES:
            misses.append(f"{label}: {r['queries']} queries > {GOAL_QUERIES}")
    by_label = {label.split(" (")[0]: r for label, _url, _ref, r in results}
    for ours, theirs in (
        ("Consultations: first page", "Admin changelist"),
        ("Consultations: last page", "Admin changelist: last page"),
    ):
        if ours in by_label and theirs in by_label:
            mine, ref = by_label[ours]["median"], by_label[theirs]["median"]
            verdict = "faster" if mine < ref else "NOT faster"
            print(f"\n{ours}: {mine:.1f} ms median vs. {theirs}: {ref:.1f} ms → {verdict}", end="")
            if mine >= ref:
                misses.append(f"{ours} ({mine:.1f} ms) is not faster than the {theirs} ({ref:.1f} ms)")
    print("\n")
    print(f"Goals: every page p95 ≤ {GOAL_P95_MS} ms and ≤ {GOAL_QUERIES} queries (admin pages are the reference);")
    print("our consultation list faster than the admin changelist.")
    for miss in misses:
        print(f"GOAL MISSED: {miss}")
    if not misses:
        print("All goals met.")


def main():
    args = parse_args()
    vendor, volume = start(args)
    print(f"Measuring on {vendor} …", file=sys.stderr)
    results = measure_pages(args)
    report(results, vendor, volume, args)
    if args.show_sql:
        for label, _url, _ref, r in results:
            print(f"\n### {label}\n")
            for query in r["sql"]:
                print(f"- {float(query['time']) * 1000:.1f} ms: {query['sql'][:600]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
