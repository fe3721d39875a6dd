"""Time and peak memory of the list exports (CSV streamed, XLSX write-only) at N and 10×N rows.

    .venv/bin/python bench/exports.py [--rows 10000] [--as admin] [--list consultations] [--fresh]

Uses the database of bench/pages.py (bench/bench.sqlite3 or DATABASE_URL; same setup and seeding, see
bench/README.md). For each format and size it runs the export's own pipeline (the list's filterset over
the access selector, the chunked iterator, the writer) on the first N rows of the list, then the whole
list once through the view (Django's test client, signed in), as a download would.

Measured: wall time; the peak RSS above the RSS before the run (VmHWM, reset through
/proc/self/clear_refs before each run); and, in a separate run, tracemalloc's Python-side peak.
Goal: memory stays flat – the peaks at 10×N at most 1.5× those at N (+ 8 MB for the RSS, which moves in
pages and allocator arenas). Always exits 0: it is a report.
"""

import argparse
import gc
import sys
import time
import tracemalloc

import pages  # bench/pages.py: this script's directory is on sys.path when run as a script

GOAL_GROWTH = 1.5
RSS_SLACK_KB = 8 * 1024


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000, help="N: the smaller size (default 10000; also 10×N)")
    parser.add_argument(
        "--as", dest="username", default=pages.SUPERUSER, help="who exports (default admin: both units)"
    )
    parser.add_argument(
        "--list", dest="list_name", default="consultations", help="which list (casework.exports.lists.LISTS)"
    )
    parser.add_argument("--skip-view", action="store_true", help="skip the whole-list download through the view")
    pages.add_database_arguments(parser)
    return parser.parse_args()


def status_kb(field):
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


def pipeline(user, list_name, fmt, rows):
    """One export of the first `rows` rows without HTTP; returns (rows written, bytes)."""
    from django.test import RequestFactory

    from casework.exports.lists import CHUNK_SIZE, LISTS
    from casework.exports.writers import csv_chunks, xlsx_file

    export_list = LISTS[list_name]
    request = RequestFactory().get("/")
    request.user = user
    _form, queryset = export_list.rows(request)
    columns = export_list.columns(request)
    counted = [0]

    def records():
        for record in queryset[:rows].iterator(chunk_size=CHUNK_SIZE):
            counted[0] += 1
            yield record

    if fmt == "csv":
        size = sum(len(chunk) for chunk in csv_chunks(records(), columns))
    else:
        with xlsx_file(records(), columns, title=str(export_list.title)) as target:
            target.seek(0, 2)
            size = target.tell()
    return counted[0], size


def through_view(client, url):
    response = client.get(url)
    size = sum(len(chunk) for chunk in response.streaming_content)
    response.close()
    return response.status_code, size


def measure(run, *, traced=True):
    """(result, seconds, peak RSS growth in kB or None, tracemalloc peak in bytes or None)."""
    gc.collect()
    can_reset = reset_peak()
    rss_before = status_kb("VmRSS")
    started = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - started
    growth = status_kb("VmHWM") - rss_before if can_reset and rss_before is not None else None
    if not traced:
        return result, seconds, growth, None
    gc.collect()
    tracemalloc.start()
    run()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, seconds, growth, peak


def mb(value_kb):
    return "n/a" if value_kb is None else f"{value_kb / 1024:.1f}"


def main():
    args = parse_args()
    vendor, volume = pages.start(args)

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    User = get_user_model()
    user = User.objects.get(username=args.username)
    settings.DEBUG = False  # seeding needed DEBUG; measured without Django keeping every query

    print("# List exports: time and memory\n")
    print(f"- Database: {vendor}\n- Volume: {volume}\n- Exporter: {args.username}, list: {args.list_name}\n")
    print("| run | format | rows | size (MB) | time (s) | peak RSS growth (MB) | tracemalloc peak (MB) |")
    print("|---|---|---:|---:|---:|---:|---:|")
    results = {}
    for fmt in ("csv", "xlsx"):
        pipeline(user, args.list_name, fmt, min(args.rows, 500))  # warm: imports, caches, the first pages
        for rows in (args.rows, 10 * args.rows):
            (written, size), seconds, growth, traced = measure(
                lambda f=fmt, n=rows: pipeline(user, args.list_name, f, n)
            )
            results[fmt, rows] = (written, growth, traced)
            print(
                f"| first N rows | {fmt.upper()} | {written:,} | {size / 1e6:.1f} | {seconds:.2f} | {mb(growth)} "
                f"| {traced / 1e6:.1f} |"
            )
    if not args.skip_view:
        client = pages.client_for(user)
        names = {
            "consultations": "consultation_export",
            "organisations": "organisation_export",
            "cases": "case_export",
            "follow_ups_units": "follow_up_unit_export",
            "follow_ups_mine": "follow_up_export",
            "events": "event_export",
        }
        for fmt in ("csv", "xlsx"):
            url = reverse(f"casework:{names[args.list_name]}", kwargs={"fmt": fmt})
            pages.mark_session_active(client)
            # Once, without tracemalloc: the whole list takes long enough.
            (status, size), seconds, growth, _traced = measure(lambda u=url: through_view(client, u), traced=False)
            print(
                f"| whole list through the view (HTTP {status}) | {fmt.upper()} | all | {size / 1e6:.1f} "
                f"| {seconds:.2f} | {mb(growth)} | – |"
            )

    print()
    for fmt in ("csv", "xlsx"):
        small_rows, small_rss, small_traced = results[fmt, args.rows]
        big_rows, big_rss, big_traced = results[fmt, 10 * args.rows]
        if big_rows < 5 * small_rows:
            print(f"{fmt.upper()}: only {big_rows:,} rows for 10×N – seed more (--consultations) to judge growth.")
            continue
        traced_ok = big_traced <= GOAL_GROWTH * small_traced
        rss_ok = big_rss is None or small_rss is None or big_rss <= GOAL_GROWTH * small_rss + RSS_SLACK_KB
        verdict = "flat" if traced_ok and rss_ok else "GOAL MISSED: memory grows with rows"
        print(
            f"{fmt.upper()}: {small_rows:,} → {big_rows:,} rows: tracemalloc {small_traced / 1e6:.1f} → "
            f"{big_traced / 1e6:.1f} MB, RSS growth {mb(small_rss)} → {mb(big_rss)} MB: {verdict}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
