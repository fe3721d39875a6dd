"""The report's numbers are exact and consistent: labels, running periods, totals, targets, variants.

Hand-computed figures; `now` is fixed so that which periods are still running does not depend on the day.
"""

import datetime

import pytest

from casework.models import Consultation
from reports import periods
from reports.document import SMALL, SUPPRESSED
from reports.figures import hours_parts, pro_rata_targets, report_figures
from reports.models import Target
from tests.factories import ConsultationFactory, OrganisationFactory
from tests.reports.test_confidentiality import determined

D = datetime.date
NOW = datetime.datetime(2026, 11, 28, 10, 0, tzinfo=datetime.UTC)  # 28 November 2026, 11:00 in Berlin


def consult(unit, day, minutes=60, fmt="office", organisation=None):
    return ConsultationFactory(
        unit=unit,
        date=day,
        duration_minutes=minutes,
        format=fmt,
        participants=1,
        **({"organisation": organisation} if organisation else {}),
    )


def table(figures, key):
    return next(t for s in figures["sections"] for t in s["tables"] if t["key"] == key)


def total(figures, key):
    return next(t for t in figures["totals"] if t["key"] == key)


def figures_of(unit, period, **kwargs):
    return report_figures([unit], period, generated_by="Test", now=NOW, **kwargs)


# --- 1. Each period's months carry their own labels ------------------------------------------------


@pytest.mark.django_db
def test_half_year_comparison_labels_each_period_by_its_own_months(unit_mo):
    for day in (D(2025, 7, 10), D(2025, 7, 20), D(2025, 9, 1), D(2026, 1, 5), D(2026, 1, 6), D(2026, 1, 7)):
        consult(unit_mo, day)
    consult(unit_mo, D(2026, 3, 3))
    by_month = table(figures_of(unit_mo, periods.half(2026, 1)), "by_month")
    assert by_month["columns"] == ["Monat (Bericht | Vergleich)", "1. Halbjahr 2026", "2. Halbjahr 2025"]
    assert by_month["rows"] == [
        ["Jan 2026 | Jul 2025", 3, 2],
        ["Feb 2026 | Aug 2025", 0, 0],
        ["Mär 2026 | Sep 2025", 1, 1],
        ["Apr 2026 | Okt 2025", 0, 0],
        ["Mai 2026 | Nov 2025", 0, 0],
        ["Jun 2026 | Dez 2025", 0, 0],
    ]
    assert by_month["total"] == ["Summe", 4, 3]
    chart = by_month["chart"]
    assert chart["categories"] == ["Jan/Jul", "Feb/Aug", "Mär/Sep", "Apr/Okt", "Mai/Nov", "Jun/Dez"]
    assert [(s["label"], s["values"]) for s in chart["series"]] == [
        ("2. Halbjahr 2025", [2, 0, 1, 0, 0, 0]),
        ("1. Halbjahr 2026", [3, 0, 1, 0, 0, 0]),
    ]


@pytest.mark.django_db
def test_quarter_comparison_and_a_year_keeps_the_month_names(unit_mo):
    consult(unit_mo, D(2025, 12, 24))
    by_month = table(figures_of(unit_mo, periods.quarter(2026, 1)), "by_month")
    assert [row[0] for row in by_month["rows"]] == ["Jan 2026 | Okt 2025", "Feb 2026 | Nov 2025", "Mär 2026 | Dez 2025"]
    assert by_month["rows"][2][1:] == [0, 1]
    year = table(figures_of(unit_mo, periods.year(2025)), "by_month")
    assert year["rows"][11][0] == "Dez 2025 | Dez 2024"
    assert year["chart"]["categories"][:2] == ["Jan", "Feb"]


# --- 2. A running period: "Stand" and the same span before -----------------------------------------


@pytest.mark.django_db
def test_a_running_year_counts_up_to_today_and_compares_with_the_same_span(unit_mo):
    for day in (D(2026, 2, 1), D(2026, 11, 28)):  # counted
        consult(unit_mo, day)
    consult(unit_mo, D(2026, 12, 5))  # planned, after "Stand"
    for day in (D(2025, 3, 1), D(2025, 11, 28)):  # the same span of 2025
        consult(unit_mo, day)
    for day in (D(2025, 11, 29), D(2025, 12, 20)):  # outside it
        consult(unit_mo, day)
    figures = figures_of(unit_mo, periods.year(2026))
    meta = figures["meta"]
    assert meta["as_of"] == "2026-11-28"
    assert meta["period"] == {"kind": "year", "first": "2026-01-01", "last": "2026-12-31", "label": "Jahr 2026"}
    assert meta["period_column"] == "Jahr 2026 (bis 28.11.)"
    assert meta["previous"] == {
        "kind": "year",
        "first": "2025-01-01",
        "last": "2025-11-28",
        "label": "Jahr 2025 (bis 28.11.)",
    }
    assert total(figures, "consultations") | {} == {
        "key": "consultations",
        "label": "Beratungen",
        "value": 2,
        "previous": 2,
        "change": 0,
    }
    assert figures["notes"][0].startswith("Stand: 28.11.2026.")
    assert "01.01.2025–28.11.2025" in figures["notes"][0]
    rows = table(figures, "by_month")["rows"]
    assert len(rows) == 11 and rows[-1] == ["Nov 2026 | Nov 2025", 1, 1]


