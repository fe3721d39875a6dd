"""The figures module against a small fixed data set with hand-computed values."""

import csv
import datetime
import io
import re

import openpyxl
import pytest
from pypdf import PdfReader

from casework.models import Case, CaseGoal, CaseOutcome, Event, Topic
from organisations.models import Organisation, Region
from reports import generation, periods
from reports.confidentiality import is_small, protect
from reports.document import SMALL, SUPPRESSED
from reports.figures import report_figures
from reports.models import Target
from tests.factories import ConsultationFactory, OrganisationFactory

D = datetime.date
YEAR = periods.year(2025)
PUBLICATION = "publication"


def consult(unit, organisation, day, minutes, fmt="office", participants=1, shared_with=None, topics=None):
    return ConsultationFactory(
        unit=unit,
        organisation=organisation,
        date=day,
        duration_minutes=minutes,
        format=fmt,
        participants=participants,
        shared_with=shared_with,
        topics=topics,
    )


@pytest.fixture
def data(unit_mo, unit_lots):
    """Four organisations; the comments give what each consultation contributes."""
    kassel = Region.objects.get(name="Kassel (Stadt)")
    a = OrganisationFactory(units=[unit_mo], name="Verein A e. V.", may_be_named=True)
    b = OrganisationFactory(units=[unit_mo], name="Verein B e. V.", region=kassel)
    c = OrganisationFactory(units=[unit_lots], name="Lots*innen C", kind="guide_project")
    d = OrganisationFactory(units=[unit_mo], name="Verein D e. V.", may_be_named=True)
    retired = Topic.objects.create(unit=unit_mo, name="Altes Thema", position=99, retired_at=D(2025, 6, 1))
    # A: returning (2024), first and last day of 2025.
    consult(unit_mo, a, D(2024, 6, 1), 60)
    consult(unit_mo, a, D(2025, 1, 1), 90, participants=2, topics=[retired])
    consult(unit_mo, a, D(2025, 12, 31), 30, fmt="phone")
    # B: new in 2025, a joint consultation of MO with the Lots*innen unit, in Kassel.
    consult(unit_mo, b, D(2025, 3, 10), 120, fmt="on_site", participants=3, shared_with=unit_lots)
    # C: Lots*innen; one the day before the period, one the day after.
    consult(unit_lots, c, D(2024, 12, 31), 45)
    consult(unit_lots, c, D(2025, 5, 5), 60, fmt="video")
    consult(unit_lots, c, D(2026, 1, 1), 60)
    # D: new in 2025, five video consultations and four in the office.
    for month in range(1, 6):
        consult(unit_mo, d, D(2025, month, 15), 60, fmt="video")
    for month in range(6, 10):
        consult(unit_mo, d, D(2025, month, 15), 30, fmt="office")
    return {"a": a, "b": b, "c": c, "d": d, "retired": retired}


def total(figures, key):
    return next(t for t in figures["totals"] if t["key"] == key)


def table(figures, key):
    return next(t for s in figures["sections"] for t in s["tables"] if t["key"] == key)


def rows(figures, key):
    return {r[0]: r[1:] for r in table(figures, key)["rows"]}


@pytest.mark.django_db
def test_unit_scope_counts_own_and_shared_consultations_within_the_period(data, unit_mo):
    figures = report_figures([unit_mo], YEAR, generated_by="Test")
    # A 2 (1 Jan, 31 Dec) + B 1 (shared) + D 9 = 12; 2024: A once.
    assert total(figures, "consultations") | {} == {
        "key": "consultations",
        "label": "Beratungen",
        "value": 12,
        "previous": 1,
        "change": 1100,
    }
    # 90 + 30 + 120 + 5×60 + 4×30 = 660 minutes = 11.0 hours
    assert total(figures, "hours")["value"] == 11.0
    assert total(figures, "participants")["value"] == 2 + 1 + 3 + 9
    assert total(figures, "organisations")["value"] == 3  # A, B, D
    assert total(figures, "organisations")["previous"] == 1  # A in 2024
    assert total(figures, "new_organisations")["value"] == 2  # B, D
    assert figures["meta"]["scope"] == "mo"
    assert figures["meta"]["period"] == {
        "kind": "year",
        "first": "2025-01-01",
        "last": "2025-12-31",
        "label": "Jahr 2025",
    }
    assert figures["named_organisations"] == ["Verein A e. V.", "Verein D e. V."]


