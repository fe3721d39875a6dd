"""Server time and query count of the unit dashboard on the large benchmark dataset.

    .venv/bin/python bench/dashboard.py [--repeat 30] [--warmup 3] [--fresh] [--show-sql]

Uses the database of bench/pages.py (bench/bench.sqlite3 or DATABASE_URL; same setup, same
seeding; see bench/README.md) and measures the dashboard of each unit the demo coordinator
`koordination-mo` reports on, interleaved with bench/pages.py's yardsticks: the bare reference
page and the admin changelist of the same data.
Goal: p95 ≤ 0.5 × the admin changelist's p95 in the same run, and ≤ 15 queries. Always exits 0: it is a report.
"""

import argparse
import sys

import pages  # bench/pages.py: this script's directory is on sys.path when run as a script

GOAL_ADMIN_FRACTION = 0.5  # the dashboard's p95 at most this fraction of the admin changelist's
GOAL_QUERIES = 15


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30, help="measured requests per page (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured requests per page first (default 3)")
    pages.add_database_arguments(parser)
    parser.add_argument("--show-sql", action="store_true", help="list the queries with their times")
    parser.add_argument("--as", dest="username", default=pages.COORDINATOR, help="who looks (default koordination-mo)")
    return parser.parse_args()


def dashboard_pages(user):
    from django.urls import reverse

    from casework import access
    from casework.access import Action

    url = reverse("casework:dashboard")
    return [
        pages.Page(f"Dashboard {unit.short_name}", user, f"{url}?unit={unit.pk}")
        for unit in access.units_for(user, Action.REPORTS)
    ]


def main():
    args = parse_args()
    vendor, volume = pages.start(args)

    from django.contrib.auth import get_user_model

    from casework.models import Event

    User = get_user_model()
    user = User.objects.get(username=args.username)
    yardsticks = pages.comparison_pages(user, User.objects.get(username=pages.SUPERUSER))
    reference, admin_first, _admin_last = yardsticks  # the admin's last page is not needed here
    measured = [reference, admin_first, *dashboard_pages(user)]
    results = pages.measure_interleaved(measured, repeat=args.repeat, warmup=args.warmup)

    pages.print_header(vendor, volume, args, extra=f", {Event.objects.count():,} events")
    reference_p95 = results[reference.label]["p95"]
    admin = results[admin_first.label]["p95"]
    print(f"Dashboards as `{args.username}`.\n")
    print("| page | median ms | p95 ms | p95 ÷ ref | p95 ÷ admin | queries | status |")
    print("|---|---:|---:|---:|---:|---:|---|")
    misses = []
    for page in measured:
        r = results[page.label]
        status = ", ".join(str(s) for s in sorted(r["statuses"]))
        print(
            f"| {page.label} `{page.url}` | {r['median']:.1f} | {r['p95']:.1f} | {r['p95'] / reference_p95:.2f} | "
            f"{r['p95'] / admin:.2f} | {r['queries']} | {status} |"
        )
        if r["statuses"] != {200}:
            misses.append(f"{page.label}: status {sorted(r['statuses'])}, expected 200")
        if page.kind != pages.PAGE:
            continue
        if r["p95"] / admin > GOAL_ADMIN_FRACTION:
            misses.append(
                f"{page.label}: p95 ÷ {pages.ADMIN_FIRST} p95 = {r['p95'] / admin:.2f} > {GOAL_ADMIN_FRACTION}"
            )
        if r["queries"] > GOAL_QUERIES:
            misses.append(f"{page.label}: {r['queries']} queries > {GOAL_QUERIES}")
    print(
        f"\nGoals: each dashboard's p95 ≤ {GOAL_ADMIN_FRACTION} × the admin changelist's p95 and ≤ {GOAL_QUERIES} "
        "queries (p95 ÷ ref for reference only)."
    )
    for miss in misses:
        print(f"GOAL MISSED: {miss}")
    if not misses:
        print("All goals met.")
    if args.show_sql:
        pages.show_sql(measured, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
