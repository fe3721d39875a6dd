"""The shape of a report's figures: plain, JSON-serialisable data that every rendering reads.

`reports.figures.report_figures()` builds it from the database; the archive stores it frozen as
JSON; the HTML preview, the PDF, the CSV and the XLSX are renderings of exactly this data, so
they always agree. The funder variant holds exact figures. In the publication variant
confidentiality is applied *before* this point: a breakdown cell that would show a count of 1 or
2 holds the string SMALL ("< 3"), a cell suppressed so that a small one cannot be re-derived from
what is shown holds SUPPRESSED ("x"). Renderers never see those numbers.

    {
      "version": 1,
      "meta": {
        "scope": "mo" | "lots" | "all",
        "scope_label": "Fachstelle MO" | "Kompetenzzentrum Vielfalt Hessen",
        "units": [{"code": "mo", "name": "…", "short_name": "…", "colour": "orange", "host": "…"}],
        "period": {"kind": "year" | "half" | "quarter" | "custom",
                   "first": "2025-01-01", "last": "2025-12-31", "label": "Jahr 2025"},
        "previous": {"first": "2024-01-01", "last": "2024-12-31", "label": "Jahr 2024"},
        "generated_at": "2026-11-24T23:10:00+01:00",     # ISO 8601, Europe/Berlin
        "generated_by": "Thomas Becker",                  # the staff member, or "Kommandozeile"
        "period_column": "Jahr 2026 (bis 28.11.)",        # the counted span (up to as_of)
        "as_of": "2026-11-28" | None,                     # "Stand": set while the period runs
        "variant": "funder" | "publication", "variant_label": "…",
      },
      "notes": ["…"],                                     # rounding rule, variant, Stand
      "narrative": [{"key", "title", "paragraphs"…}],     # the Sachbericht texts, frozen (reports/narrative.py)
      "title_page": {…},                                  # Aktenzeichen, funding notice, logo ids
      "totals": [                                         # the key figures (never suppressed)
        {"key": "consultations", "label": "Beratungen", "value": 120, "previous": 98, "change": 22},
        …                                                 # change: percent (int) or None
      ],
      "sections": [
        {
          "key": "consultations",
          "title": "Beratungen",
          "tables": [
            {
              "key": "by_format",
              "title": "Beratungen nach Format",
              "columns": ["Format", "Beratungen", "Stunden"],   # first column: the row label
              "rows": [["vor Ort", 12, 30.5], ["telefonisch", "< 3", "x"]],
              "total": ["Summe", 14, 33.0] | None,
              "note": "…" | "",
              "chart": None | {"kind": "bars", "categories": ["Jan", …],
                               "series": [{"label": "2025", "values": [3, …], "colour": "orange"}]},
            },
          ],
        },
      ],
      "named_organisations": ["Verein A e. V.", …],      # only those that agreed to be named
    }

Cell values are int, float (hours, one decimal), str (labels, SMALL, SUPPRESSED) or None (no value).
"""

SMALL = "< 3"
SUPPRESSED = "x"
VERSION = 1

LEGEND = {
    SMALL: "weniger als 3 (statistische Geheimhaltung)",
    SUPPRESSED: "gesperrt, damit kleine Werte nicht aus der Summe errechnet werden können",
}


def is_number(value) -> bool:
    """Whether a cell holds a figure (int or float), not a label, a marker or no value."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def tables_of(figures: dict):
    """Every (section, table) pair in order: what the flat renderings (CSV, XLSX) walk."""
    for section in figures["sections"]:
        for table in section["tables"]:
            yield section, table