@pytest.mark.django_db
def test_lots_scope_sees_the_joint_consultation_and_excludes_the_days_outside(data, unit_lots):
    figures = report_figures([unit_lots], YEAR, generated_by="Test")
    assert total(figures, "consultations")["value"] == 2  # B (joint), C on 5 May
    assert total(figures, "consultations")["previous"] == 1  # C on 31 Dec 2024
    assert total(figures, "hours")["value"] == 3.0
    # For the funder: exact. B is new to the Lots*innen unit, C returning (31 Dec 2024).
    assert rows(figures, "new_returning") == {"neu (erste Beratung in diesem Zeitraum)": [1], "wiederkehrend": [1]}
    assert any(s["key"] == "quality" for s in figures["sections"])
    # For publication: 1 + 1 = 2 would give both away; the total 2 is small itself, and so is "davon neu".
    published = report_figures([unit_lots], YEAR, generated_by="Test", variant=PUBLICATION)
    assert rows(published, "new_returning") == {
        "neu (erste Beratung in diesem Zeitraum)": [SUPPRESSED],
        "wiederkehrend": [SUPPRESSED],
    }
    assert table(published, "new_returning")["total"] == ["Summe", SMALL]
    assert total(published, "new_organisations")["value"] == SUPPRESSED
    assert total(published, "consultations") | {} == {
        "key": "consultations",
        "label": "Beratungen",
        "value": SMALL,
        "previous": SMALL,
        "change": None,
    }


@pytest.mark.django_db
def test_whole_kompetenzzentrum_counts_a_joint_consultation_once(data, unit_mo, unit_lots):
    figures = report_figures([unit_mo, unit_lots], YEAR, generated_by="Test")
    assert figures["meta"]["scope"] == "all"
    assert figures["meta"]["scope_label"] == "Kompetenzzentrum Vielfalt Hessen"
    assert total(figures, "consultations")["value"] == 13  # 12 of MO + C; B once
    assert total(figures, "hours")["value"] == 12.0
    assert total(figures, "organisations")["value"] == 4


@pytest.mark.django_db
def test_breakdown_by_format_is_exact_for_the_funder(data, unit_mo):
    figures = report_figures([unit_mo], YEAR, generated_by="Test")
    # video 5 × 60 min; office A 90 + D 4 × 30 = 210 min; phone 30 min; on site 120 min.
    assert rows(figures, "by_format") == {
        "in der Fachstelle": [5, 3.5],
        "vor Ort bei der Organisation": [1, 2.0],
        "telefonisch": [1, 0.5],
        "Video": [5, 5.0],
        "schriftlich / E-Mail": [0, 0.0],
    }
    assert table(figures, "by_format")["total"] == ["Summe", 12, 11.0]
    assert figures["meta"]["variant"] == "funder"


@pytest.mark.django_db
def test_breakdown_by_format_protects_small_cells_and_their_total(data, unit_mo):
    figures = report_figures([unit_mo], YEAR, generated_by="Test", variant=PUBLICATION)
    # video 5, office 1 (A) + 4 (D) = 5, phone 1, on site 1, written 0: the two ones are small;
    # their sum would follow from the total, so the smallest other cell (office 5 ≤ video 5) is hidden.
    by_format = rows(figures, "by_format")
    assert by_format["telefonisch"] == [SMALL, SUPPRESSED]
    assert by_format["vor Ort bei der Organisation"] == [SMALL, SUPPRESSED]
    assert by_format["schriftlich / E-Mail"] == [0, 0.0]
    hidden = [label for label, (n, _h) in by_format.items() if n == SUPPRESSED]
    shown = [label for label, (n, _h) in by_format.items() if n == 5]
    assert len(hidden) == 1 and len(shown) == 1
    assert table(figures, "by_format")["total"] == ["Summe", 12, 11.0]


@pytest.mark.django_db
def test_retired_topics_and_months_of_the_period(data, unit_mo):
    figures = report_figures([unit_mo], YEAR, generated_by="Test")
    topics = rows(figures, "by_topic")
    assert topics["Altes Thema (ausgemustert)"] == ["Fachstelle MO", 1]
    published = report_figures([unit_mo], YEAR, generated_by="Test", variant=PUBLICATION)
    assert rows(published, "by_topic")["Altes Thema (ausgemustert)"] == ["Fachstelle MO", SMALL]
    months = table(figures, "by_month")
    assert [r[0] for r in months["rows"]][:2] == ["Jan 2025 | Jan 2024", "Feb 2025 | Feb 2024"]
    assert months["total"] == ["Summe", 12, 1]
    assert months["chart"]["series"][1]["colour"] == unit_mo.colour


