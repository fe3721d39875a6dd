"""The Lots*innen figures of a funder report: active Lots*innen and trainings in the advised projects.

`guide_section(unit, period)` returns one section in the shape of reports/document.py, aggregated in the
database with two queries whatever the number of projects, counts and trainings:
1. the projects advised in the period, each with its latest count of active Lots*innen up to the
   period's end (a correlated subquery served by the index guide_count_latest_idx);
2. the trainings held in the period, summed per project and kind.
Projects appear by name only where they agreed to be named in funder reports; the others are summed
up in one row. Counts of people (active Lots*innen, participants) are protected like every
breakdown of the report (reports/confidentiality.py); the key figures are not.
"""

from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum

from casework.guides.models import GuideCount, GuideTraining
from casework.models import Consultation
from casework.search.ordering import german
from organisations.models import Organisation
from reports.confidentiality import protect
from reports.figures import _between, _table
from reports.periods import Period

KEY = "guides"
TITLE = "Lots*innen in den begleiteten Projekten"
KINDS = ((GuideTraining.Kind.BASIC, "Basisqualifizierung"), (GuideTraining.Kind.FURTHER, "Aufbau-/Fortbildung"))
# A project's coordination lump sum needs at least this many active Lots*innen (Förderrichtlinie WIR).
LUMP_SUM_MINIMUM = 5
UNNAMED = "Weitere Projekte ohne Namensnennung ({n})"
# A report stays readable (and its PDF quick): beyond this many named projects, those with the fewest
# active Lots*innen are summed up with the unnamed ones.
MAX_NAMED_ROWS = 80
GROUPED = "Weitere Projekte, zusammengefasst ({n})"


def advised_projects(unit, period: Period):
    """The unit's Lots*innen projects advised in the period, with their latest count up to its end.

    Advised: a consultation of the unit (or shared with it) in the period, or figures recorded for the
    period (a count as of a day in it, a training held in it). One query.
    """
    consulted = Consultation.objects.filter(Q(unit=unit) | Q(shared_with=unit), _between(period, "date")).filter(
        organisation=OuterRef("pk")
    )
    trained = GuideTraining.objects.filter(unit=unit, organisation=OuterRef("pk")).filter(_between(period, "date"))
    counted = GuideCount.objects.filter(unit=unit, organisation=OuterRef("pk")).filter(_between(period, "as_of"))
    latest = GuideCount.objects.filter(unit=unit, organisation=OuterRef("pk"), as_of__lte=period.last).order_by(
        "-as_of", "-id"
    )
    return (
        Organisation.objects.filter(kind=Organisation.Kind.GUIDE_PROJECT, units=unit)
        .filter(Exists(consulted) | Exists(trained) | Exists(counted))
        .annotate(
            active=Subquery(latest.values("active")[:1]),
            active_as_of=Subquery(latest.values("as_of")[:1]),
        )
        .order_by(german("name"), "pk")
        .values_list("pk", "name", "may_be_named", "active", "active_as_of")
    )


def active_guides(unit, period: Period) -> int:
    """Active Lots*innen at the period's end in the projects advised in it (a key figure; one query)."""
    return sum(active or 0 for _pk, _name, _named, active, _as_of in advised_projects(unit, period))


def training_sums(unit, period: Period) -> dict:
    """{(organisation id, kind): (trainings, UE, participants)} of the trainings held in the period; one query."""
    rows = (
        GuideTraining.objects.filter(unit=unit, organisation__kind=Organisation.Kind.GUIDE_PROJECT)
        .filter(_between(period, "date"))
        .order_by()
        .values_list("organisation", "kind")
        .annotate(n=Count("*"), ue=Sum("teaching_units"), participants=Sum("participants"))
    )
    return {(organisation, kind): (n, ue or 0, participants or 0) for organisation, kind, n, ue, participants in rows}


def _figures(pk, sums):
    """[trainings, UE, participants] per kind, flattened: six numbers."""
    cells = []
    for kind, _label in KINDS:
        cells += list(sums.get((pk, kind), (0, 0, 0)))
    return cells


def _add(a, b):
    return [x + y for x, y in zip(a, b, strict=True)]


def _named_rows(projects) -> set[int]:
    """The projects shown by name: those that agreed, at most MAX_NAMED_ROWS with the most active Lots*innen."""
    agreed = [(active or 0, -pk, pk) for pk, _name, may_be_named, active, _as_of in projects if may_be_named]
    return {pk for _active, _order, pk in sorted(agreed, reverse=True)[:MAX_NAMED_ROWS]}


