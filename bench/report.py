"""Time, queries and peak memory of a yearly funder report of both units on the benchmark dataset.

    .venv/bin/python bench/report.py [--repeat 5] [--warmup 1] [--year 2025] [--fresh]

Uses the database of bench/pages.py (bench/bench.sqlite3 or DATABASE_URL; same setup, same
seeding; see bench/README.md). One report = `report_figures([mo, lots], periods.year(Y))` with a
Sachbericht's texts and title page (7 sections of 2–3 paragraphs, `with_narrative`) and
`render_files(figures, …)`: figures → HTML → PDF/A-3b (rendered in a forked child, the CSV
attached) + CSV + XLSX, exactly what the background task does minus archiving the files.
Beside it, the parts on their own: the figures, the HTML, CSV + XLSX, the PDF in a forked child,
and WeasyPrint alone (`reports.pdf.render_pdf` in this process) on the same HTML.

Goals: end to end ≤ 2 s, end to end ≤ 1.3 × WeasyPrint alone, the number of queries independent
of the data volume (a year and a quarter issue the same number), peak memory ≤ 300 MB.
Always exits 0: it is a report.
"""

import argparse
import gc
import os
import resource
import statistics
import sys
import time
import tracemalloc

import pages  # bench/pages.py: this script's directory is on sys.path when run as a script

GOAL_END_TO_END_S = 2.0
GOAL_RATIO = 1.3
GOAL_PEAK_MB = 300
UNIT_CODES = ("mo", "lots")
NAME = "bench"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="measured runs of each step (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured runs of each step first (default 1)")
    pages.add_database_arguments(parser)
    parser.add_argument(
        "--year", type=int, default=2025, help="report year (default 2025, the last complete year of the demo data)"
    )
    parser.add_argument("--show-sql", action="store_true", help="list the queries of the figures with their times")
    return parser.parse_args()


# --- Memory ------------------------------------------------------------------------------------


def _status_kb(field):
    """A field of /proc/self/status in kB (VmRSS, VmHWM), or None where there is no /proc."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def reset_peak():
    """Reset this process's peak RSS (VmHWM) to its current RSS; False if the kernel does not allow it."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


def mb(kb):
    return kb / 1024 if kb is not None else float("nan")


# --- Steps -------------------------------------------------------------------------------------


def pdf_title(figures):
    return f"Bericht {figures['meta']['scope_label']} – {figures['meta']['period']['label']}"


# A Sachbericht as written: every section of the outline with two or three paragraphs (one a list).
PARAGRAPH = (
    "Im Berichtszeitraum hat die Fachstelle die Organisationen in allen Regierungsbezirken beraten und "
    "begleitet. Die Nachfrage nach Beratung zu Fördermitteln, Vereinsrecht und Öffentlichkeitsarbeit blieb "
    "hoch; viele Anfragen kamen über Empfehlungen bereits beratener Vereine."
)
LIST = "- Beratungen vor Ort und digital\n- Schulungen für Vorstände\n- Vernetzungstreffen in den Regionen"


def with_narrative(figures):
    """`figures` with the narrative and the title page a generated report freezes in (reports/narrative.py)."""
    from reports import narrative
    from reports.models import DEFAULT_FUNDING_NOTICE

    texts = {
        section.key: "\n\n".join([PARAGRAPH, LIST, PARAGRAPH][: 2 + index % 2])
        for index, section in enumerate(narrative.OUTLINE)
    }
    figures["narrative"] = narrative.frozen_sections(texts)
    figures["title_page"] = {
        "funding_notice": DEFAULT_FUNDING_NOTICE,
        "references": [
            {"unit": unit["short_name"], "reference": "III 4 – 71b 12/2025"} for unit in figures["meta"]["units"]
        ],
        "logos": [],  # logos would be one query of render_files; their data: URLs cost WeasyPrint little
    }
    return figures


def count_queries(function):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        result = function()
    queries = [q for q in captured.captured_queries if not q["sql"].startswith(pages.TRANSACTION_MARKERS)]
    return result, queries


def timed(function):
    started = time.perf_counter()
    result = function()
    return result, time.perf_counter() - started


def summary(samples):
    return {"median": statistics.median(samples), "p95": pages.percentile(samples, 0.95), "n": len(samples)}


