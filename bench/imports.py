"""Time and peak memory of an import dry run of 10,000 consultation rows (XLSX built by the script).

    .venv/bin/python bench/imports.py [--rows 10000] [--as koordination-mo] [--fresh]
                                      [--organisations 5000] [--consultations 100000]

Uses the database of bench/pages.py (bench/bench.sqlite3 or DATABASE_URL; same setup and seeding, see
bench/README.md). The script writes an XLSX of N consultation rows of the coordinator's unit (existing
organisations with their municipality, German dates, durations as minutes and as "1,5 h", topics as
text, advisors by name), then measures each step the import screens run: reading the file, guessing
the columns, the values that match nothing, and the dry run (every row through ConsultationForm).

Measured: wall time; the peak RSS above the RSS before the run (VmHWM, reset through
/proc/self/clear_refs), and tracemalloc's Python-side peak of the whole pipeline in a second pass.
Goal: the whole pipeline ≤ 30 s and ≤ 300 MB. Always exits 0: it is a report.
"""

import argparse
import datetime
import gc
import io
import random
import sys
import time
import tracemalloc

import pages  # bench/pages.py: this script's directory is on sys.path when run as a script

GOAL_SECONDS = 30
GOAL_MB = 300


def status_kb(field):
    """A line of /proc/self/status in kB (VmRSS, VmHWM), or None where there is none."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def reset_peak():
    """Reset VmHWM to the current RSS (Linux); False where that is not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


def mb(value_kb):
    return "n/a" if value_kb is None else f"{value_kb / 1024:.1f}"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000, help="consultation rows in the file (default 10000)")
    parser.add_argument("--as", dest="username", default=pages.COORDINATOR, help="who imports (koordination-mo)")
    parser.add_argument("--show-queries", action="store_true", help="count the dry run's queries (slower)")
    pages.add_database_arguments(parser)
    return parser.parse_args()


def build_file(user, unit, rows: int) -> bytes:
    """An XLSX as a Fachstelle would keep it, from the unit's own organisations, topics and people."""
    from openpyxl import Workbook

    from casework import access
    from casework.models import Consultation
    from casework.ui.labels import person_label
    from organisations.models import Organisation

    generator = random.Random(2025)
    organisations = list(
        Organisation.objects.filter(units=unit).values_list("name", "municipality").order_by("pk")[:3000]
    )
    topics = list(access.topics_selectable_for([unit.pk]).filter(unit=unit).values_list("name", flat=True))
    advisors = [person_label(person) for person in access.advisors_of([unit.pk])]
    formats = [str(label) for _value, label in Consultation.Format.choices]
    initiators = ["Organisation", "Fachstelle", "Dritte"]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Beratungen")
    sheet.append(
        [
            "Organisation",
            "Gemeinde / Stadt",
            "Datum",
            "Dauer",
            "Format",
            "Anstoß durch",
            "Themen",
            "Berater*innen",
            "Teilnehmende",
            "Zusammenfassung",
        ]
    )
    first = datetime.date(2024, 1, 1)
    for number in range(rows):
        name, municipality = generator.choice(organisations)
        day = first + datetime.timedelta(days=generator.randrange(600))
        minutes = generator.choice([30, 45, 60, 90, 120])
        duration = minutes if number % 2 else f"{minutes / 60:g} h".replace(".", ",")
        sheet.append(
            [
                name,
                municipality,
                day if number % 3 else f"{day:%d.%m.%Y}",
                duration,
                generator.choice(formats),
                generator.choice(initiators),
                "; ".join(generator.sample(topics, generator.randint(1, 3))),
                generator.choice(advisors),
                generator.randint(1, 6),
                f"Beratung Nr. {number}: Satzung, Förderantrag und Öffentlichkeitsarbeit besprochen.",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def pipeline(data, user, unit, timings=None):
    from casework.imports import engine, mapping
    from casework.imports.kinds import KINDS
    from casework.imports.reading import read_table

    kind = KINDS["consultations"]
    steps = timings if timings is not None else {}
    started = time.perf_counter()
    table = read_table(data, "beratungen.xlsx")
    steps["read"] = time.perf_counter() - started
    columns = mapping.guess_mapping(kind, table.headers)
    started = time.perf_counter()
    catalogues = mapping.Catalogues(unit=unit, user=user)
    unmatched = mapping.unmatched_values(
        kind=kind, table=table, mapping=columns, unit=unit, user=user, catalogues=catalogues
    )
    steps["unmatched values"] = time.perf_counter() - started
    started = time.perf_counter()
    plan = engine.dry_run(kind=kind, table=table, mapping=columns, value_map={}, unit=unit, user=user)
    steps["dry run"] = time.perf_counter() - started
    return plan, unmatched


def main():
    args = parse_args()
    vendor, volume = pages.start(args)

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from casework import access
    from casework.access import Action

    user = get_user_model().objects.get(username=args.username)
    unit = access.units_for(user, Action.DELETE).order_by("pk").first()
    settings.DEBUG = False
    data = build_file(user, unit, args.rows)

    print("# Import dry run: time and memory\n")
    print(f"- Database: {vendor}\n- Volume: {volume}")
    print(
        f"- File: {args.rows:,} consultation rows, {len(data) / 1024 / 1024:.1f} MB XLSX; importer {args.username} ({unit})\n"
    )

    gc.collect()
    can_reset = reset_peak()
    rss_before = status_kb("VmRSS")
    timings = {}
    started = time.perf_counter()
    plan, unmatched = pipeline(data, user, unit, timings)
    seconds = time.perf_counter() - started
    growth = status_kb("VmHWM") - rss_before if can_reset and rss_before is not None else None

    gc.collect()
    tracemalloc.start()
    pipeline(data, user, unit)
    _current, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    queries = None
    if args.show_queries:
        with CaptureQueriesContext(connection) as captured:
            pipeline(data, user, unit)
        queries = len(captured.captured_queries)

    print("| step | time (s) |\n|---|---:|")
    for step, value in timings.items():
        print(f"| {step} | {value:.2f} |")
    print(f"| **total** | **{seconds:.2f}** |\n")
    print(f"- Rows: {plan.counts}; values without a match: {len(unmatched)}")
    print(f"- Peak RSS growth: {mb(growth)} MB; tracemalloc peak: {traced / 1024 / 1024:.1f} MB")
    if queries is not None:
        print(f"- Queries: {queries:,} ({queries / max(args.rows, 1):.1f} per row)")
    peak_mb = max(growth / 1024 if growth is not None else 0, traced / 1024 / 1024)
    missed = []
    if seconds > GOAL_SECONDS:
        missed.append(f"GOAL MISSED: {seconds:.1f} s > {GOAL_SECONDS} s")
    if peak_mb > GOAL_MB:
        missed.append(f"GOAL MISSED: {peak_mb:.0f} MB > {GOAL_MB} MB")
    print("\n" + ("\n".join(missed) if missed else f"Goals met: ≤ {GOAL_SECONDS} s, ≤ {GOAL_MB} MB."))
    return 0


if __name__ == "__main__":
    sys.exit(main())