@pytest.mark.django_db
def test_a_finished_period_has_no_stand(unit_mo):
    figures = figures_of(unit_mo, periods.year(2025))
    assert figures["meta"]["as_of"] is None
    assert figures["meta"]["previous"]["last"] == "2024-12-31"
    assert not any(note.startswith("Stand") for note in figures["notes"])


def test_same_span_of_halves_quarters_custom_periods_and_leap_days():
    counted, before = periods.same_span(periods.half(2026, 2), D(2026, 11, 28))
    assert (counted.first, counted.last, before.first, before.last) == (
        D(2026, 7, 1),
        D(2026, 11, 28),
        D(2026, 1, 1),
        D(2026, 5, 28),
    )
    assert counted.label == "2. Halbjahr 2026 (bis 28.11.)"
    _counted, before = periods.same_span(periods.quarter(2026, 2), D(2026, 5, 31))
    assert (before.first, before.last) == (D(2026, 1, 1), D(2026, 2, 28))  # 31 February does not exist
    _counted, before = periods.same_span(periods.year(2028), D(2028, 2, 29))
    assert before.last == D(2027, 2, 28)  # the dashboard's rule
    _counted, before = periods.same_span(periods.custom(D(2026, 11, 1), D(2026, 12, 10)), D(2026, 11, 10))
    assert (before.first, before.last) == (D(2026, 9, 22), D(2026, 10, 1))  # 10 of its 40 days


# --- 3. Shown parts add up to the shown total ------------------------------------------------------


def test_parts_add_up_where_rounding_each_would_not():
    # 3343 + 3350 minutes = 6693 minutes = 111.55 hours → 111.6; each alone: 55.72 → 55.7, 55.83 → 55.8,
    # which would add up to 111.5. The missing tenth goes to the larger remainder (55.83).
    assert hours_parts([3343, 3350]) == [55.7, 55.9]
    assert round(sum(hours_parts([3343, 3350])), 1) == 111.6
    # Three times 20 minutes: 0.33 h each (0.9 in all when rounded alone), 1.0 h together.
    assert hours_parts([20, 20, 20]) == [0.4, 0.3, 0.3]
    assert hours_parts([0, 30, 0]) == [0.0, 0.5, 0.0]


@pytest.mark.django_db
def test_hours_by_format_add_up_to_the_headline_hours(unit_mo):
    for fmt in ("office", "phone", "video"):
        consult(unit_mo, D(2025, 5, 5), minutes=20, fmt=fmt)
    figures = figures_of(unit_mo, periods.year(2025))
    by_format = {row[0]: row[1:] for row in table(figures, "by_format")["rows"]}
    assert by_format["in der Fachstelle"] == [1, 0.4]
    assert by_format["telefonisch"] == [1, 0.3]
    assert by_format["Video"] == [1, 0.3]
    assert table(figures, "by_format")["total"] == ["Summe", 3, 1.0]
    assert total(figures, "hours")["value"] == 1.0
    assert any("größten Reste" in note for note in figures["notes"])


# --- 4. Whole-number targets ------------------------------------------------------------------------


@pytest.mark.django_db
def test_targets_and_their_shares_are_whole_numbers(unit_mo):
    Target.objects.create(unit=unit_mo, year=2025, metric="consultations", value=305)
    Target.objects.create(unit=unit_mo, year=2025, metric="events", value=2)
    Target.objects.create(unit=unit_mo, year=2026, metric="consultations", value=730)
    # 305 × 90 / 365 = 75.2 → 75; 2 × 90 / 365 = 0.49 → 0.
    assert pro_rata_targets([unit_mo], periods.quarter(2025, 1)) == {"consultations": 75, "events": 0}
    # December 2025 and January 2026: 305 × 31/365 = 25.9 and 730 × 31/365 = 62.0 → 87.9 → 88.
    across = pro_rata_targets([unit_mo], periods.custom(D(2025, 12, 1), D(2026, 1, 31)))
    assert across["consultations"] == 88
    for _ in range(3):
        consult(unit_mo, D(2025, 2, 2))
    rows = {row[0]: row[1:] for row in table(figures_of(unit_mo, periods.quarter(2025, 1)), "targets")["rows"]}
    assert rows["Beratungen"] == [75, 3, 4]  # 3 / 75 = 4 %
    assert rows["Veranstaltungen"] == [0, 0, None]
    assert all(isinstance(row[0], int) for row in rows.values())
    whole_year = {row[0]: row[1] for row in table(figures_of(unit_mo, periods.year(2025)), "targets")["rows"]}
    assert whole_year == {"Beratungen": 305, "Veranstaltungen": 2}