def measure(units, period, args):
    """Every step `warmup + repeat` times; returns timings (s), memory and the rendered sizes."""
    from django.template.loader import render_to_string

    from reports import exports, pdf
    from reports.figures import report_figures
    from reports.generation import RENDER_MEMORY_MB, RENDER_TIMEOUT_S, render_files

    def figures_only():
        return with_narrative(report_figures(units, period, generated_by="Benchmark"))

    def end_to_end():
        return render_files(figures_only(), NAME)

    figures = figures_only()
    html = render_to_string("reports/report_pdf.html", {"figures": figures})
    csv = exports.to_csv(figures)
    title = pdf_title(figures)
    attachments = [(f"{NAME}.csv", csv, "text/csv")]

    def pdf_limited():
        return pdf.render_pdf_limited(
            html, title=title, attachments=attachments, timeout_s=RENDER_TIMEOUT_S, memory_mb=RENDER_MEMORY_MB
        )

    def pdf_in_process():
        return pdf.render_pdf(html, title=title, attachments=attachments)

    def weasyprint_plain():
        import weasyprint

        return weasyprint.HTML(string=html, base_url=pdf.REPORT_BASE_URL, url_fetcher=pdf.SafeURLFetcher()).write_pdf()

    times = {key: [] for key in ("e2e", "figures", "html", "csv_xlsx", "limited", "render", "plain", "limited_warm")}
    memory = {"e2e_parent_hwm": [], "e2e_parent_rss_before": [], "render_hwm": [], "render_growth": []}
    can_reset = reset_peak()
    sizes = {}

    # Phase 1, as the production worker: its first PDF job (here in the warm-up run) renders a tiny
    # document in this process once (reports.pdf._warm_up_once), so forked children inherit loaded
    # fonts and parsed default styles; nothing else of WeasyPrint's has run here.
    # The steps alternate, so a change in the machine's load hits them all alike.
    print("  end to end, figures, HTML, CSV + XLSX, PDF in a forked child …", file=sys.stderr)
    for i in range(args.warmup + args.repeat):
        measured = i >= args.warmup
        gc.collect()
        rss_before = _status_kb("VmRSS")
        reset_peak()
        files, seconds = timed(end_to_end)
        if measured:
            times["e2e"].append(seconds)
            memory["e2e_parent_hwm"].append(_status_kb("VmHWM") if can_reset else None)
            memory["e2e_parent_rss_before"].append(rss_before)
        sizes = {fmt: len(content) for fmt, content in files.items()}
        for key, function in (
            ("figures", figures_only),
            ("html", lambda: render_to_string("reports/report_pdf.html", {"figures": figures})),
            ("csv_xlsx", lambda: (exports.to_csv(figures), exports.to_xlsx(figures))),
            ("limited", pdf_limited),
        ):
            _result, seconds = timed(function)
            if measured:
                times[key].append(seconds)
    children_maxrss_cold = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss

    # Phase 2: WeasyPrint alone in this process (the reference), and plain WeasyPrint (no PDF/A,
    # no tags, no attachment) to show what the archival variant costs.
    print("  WeasyPrint alone in this process …", file=sys.stderr)
    for i in range(args.warmup + args.repeat):
        measured = i >= args.warmup
        gc.collect()
        rss_before = _status_kb("VmRSS")
        reset_peak()
        _result, seconds = timed(pdf_in_process)
        if can_reset:
            hwm = _status_kb("VmHWM")
            memory["render_hwm"].append(hwm)
            if i == 0:  # later runs start from a heap that already holds what WeasyPrint kept
                memory["render_growth"].append(hwm - rss_before)
        if measured:
            times["render"].append(seconds)
        _result, seconds = timed(weasyprint_plain)
        if measured:
            times["plain"].append(seconds)

    # Phase 3: the forked child again, now that this process has WeasyPrint's caches to hand down.
    print("  PDF in a forked child after WeasyPrint ran here …", file=sys.stderr)
    for i in range(args.warmup + args.repeat):
        _result, seconds = timed(pdf_limited)
        if i >= args.warmup:
            times["limited_warm"].append(seconds)

    # Python-side peak of everything but the PDF, on its own (tracemalloc slows the code down).
    gc.collect()
    tracemalloc.start()
    figures_traced = figures_only()
    render_to_string("reports/report_pdf.html", {"figures": figures_traced})
    exports.to_csv(figures_traced)
    exports.to_xlsx(figures_traced)
    _current, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    memory.update(
        can_reset=can_reset,
        children_maxrss_cold=children_maxrss_cold,
        children_maxrss=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        self_maxrss=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        traced_peak=traced_peak,
    )
    return {key: summary(samples) for key, samples in times.items()}, memory, sizes, len(html)