def guide_section(unit, period: Period) -> dict:
    """The section "Lots*innen in den begleiteten Projekten" of a report of `unit` (the Lots*innen unit)."""
    projects = list(advised_projects(unit, period))
    advised = {pk for pk, *_rest in projects}
    sums = {key: value for key, value in training_sums(unit, period).items() if key[0] in advised}

    rows = []  # [label, active, as of, basic n, basic UE, basic participants, further n, UE, participants]
    unnamed, unnamed_active, unnamed_counted = 0, 0, False
    unnamed_figures = [0] * 6
    named = _named_rows(projects)
    for pk, name, _may_be_named, active, as_of in projects:
        figures = _figures(pk, sums)
        if pk in named:
            rows.append([name, active, f"{as_of:%d.%m.%Y}" if as_of else None, *figures])
        else:
            unnamed += 1
            unnamed_figures = _add(unnamed_figures, figures)
            if active is not None:
                unnamed_active += active
                unnamed_counted = True
    if unnamed:
        label = (GROUPED if len(named) == MAX_NAMED_ROWS else UNNAMED).format(n=unnamed)
        rows.append([label, unnamed_active if unnamed_counted else None, None, *unnamed_figures])

    counted = [active for _pk, _name, _named, active, _as_of in projects if active is not None]
    totals = [0] * 6
    for row in rows:
        totals = _add(totals, row[3:])
    active_total = sum(counted)

    # People are protected; numbers of trainings and teaching units name no one.
    active_cells = protect([row[1] for row in rows], additive=True)
    basic_cells = protect([row[5] for row in rows], additive=True)
    further_cells = protect([row[8] for row in rows], additive=True)
    shown = [
        [row[0], active, row[2], row[3], row[4], basic, row[6], row[7], further]
        for row, active, basic, further in zip(rows, active_cells, basic_cells, further_cells, strict=True)
    ]
    per_project = _table(
        "guides_by_project",
        "Aktive Lots*innen und Schulungen je Projekt",
        [
            "Projekt",
            "aktive Lots*innen",
            "Stand",
            "Basisqualifizierungen",
            "UE (Basis)",
            "Teilnehmende (Basis)",
            "Aufbau-/Fortbildungen",
            "UE (weitere)",
            "Teilnehmende (weitere)",
        ],
        shown,
        total=[
            f"Summe ({len(projects)} {'Projekt' if len(projects) == 1 else 'Projekte'})",
            active_total,
            None,
            *totals,
        ],
        note=(
            "Begleitet: Beratung im Zeitraum oder für den Zeitraum erfasste Zahlen und Schulungen. Aktive "
            "Lots*innen: die letzte erfasste Zahl bis zum Ende des Zeitraums (Stand: ihr Datum); leer, wo keine "
            "erfasst ist. Schulungen, Unterrichtseinheiten (UE) und Teilnehmende: im Zeitraum. Projekte ohne "
            "Einverständnis zur Namensnennung sind zusammengefasst; bei mehr als "
            f"{MAX_NAMED_ROWS} genannten Projekten auch die mit den wenigsten aktiven Lots*innen."
        ),
    )

    by_kind = []
    for index, (kind, label) in enumerate(KINDS):
        offset = 3 * index
        with_kind = sum(1 for (_pk, k) in sums if k == kind)
        by_kind.append([label, totals[offset], totals[offset + 1], totals[offset + 2], with_kind])
    participant_cells = protect([row[3] for row in by_kind], additive=True)
    trainings = _table(
        "guides_trainings",
        "Schulungen der Lots*innen nach Art",
        ["Art", "Schulungen", "Unterrichtseinheiten", "Teilnehmende", "Projekte"],
        [[row[0], row[1], row[2], cells, row[4]] for row, cells in zip(by_kind, participant_cells, strict=True)],
        total=[
            "Summe",
            totals[0] + totals[3],
            totals[1] + totals[4],
            totals[2] + totals[5],
            len({pk for (pk, _kind) in sums}),
        ],
        note="Projekte: mit mindestens einer Schulung dieser Art im Zeitraum.",
    )

    overview = _table(
        "guides_overview",
        "Begleitete Lots*innen-Projekte",
        ["Kennzahl", "Wert"],
        [
            ["begleitete Lots*innen-Projekte", len(projects)],
            ["davon mit erfasster Zahl aktiver Lots*innen", len(counted)],
            ["aktive Lots*innen zum Ende des Zeitraums", active_total],
            [
                f"Projekte mit mindestens {LUMP_SUM_MINIMUM} aktiven Lots*innen",
                sum(a >= LUMP_SUM_MINIMUM for a in counted),
            ],
            ["Schulungen", totals[0] + totals[3]],
            ["Unterrichtseinheiten (UE)", totals[1] + totals[4]],
            ["Teilnehmende an Schulungen", totals[2] + totals[5]],
        ],
        note=(
            f"Mindestens {LUMP_SUM_MINIMUM} aktive Lots*innen sind Voraussetzung der Koordinationspauschale. "
            "Teilnehmende: Teilnahmen, eine Person kann an mehreren Schulungen teilnehmen."
        ),
    )
    return {"key": KEY, "title": TITLE, "tables": [overview, per_project, trainings]}