@pytest.mark.django_db
def test_regions_keep_the_kreis_of_the_time(data, unit_mo):
    assert rows(report_figures([unit_mo], YEAR, generated_by="Test"), "by_region")["Kassel (Stadt)"] == [
        "RB Kassel",
        1,
        1,
    ]
    figures = report_figures([unit_mo], YEAR, generated_by="Test", variant=PUBLICATION)
    districts = rows(figures, "by_district")
    # Darmstadt (Frankfurt: A 2 + D 9 = 11) is hidden, or Kassel's 1 (B) would follow from the total 12.
    assert districts["RB Darmstadt"][0] == SUPPRESSED
    assert districts["RB Kassel"][0] == SMALL
    assert table(figures, "by_district")["total"][1] == 12
    kreise = rows(figures, "by_region")
    # Alone in their Regierungsbezirk, a Kreis equals it: its small figures are hidden alike.
    assert kreise["Kassel (Stadt)"] == ["RB Kassel", SUPPRESSED, SUPPRESSED]
    assert kreise["Frankfurt am Main"] == ["RB Darmstadt", 11, SUPPRESSED]


@pytest.mark.django_db
def test_cases_outcomes_events_and_targets(data, unit_mo, people):
    goal = CaseGoal.objects.filter(unit=unit_mo).first()
    outcome = CaseOutcome.objects.filter(unit=unit_mo).first()
    for day in (D(2025, 2, 1), D(2025, 3, 1), D(2025, 4, 1)):
        case = Case.objects.create(
            unit=unit_mo,
            organisation=data["d"],
            title="Prozess",
            goal=goal,
            opened_on=day,
            responsible=people["advisor_mo"],
        )
        case.status, case.closed_on = Case.Status.CLOSED, D(2025, 11, 1)
        case.save()
        case.outcomes_reached.create(outcome=outcome, reached_on=D(2025, 11, 1))
    Case.objects.create(
        unit=unit_mo,
        organisation=data["a"],
        title="Alt",
        goal=goal,
        opened_on=D(2024, 5, 1),
        responsible=people["advisor_mo"],
    )
    for day, joint in ((D(2025, 2, 2), False), (D(2025, 9, 9), True), (D(2024, 9, 9), False)):
        Event.objects.create(
            unit=unit_mo,
            is_joint=joint,
            title="Schulung",
            kind="training",
            date=day,
            format="in_person",
            teaching_units=4,
            participants=10,
        )
    Target.objects.create(unit=unit_mo, year=2025, metric="consultations", value=24)
    figures = report_figures([unit_mo], YEAR, generated_by="Test")
    assert total(figures, "cases_opened")["value"] == 3
    assert total(figures, "cases_closed")["value"] == 3
    assert rows(figures, "outcomes") == {outcome.name: [3]}
    assert total(figures, "events")["value"] == 2
    assert total(figures, "events")["previous"] == 1
    assert total(figures, "teaching_units")["value"] == 8
    assert total(figures, "event_participants")["value"] == 20
    assert rows(figures, "targets") == {"Beratungen": [24, 12, 50]}
    half = report_figures([unit_mo], periods.half(2025, 1), generated_by="Test")
    # Half a year's share of the target: 24 × 181 / 365 = 11.9 → 12 (a whole number), against the
    # 8 consultations of January–June: 8 / 12 = 67 %.
    assert rows(half, "targets") == {"Beratungen": [12, 8, 67]}


@pytest.mark.django_db
def test_a_bounded_number_of_queries(data, unit_mo, unit_lots, django_assert_max_num_queries):
    with django_assert_max_num_queries(21):  # 20 + events by Kreis
        report_figures([unit_mo, unit_lots], YEAR, generated_by="Test")
    for month in range(1, 13):
        OrganisationFactory.create_batch(2, units=[unit_mo])
        consult(unit_mo, Organisation.objects.last(), D(2025, month, 3), 30)
    with django_assert_max_num_queries(21):  # 20 + events by Kreis
        report_figures([unit_mo, unit_lots], YEAR, generated_by="Test")


