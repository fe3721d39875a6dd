"""Server time and query count of the unit dashboard on the large benchmark dataset.

    .venv/bin/python bench/dashboard.py [--repeat 30] [--warmup 3] [--fresh] [--show-sql]

Uses the database of bench/pages.py (bench/bench.sqlite3 or DATABASE_URL; same setup, same
seeding; see bench/README.md) and measures the dashboard of each unit the demo coordinator
`koordination-mo` reports on, as bench/pages.py measures its pages.
Goal: p95 ≤ 100 ms and ≤ 15 queries. Always exits 0: it is a report.
"""

import argparse
import os
import sys

import pages  # bench/pages.py: this script's directory is on sys.path when run as a script

GOAL_P95_MS = 100
GOAL_QUERIES = 15


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30, help="measured requests (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured requests first (default 3)")
    pages.add_database_arguments(parser)
    parser.add_argument("--show-sql", action="store_true", help="list the queries with their times")
    parser.add_argument("--as", dest="username", default=pages.COORDINATOR, help="who looks (default koordination-mo)")
    return parser.parse_args()


def dashboard_urls(user):
    from django.urls import reverse

    from casework import access
    from casework.access import Action

    url = reverse("casework:dashboard")
    return [
        (f"Dashboard {unit.short_name}", f"{url}?unit={unit.pk}") for unit in access.units_for(user, Action.REPORTS)
    ]


def main():
    args = parse_args()
    vendor, volume = pages.start(args)

    from django.conf import settings
    from django.contrib.auth import get_user_model

    from casework.models import Event

    settings.DEBUG = False  # as bench/pages.py: no per-query logging during the timed requests
    user = get_user_model().objects.get(username=args.username)
    client = pages.client_for(user)
    results = []
    for label, url in dashboard_urls(user):
        print(f"  {label} …", file=sys.stderr)
        results.append((label, url, pages.measure(client, url, repeat=args.repeat, warmup=args.warmup)))
        pages.LOADS.append(os.getloadavg()[0])

    print(f"\n**Database:** {vendor}  ")
    print(f"**Data:** {volume}, {Event.objects.count():,} events  ")
    print(f"**Machine:** {os.cpu_count()} CPUs, 1-minute load average {min(pages.LOADS):.1f}–{max(pages.LOADS):.1f}  ")
    print(
        f"**Requests:** {args.repeat} measured after {args.warmup} warm-up, as `{args.username}`; server time in ms\n"
    )
    print("| page | median ms | p95 ms | queries | status |")
    print("|---|---:|---:|---:|---|")
    misses = []
    for label, url, r in results:
        status = ", ".join(str(s) for s in sorted(r["statuses"]))
        print(f"| {label} `{url}` | {r['median']:.1f} | {r['p95']:.1f} | {r['queries']} | {status} |")
        if r["statuses"] != {200}:
            misses.append(f"{label}: status {sorted(r['statuses'])}, expected 200")
        if r["p95"] > GOAL_P95_MS:
            misses.append(f"{label}: p95 {r['p95']:.1f} ms > {GOAL_P95_MS} ms")
        if r["queries"] > GOAL_QUERIES:
            misses.append(f"{label}: {r['queries']} queries > {GOAL_QUERIES}")
    print(f"\nGoals: p95 ≤ {GOAL_P95_MS} ms and ≤ {GOAL_QUERIES} queries.")
    for miss in misses:
        print(f"GOAL MISSED: {miss}")
    if not misses:
        print("All goals met.")
    if args.show_sql:
        for label, _url, r in results:
            print(f"\n### {label}\n")
            for query in r["sql"]:
                print(f"- {float(query['time']) * 1000:.1f} ms: {query['sql'][:600]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