def query_counts(units, year):
    """The figures' queries for the year and for its first quarter, and render_files' queries."""
    from reports import periods
    from reports.figures import Scope, report_figures
    from reports.generation import render_files

    report_figures(units, periods.year(year), generated_by="Benchmark")  # one-time look-ups, not counted
    results = []
    for period in (periods.year(year), periods.quarter(year, 1)):
        scope = Scope(tuple(units), everything=False)  # the explicit unit condition: same count
        volume = scope.consultations().filter(date__range=(period.first, period.last)).count()
        figures, queries = count_queries(lambda p=period: report_figures(units, p, generated_by="Benchmark"))
        figures = with_narrative(figures)
        results.append((period, volume, queries, figures))
    _files, rendering = count_queries(lambda: render_files(results[0][3], NAME))
    return results, rendering


# --- Report ------------------------------------------------------------------------------------


def main():
    args = parse_args()
    vendor, volume = pages.start(args)  # settings.LOGGING keeps WeasyPrint's per-page log quiet

    from django.conf import settings

    from casework.models import Unit
    from reports import periods

    settings.DEBUG = False  # as bench/pages.py: no per-query logging during the timed runs
    units = list(Unit.objects.filter(code__in=UNIT_CODES).order_by("pk"))
    period = periods.year(args.year)
    print(f"Measuring the report {period.label} on {vendor} …", file=sys.stderr)
    pages.LOADS.append(os.getloadavg()[0])
    counts, rendering_queries = query_counts(units, args.year)
    pages.LOADS.append(os.getloadavg()[0])
    t, memory, sizes, html_chars = measure(units, period, args)
    pages.LOADS.append(os.getloadavg()[0])

    figure_queries = len(counts[0][2])
    e2e_queries = figure_queries + len(rendering_queries)
    print(f"\n**Database:** {vendor}  ")
    print(f"**Data:** {volume}  ")
    print(f"**Machine:** {os.cpu_count()} CPUs, 1-minute load average {min(pages.LOADS):.1f}–{max(pages.LOADS):.1f}  ")
    print(
        f"**Report:** {period.label}, units {' + '.join(u.code for u in units)}; "
        f"{args.repeat} measured runs of each step after {args.warmup} warm-up; "
        f"HTML {html_chars:,} characters, PDF {sizes.get('pdf', 0):,} B, CSV {sizes.get('csv', 0):,} B, "
        f"XLSX {sizes.get('xlsx', 0):,} B\n"
    )
    rows = [
        ("End to end: figures → HTML → PDF (forked child, CSV attached) + CSV + XLSX", "e2e", e2e_queries),
        ("Figures only (`report_figures`)", "figures", figure_queries),
        ("HTML only (`render_to_string`)", "html", 0),
        ("CSV + XLSX only", "csv_xlsx", 0),
        ("PDF in a forked child (`render_pdf_limited`), as the worker", "limited", 0),
        ("**WeasyPrint alone** in-process (`render_pdf`, PDF/A-3b, tagged, CSV attached)", "render", 0),
        ("WeasyPrint plain in-process (no PDF/A, no tags, no attachment)", "plain", 0),
        ("PDF in a forked child after WeasyPrint ran in the parent", "limited_warm", 0),
    ]
    print("| step | median ms | p95 ms | queries |")
    print("|---|---:|---:|---:|")
    for label, key, queries in rows:
        print(f"| {label} | {t[key]['median'] * 1000:.0f} | {t[key]['p95'] * 1000:.0f} | {queries} |")

    print("\n| period | consultations in scope | queries of the figures |")
    print("|---|---:|---:|")
    for p, n, queries, _figures in counts:
        print(f"| {p.label} ({p.first:%d.%m.%Y}–{p.last:%d.%m.%Y}) | {n:,} | {len(queries)} |")
    print(f"\n`render_files` (HTML, PDF, CSV, XLSX) issues {len(rendering_queries)} queries.")

    can_reset = memory["can_reset"]
    parent_peak = max(memory["e2e_parent_hwm"]) if can_reset else memory["self_maxrss"]
    parent_before = max(memory["e2e_parent_rss_before"])
    child_peak = memory["children_maxrss_cold"]
    render_growth = max(memory["render_growth"], default=None)
    print("\n| memory | MB | what it is |")
    print("|---|---:|---|")
    if can_reset:
        print(
            f"| worker process, peak RSS during one report | {mb(parent_peak):.0f} | VmHWM reset before each "
            f"end-to-end run (RSS before: {mb(parent_before):.0f} MB: Django, the app, drivers); "
            "figures + HTML + CSV + XLSX, the PDF being made in the child |"
        )
    else:
        print(
            f"| worker process, lifetime peak RSS | {mb(parent_peak):.0f} | ru_maxrss; /proc clear_refs unavailable |"
        )
    print(
        f"| PDF child, peak RSS | {mb(child_peak):.0f} | `RUSAGE_CHILDREN` ru_maxrss, the largest forked child; "
        "counts the pages it shares copy-on-write with the worker, so the two do not add up |"
    )
    if render_growth is not None:
        print(
            f"| WeasyPrint in-process, rise of the peak RSS | {mb(render_growth):.0f} | VmHWM − RSS before the "
            "first `render_pdf` in this process: what WeasyPrint itself needs (peak RSS of this process over "
            f"all in-process renders: {mb(max(memory['render_hwm'])):.0f} MB, not the production path) |"
        )
    print(
        f"| Python allocations, peak (figures + HTML + CSV + XLSX) | {memory['traced_peak'] / 1024**2:.1f} | "
        "tracemalloc, a separate untimed run; Python objects only, no interpreter or C libraries |"
    )
    print(
        f"| this benchmark process, lifetime peak RSS | {mb(memory['self_maxrss']):.0f} | `RUSAGE_SELF` ru_maxrss, "
        "includes in-process WeasyPrint runs and start-up (migrate/seeding) |"
    )

    fork_overhead = t["limited"]["median"] - t["render"]["median"]
    print(
        f"\nWhere the time goes (medians): figures {t['figures']['median'] * 1000:.0f} ms, "
        f"HTML {t['html']['median'] * 1000:.0f} ms, CSV + XLSX {t['csv_xlsx']['median'] * 1000:.0f} ms, "
        f"PDF in the child {t['limited']['median'] * 1000:.0f} ms "
        f"(WeasyPrint in-process {t['render']['median'] * 1000:.0f} ms, so fork + cold caches in the child "
        f"{fork_overhead * 1000:+.0f} ms; with a parent that had rendered before "
        f"{(t['limited_warm']['median'] - t['render']['median']) * 1000:+.0f} ms)."
    )

    misses = []
    e2e, weasy = t["e2e"], t["render"]
    if e2e["p95"] > GOAL_END_TO_END_S:
        misses.append(f"end to end p95 {e2e['p95']:.2f} s > {GOAL_END_TO_END_S:.0f} s")
    ratio = e2e["median"] / weasy["median"]
    print(f"End to end / WeasyPrint alone (medians): {ratio:.2f} ×")
    if ratio > GOAL_RATIO:
        misses.append(
            f"end to end {e2e['median'] * 1000:.0f} ms is {ratio:.2f} × WeasyPrint alone "
            f"({weasy['median'] * 1000:.0f} ms) > {GOAL_RATIO} ×"
        )
    year_queries, quarter_queries = len(counts[0][2]), len(counts[1][2])
    if year_queries != quarter_queries:
        misses.append(
            f"queries depend on the data volume: {year_queries} for {counts[0][0].label}, "
            f"{quarter_queries} for {counts[1][0].label}"
        )
    if len(rendering_queries):
        misses.append(f"render_files issues {len(rendering_queries)} queries (expected none)")
    peak = max(parent_peak, child_peak)
    if mb(peak) > GOAL_PEAK_MB:
        misses.append(f"peak memory {mb(peak):.0f} MB > {GOAL_PEAK_MB} MB (largest process: worker or PDF child)")
    print(
        f"\nGoals: end to end p95 ≤ {GOAL_END_TO_END_S:.0f} s and ≤ {GOAL_RATIO} × WeasyPrint alone (median); "
        f"queries independent of the data volume; peak memory (worker or PDF child) ≤ {GOAL_PEAK_MB} MB."
    )
    for miss in misses:
        print(f"GOAL MISSED: {miss}")
    if not misses:
        print("All goals met.")
    if args.show_sql:
        print(f"\n### Queries of the figures, {counts[0][0].label}\n")
        for query in counts[0][2]:
            print(f"- {float(query['time']) * 1000:.1f} ms: {query['sql'][:600]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