@pytest.mark.parametrize(
    ("values", "additive", "expected"),
    [
        ([5, 7, 0], True, [5, 7, 0]),
        ([1, 7, 9], True, [SMALL, SUPPRESSED, 9]),  # a lone small cell takes a partner
        ([1, 2, 9], True, [SMALL, SMALL, 9]),  # sum 3 = 1+2 or 2+1: not derivable
        ([1, 1, 9, 4], True, [SMALL, SMALL, 9, SUPPRESSED]),  # sum 2 means both are 1
        ([2, 0, 0], True, [SUPPRESSED] * 3),  # the total is the cell: hide all, zeros too
        ([1, 3, 3], True, [SUPPRESSED] * 3),  # the 3s cannot be smaller, so the 1 would follow
        ([1, 2, 9], False, [SMALL, SMALL, 9]),
        ([1, 0, 9], False, [SMALL, 0, 9]),  # not additive: nothing to re-derive
    ],
)
def test_protect(values, additive, expected):
    assert protect(values, additive=additive) == expected


def brute_force_determined(values, shown):
    """Whether some small cell's value follows from the total and the shown cells (by enumeration)."""
    import itertools

    hidden = [i for i, s in enumerate(shown) if s in (SMALL, SUPPRESSED)]
    target = sum(values[i] for i in hidden)
    smallest_hidden = 0 if SMALL not in shown else 3  # all hidden alike: any value, zero included
    options = {i: ((1, 2) if shown[i] == SMALL else range(smallest_hidden, target + 1)) for i in hidden}
    solutions = [combo for combo in itertools.product(*(options[i] for i in hidden)) if sum(combo) == target]
    for position, i in enumerate(hidden):
        if is_small(values[i]) and len({combo[position] for combo in solutions}) == 1:
            return True
    return False


@pytest.mark.parametrize(
    "values", [[1, 3, 3], [2, 4, 5, 1], [1, 1, 1, 8], [2, 2, 6], [1, 5], [2, 3, 3, 3, 10], [1, 3, 3], [1, 3, 4]]
)
def test_no_small_cell_follows_from_the_total(values):
    assert not brute_force_determined(values, protect(values, additive=True))


@pytest.mark.django_db
def test_retired_regions_are_reported_under_their_old_name(unit_mo):
    old = Region.objects.create(
        name="Altkreis", kind="district", administrative_district="darmstadt", valid_until=D(2025, 6, 30)
    )
    organisation = OrganisationFactory(units=[unit_mo], region=old)
    for day in (D(2025, 2, 1), D(2025, 3, 1), D(2025, 4, 1)):
        consult(unit_mo, organisation, day, 60)
    figures = report_figures([unit_mo], YEAR, generated_by="Test", variant=PUBLICATION)
    assert rows(figures, "by_region")["Altkreis (bis 30.06.2025)"] == ["RB Darmstadt", 3, SUPPRESSED]


@pytest.mark.django_db
def test_every_rendering_shows_the_same_hand_computed_figures(data, unit_mo, people):
    """MO in 2025: 12 consultations, 11.0 hours, 3 organisations, 2 of them new (see `data`)."""
    report = generation.request_report(people["coordinator_mo"], [unit_mo], YEAR)
    expected = {"Beratungen": 12, "Beratungsstunden": 11.0, "erreichte Organisationen": 3, "davon neu": 2}

    assert {t["label"]: t["value"] for t in report.figures["totals"] if t["label"] in expected} == expected

    csv_rows = list(csv.reader(io.StringIO(file_of(report, "csv").decode("utf-8-sig")), delimiter=";"))
    shown = {}
    for row in csv_rows:  # the key figures come first; later a section title starts with "Beratungen" too
        if row and row[0] in expected:
            shown.setdefault(row[0], row[1])
    assert shown == {"Beratungen": "12", "Beratungsstunden": "11,0", "erreichte Organisationen": "3", "davon neu": "2"}

    sheet = openpyxl.load_workbook(io.BytesIO(file_of(report, "xlsx")))["Übersicht"]
    cells = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row and row[0] in expected}
    assert cells == expected

    pages = PdfReader(io.BytesIO(file_of(report, "pdf"))).pages
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in pages))
    for fragment in ("Beratungen121", "Beratungsstunden11,01,0", "erreichteOrganisationen31", "davonneu2"):
        assert fragment in text, fragment


def file_of(report, fmt):
    return bytes(report.files.get(format=fmt).content)
