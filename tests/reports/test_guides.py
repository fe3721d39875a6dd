"""The Lots*innen section of a funder report against hand-computed figures."""

import datetime

import pytest

from casework.guides.models import GuideCount, GuideTraining
from reports import periods
from reports.confidentiality import exact_figures
from reports.document import SMALL, SUPPRESSED
from reports.figures import report_figures
from reports.guides import active_guides, guide_section
from tests.factories import ConsultationFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

D = datetime.date
YEAR = periods.year(2025)
BASIC, FURTHER = GuideTraining.Kind.BASIC, GuideTraining.Kind.FURTHER


def count(unit, project, day, active):
    return GuideCount.objects.create(unit=unit, organisation=project, as_of=day, active=active)


def training(unit, project, day, kind, teaching_units, participants):
    return GuideTraining.objects.create(
        unit=unit,
        organisation=project,
        kind=kind,
        date=day,
        title="Schulung",
        teaching_units=teaching_units,
        participants=participants,
    )


def table(section, key):
    return next(t for t in section["tables"] if t["key"] == key)


@pytest.fixture
def projects(unit_lots, unit_mo):
    """Two advised projects, one not advised, one of MO; the comments give what each record contributes."""
    a = OrganisationFactory(units=[unit_lots], kind="guide_project", name="Lotsen A", may_be_named=True)
    b = OrganisationFactory(units=[unit_lots], kind="guide_project", name="Lotsen B", may_be_named=True)
    idle = OrganisationFactory(units=[unit_lots], kind="guide_project", name="Lotsen ruhend", may_be_named=True)
    mo = OrganisationFactory(units=[unit_mo], name="Verein M", may_be_named=True)
    # A: advised (consultation in 2025). Counts before, inside and after the period: 2025-09-30 is the latest ≤ end.
    ConsultationFactory(unit=unit_lots, organisation=a, date=D(2025, 4, 1))
    count(unit_lots, a, D(2024, 12, 31), 10)
    count(unit_lots, a, D(2025, 6, 30), 14)
    count(unit_lots, a, D(2025, 9, 30), 17)
    count(unit_lots, a, D(2026, 1, 1), 40)  # after the period: not counted
    # A's trainings: two Basisqualifizierungen and one further training in 2025, one of each outside.
    training(unit_lots, a, D(2025, 3, 15), BASIC, 30, 12)
    training(unit_lots, a, D(2025, 10, 1), BASIC, 24, 8)
    training(unit_lots, a, D(2025, 12, 31), FURTHER, 6, 15)
    training(unit_lots, a, D(2024, 12, 31), BASIC, 36, 20)  # the day before
    training(unit_lots, a, D(2026, 1, 1), FURTHER, 4, 9)  # the day after
    # B: advised through figures only (a count inside the period); only counts before it otherwise.
    count(unit_lots, b, D(2023, 3, 31), 5)
    count(unit_lots, b, D(2025, 1, 1), 9)
    training(unit_lots, b, D(2025, 5, 5), FURTHER, 8, 7)
    training(unit_lots, b, D(2025, 6, 6), FURTHER, 4, 6)
    # Not advised in 2025: only a count from before and a training after the period.
    count(unit_lots, idle, D(2024, 6, 30), 20)
    training(unit_lots, idle, D(2026, 2, 1), BASIC, 30, 10)
    # An MO organisation is no Lots*innen project, even if consulted.
    ConsultationFactory(unit=unit_mo, organisation=mo, date=D(2025, 4, 1))
    return a, b, idle


def test_active_guides_at_period_end_and_trainings_by_kind(projects, unit_lots):
    with exact_figures():
        section = guide_section(unit_lots, YEAR)
    assert section["key"] == "guides"
    assert section["title"] == "Lots*innen in den begleiteten Projekten"
    per_project = table(section, "guides_by_project")
    assert per_project["rows"] == [
        # name, active, as of, basic n/UE/participants, further n/UE/participants
        ["Lotsen A", 17, "30.09.2025", 2, 54, 20, 1, 6, 15],
        ["Lotsen B", 9, "01.01.2025", 0, 0, 0, 2, 12, 13],
    ]
    assert per_project["total"] == ["Summe (2 Projekte)", 26, None, 2, 54, 20, 3, 18, 28]
    assert table(section, "guides_trainings")["rows"] == [
        ["Basisqualifizierung", 2, 54, 20, 1],
        ["Aufbau-/Fortbildung", 3, 18, 28, 2],
    ]
    assert table(section, "guides_trainings")["total"] == ["Summe", 5, 72, 48, 2]
    assert dict(table(section, "guides_overview")["rows"]) == {
        "begleitete Lots*innen-Projekte": 2,
        "davon mit erfasster Zahl aktiver Lots*innen": 2,
        "aktive Lots*innen zum Ende des Zeitraums": 26,
        "Projekte mit mindestens 5 aktiven Lots*innen": 2,
        "Schulungen": 5,
        "Unterrichtseinheiten (UE)": 72,
        "Teilnehmende an Schulungen": 48,
    }


def test_a_half_year_counts_up_to_its_own_end(projects, unit_lots):
    first_half = periods.half(2025, 1)
    with exact_figures():
        rows = table(guide_section(unit_lots, first_half), "guides_by_project")["rows"]
    # A: the count of 30.06.2025 (14); its 1 Basisqualifizierung (30 UE, 12) in the half-year.
    # B: 9 as of 01.01.2025; both further trainings in May and June.
    assert rows == [
        ["Lotsen A", 14, "30.06.2025", 1, 30, 12, 0, 0, 0],
        ["Lotsen B", 9, "01.01.2025", 0, 0, 0, 2, 12, 13],
    ]