# --- 5. Exact for the funder, consistent suppression for publication -------------------------------


@pytest.fixture
def small_counts(unit_mo):
    """Formats: office 1, video 7, phone 9; one organisation agreed to be named, one new organisation."""
    known = OrganisationFactory(units=[unit_mo], name="Bekannt e. V.")
    consult(unit_mo, D(2024, 5, 5), organisation=known)
    newcomer = OrganisationFactory(units=[unit_mo], name="Neu e. V.")
    consult(unit_mo, D(2025, 1, 10), fmt="office", organisation=newcomer)
    for month in range(1, 8):
        consult(unit_mo, D(2025, month, 3), fmt="video", organisation=known)
    for month in range(1, 10):
        consult(unit_mo, D(2025, month, 4), fmt="phone", organisation=known)
    Target.objects.create(unit=unit_mo, year=2025, metric="new_organisations", value=4)


def every_cell(figures, skip=None):
    for _section in figures["sections"]:
        for t in _section["tables"]:
            if t["key"] == skip:
                continue
            for row in [*t["rows"], t["total"] or []]:
                yield from row[1:]
    for t in figures["totals"]:
        yield t["value"]
        yield t["previous"]


@pytest.mark.django_db
def test_the_funder_reads_exact_figures(small_counts, unit_mo):
    figures = figures_of(unit_mo, periods.year(2025))
    assert figures["meta"]["variant"] == "funder"
    assert not [cell for cell in every_cell(figures) if cell in (SMALL, SUPPRESSED)]
    by_format = {row[0]: row[1] for row in table(figures, "by_format")["rows"]}
    assert (by_format["in der Fachstelle"], by_format["Video"], by_format["telefonisch"]) == (1, 7, 9)
    assert total(figures, "new_organisations")["value"] == 1
    assert {row[0]: row[1:] for row in table(figures, "targets")["rows"]} == {
        "neu erreichte Organisationen": [4, 1, 25]
    }
    assert "genau" in figures["notes"][-1]


@pytest.mark.django_db
def test_the_publication_variant_hides_consistently(small_counts, unit_mo):
    figures = figures_of(unit_mo, periods.year(2025), variant="publication")
    assert figures["meta"]["variant"] == "publication"
    assert figures["meta"]["variant_label"] == "zur Veröffentlichung"
    by_format = {row[0]: row[1:] for row in table(figures, "by_format")["rows"]}
    # The 1 is small; alone it would follow from the total 17, so the smallest other cell goes too,
    # and its hours with it.
    assert by_format["in der Fachstelle"] == [SMALL, SUPPRESSED]
    assert by_format["Video"] == [SUPPRESSED, SUPPRESSED]
    assert by_format["telefonisch"][0] == 9
    assert table(figures, "by_format")["total"][1] == 17
    # "davon neu" is 1: the key figure, the table and the target comparison hide it alike.
    assert total(figures, "new_organisations")["value"] in (SMALL, SUPPRESSED)
    assert {row[0]: row[1:] for row in table(figures, "targets")["rows"]} == {
        "neu erreichte Organisationen": [4, total(figures, "new_organisations")["value"], None]
    }
    # No count of 1 or 2 anywhere, and no hidden count follows from a total in any table.
    # (Targets and shares reached in percent are no counts of anyone.)
    shown_counts = [c for c in every_cell(figures, skip="targets") if isinstance(c, int) and not isinstance(c, bool)]
    assert not [c for c in shown_counts if 0 < c < 3]
    for _section in figures["sections"]:
        for t in _section["tables"]:
            if not t["total"]:
                continue
            for column in range(1, len(t["columns"])):
                column_total = t["total"][column]
                cells = [row[column] for row in t["rows"]]
                if any(isinstance(c, float) for c in cells) or column_total is None:
                    continue  # hours (not people) and columns without a total
                assert determined(cells, column_total) == [], (t["key"], column)


@pytest.mark.django_db
def test_an_unknown_variant_is_refused(unit_mo):
    with pytest.raises(ValueError):
        figures_of(unit_mo, periods.year(2025), variant="press")


# --- 6. German order ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_named_organisations_in_german_order(unit_mo):
    names = ["Zusammen e. V.", "Äthiopischer Verein", "Arabischer Kulturverein", "Ökumenischer Kreis", "Oase e. V."]
    for name in names:
        consult(unit_mo, D(2025, 4, 4), organisation=OrganisationFactory(units=[unit_mo], name=name, may_be_named=True))
    assert figures_of(unit_mo, periods.year(2025))["named_organisations"] == [
        "Arabischer Kulturverein",
        "Äthiopischer Verein",
        "Oase e. V.",
        "Ökumenischer Kreis",
        "Zusammen e. V.",
    ]
    assert Consultation.objects.count() == 5