def test_projects_without_consent_are_summed_up_unnamed(unit_lots):
    named = OrganisationFactory(units=[unit_lots], kind="guide_project", name="Lotsen Nennbar", may_be_named=True)
    for name, active in (("Geheim 1", 11), ("Geheim 2", None)):
        project = OrganisationFactory(units=[unit_lots], kind="guide_project", name=name)
        ConsultationFactory(unit=unit_lots, organisation=project, date=D(2025, 2, 2))
        if active is not None:
            count(unit_lots, project, D(2025, 3, 31), active)
        training(unit_lots, project, D(2025, 4, 4), FURTHER, 5, 6)
    ConsultationFactory(unit=unit_lots, organisation=named, date=D(2025, 2, 2))
    with exact_figures():
        section = guide_section(unit_lots, YEAR)
    per_project = table(section, "guides_by_project")
    assert per_project["rows"] == [
        ["Lotsen Nennbar", None, None, 0, 0, 0, 0, 0, 0],
        ["Weitere Projekte ohne Namensnennung (2)", 11, None, 0, 0, 0, 2, 10, 12],
    ]
    assert per_project["total"] == ["Summe (3 Projekte)", 11, None, 0, 0, 0, 2, 10, 12]
    assert "Geheim" not in str(section)
    overview = dict(table(section, "guides_overview")["rows"])
    assert overview["davon mit erfasster Zahl aktiver Lots*innen"] == 1


def test_beyond_the_named_row_limit_the_smallest_projects_are_summed_up(unit_lots, monkeypatch):
    monkeypatch.setattr("reports.guides.MAX_NAMED_ROWS", 2)
    for name, active in (("Lotsen Klein", 6), ("Lotsen Groß", 30), ("Lotsen Mittel", 12)):
        project = OrganisationFactory(units=[unit_lots], kind="guide_project", name=name, may_be_named=True)
        count(unit_lots, project, D(2025, 3, 31), active)
    hidden = OrganisationFactory(units=[unit_lots], kind="guide_project", name="Geheim")
    count(unit_lots, hidden, D(2025, 3, 31), 4)
    with exact_figures():
        per_project = table(guide_section(unit_lots, YEAR), "guides_by_project")
    # The two largest named projects by name, German order; the smallest named and the unnamed one summed.
    assert [row[:2] for row in per_project["rows"]] == [
        ["Lotsen Groß", 30],
        ["Lotsen Mittel", 12],
        ["Weitere Projekte, zusammengefasst (2)", 10],
    ]
    assert per_project["total"][:2] == ["Summe (4 Projekte)", 52]


def test_the_publication_variant_protects_small_counts_of_people(unit_lots):
    for name, active in (("P1", 2), ("P2", 12), ("P3", 15)):
        project = OrganisationFactory(units=[unit_lots], kind="guide_project", name=name, may_be_named=True)
        count(unit_lots, project, D(2025, 6, 30), active)
    with exact_figures(False):
        rows = table(guide_section(unit_lots, YEAR), "guides_by_project")["rows"]
    assert [r[1] for r in rows] == [SMALL, SUPPRESSED, 15]
    with exact_figures():
        rows = table(guide_section(unit_lots, YEAR), "guides_by_project")["rows"]
    assert [r[1] for r in rows] == [2, 12, 15]


def test_the_report_of_the_lots_unit_carries_the_section(projects, unit_lots, unit_mo):
    figures = report_figures([unit_lots], YEAR, generated_by="Test")
    keys = [section["key"] for section in figures["sections"]]
    assert "guides" in keys
    assert keys.index("guides") == keys.index("quality") + 1
    mo_only = report_figures([unit_mo], YEAR, generated_by="Test")
    assert "guides" not in [section["key"] for section in mo_only["sections"]]


def _projects(unit, n, start):
    for i in range(start, start + n):
        project = OrganisationFactory(
            units=[unit], kind="guide_project", name=f"Projekt {i:03}", may_be_named=i % 3 > 0
        )
        ConsultationFactory(unit=unit, organisation=project, date=D(2025, 1 + i % 12, 3))
        count(unit, project, D(2025, 3, 31), 8 + i % 20)
        count(unit, project, D(2025, 9, 30), 9 + i % 20)
        training(unit, project, D(2025, 5, 1), BASIC, 30, 10)
        training(unit, project, D(2025, 7, 1), FURTHER, 6, 8)


@pytest.mark.parametrize("n", [2, 20])
def test_a_constant_number_of_queries(unit_lots, django_assert_num_queries, n):
    _projects(unit_lots, n, 0)
    with django_assert_num_queries(2):
        section = guide_section(unit_lots, YEAR)
    assert dict(table(section, "guides_overview")["rows"])["begleitete Lots*innen-Projekte"] == n


def test_the_key_figure_of_active_guides(projects, unit_lots, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert active_guides(unit_lots, YEAR) == 17 + 9
    # 2024: A advised through its count and training of 31.12.2024 (10), the idle project through its
    # count of 30.06.2024 (20); B had no consultation, count or training in 2024, so its 5 of 2023 do not count.
    assert active_guides(unit_lots, periods.year(2024)) == 10 + 20
