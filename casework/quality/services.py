"""Quality profiles of Lots*innen projects: services that write assessments and catalogue entries,
and the selectors behind the profile matrix.

A quality unit is a unit that keeps active quality criteria (in practice the Lots*innen unit);
assessments exist only there, for organisations linked to that unit.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from casework import access
from casework.access import Action
from casework.models import Assessment, AssessmentRating, QualityArea, QualityCriterion

Rating = AssessmentRating.Rating

# Ratings that can be compared: a higher level is better. "nicht relevant" is not compared.
LEVELS = {Rating.NOT_MET: 0, Rating.PARTLY: 1, Rating.MET: 2}
SYMBOLS = {Rating.MET: "✓", Rating.PARTLY: "◐", Rating.NOT_MET: "✗", Rating.NOT_RELEVANT: "–"}
CSS = {
    Rating.MET: "rating-met",
    Rating.PARTLY: "rating-partly",
    Rating.NOT_MET: "rating-not-met",
    Rating.NOT_RELEVANT: "rating-not-relevant",
}
# How many assessments the organisation page compares.
LATEST = 6

IMPROVED = "improved"
WORSE = "worse"


# --- Who may assess where ----------------------------------------------------------------------------


def active_criteria():
    return QualityCriterion.objects.filter(retired_at__isnull=True, area__retired_at__isnull=True)


def _catalogue_order(criterion):
    area = criterion.area
    return (area.position, area.name, area.pk, criterion.position, criterion.pk)


@dataclass
class Scope:
    """The quality units a person may use for an organisation, with their active criteria in catalogue order."""

    unit_ids: list[int]
    criteria: list[QualityCriterion]

    def criteria_of(self, unit_id):
        return [c for c in self.criteria if c.area.unit_id == unit_id]

    def unit(self, unit_id):
        return next(c.area.unit for c in self.criteria if c.area.unit_id == unit_id)


def quality_scope(user, action: Action, organisation) -> Scope:
    """Units with active quality criteria on which `user` holds `action` and to which `organisation` belongs.

    Uses the organisation's prefetched units; one query, none if no unit qualifies anyway.
    """
    candidates = access.unit_ids_for(user, action) & access.organisation_unit_ids(organisation)
    if not candidates:
        return Scope(unit_ids=[], criteria=[])
    criteria = sorted(
        active_criteria().filter(area__unit_id__in=candidates).select_related("area__unit"), key=_catalogue_order
    )
    return Scope(unit_ids=sorted({c.area.unit_id for c in criteria}), criteria=criteria)


def holding(user, action: Action, unit_ids) -> list[int]:
    """Those of `unit_ids` on which `user` holds `action` (no query: the grants are memoised)."""
    return [pk for pk in unit_ids if pk in access.unit_ids_for(user, action)]


# --- The profile matrix ------------------------------------------------------------------------------


@dataclass
class Cell:
    rating: str | None = None
    note: str = ""
    trend: str | None = None  # IMPROVED, WORSE or None

    @property
    def label(self):
        return Rating(self.rating).label if self.rating else _("nicht bewertet")

    @property
    def symbol(self):
        return SYMBOLS[self.rating] if self.rating else "·"

    @property
    def css(self):
        return CSS[self.rating] if self.rating else "rating-none"


@dataclass
class MatrixRow:
    criterion: QualityCriterion
    cells: list[Cell]


@dataclass
class AreaGroup:
    area: QualityArea
    rows: list[MatrixRow] = field(default_factory=list)

    def counts(self, column: int = -1) -> dict[str, int]:
        """How many criteria of the area the assessment in `column` rated erfüllt / teilweise / nicht erfüllt."""
        tally = Counter(row.cells[column].rating for row in self.rows if row.cells)
        return {"met": tally[Rating.MET], "partly": tally[Rating.PARTLY], "not_met": tally[Rating.NOT_MET]}


@dataclass
class Matrix:
    assessments: list[Assessment]  # oldest first
    groups: list[AreaGroup]
    has_earlier: bool = False  # earlier assessments exist that are not columns

    @property
    def latest(self):
        return self.assessments[-1] if self.assessments else None

    def latest_counts(self):
        return [(group.area, group.counts()) for group in self.groups] if self.assessments else []


def trend(previous: str | None, current: str | None) -> str | None:
    """IMPROVED or WORSE where both ratings are comparable and differ, else None."""
    if previous not in LEVELS or current not in LEVELS:
        return None
    if LEVELS[current] > LEVELS[previous]:
        return IMPROVED
    if LEVELS[current] < LEVELS[previous]:
        return WORSE
    return None


def build_matrix(assessments, *, baseline=None, criteria=None, ratings=None, include_unrated=True) -> Matrix:
    """Rows = criteria grouped by area, columns = `assessments` (any order), cells with trend markers.

    `baseline` is the assessment just before the first column, used only for the first column's trend.
    Rows are the active criteria (`criteria` if given, else those of the assessments' units; none without
    `include_unrated`) plus every criterion rated in a shown assessment, retired ones too.
    `ratings` ({(assessment id, criterion id): AssessmentRating}) is fetched unless given.
    At most three queries, however many assessments and criteria.
    """
    columns = sorted(assessments, key=lambda a: (a.date, a.pk))
    baseline_pk = baseline.pk if baseline else None
    if ratings is None:
        fetched = [a.pk for a in columns] + ([baseline_pk] if baseline else [])
        ratings = {
            (r.assessment_id, r.criterion_id): r for r in AssessmentRating.objects.filter(assessment__in=fetched)
        }
    if criteria is None:
        unit_ids = {a.unit_id for a in columns}
        wanted = active_criteria().filter(area__unit_id__in=unit_ids) if include_unrated and unit_ids else []
        criteria = list(wanted.select_related("area")) if wanted else []
    # Criteria only the baseline rated would be rows without cells.
    rated = {criterion_id for (assessment_id, criterion_id) in ratings if assessment_id != baseline_pk}
    missing = rated - {c.pk for c in criteria}
    if missing:
        criteria = [*criteria, *QualityCriterion.objects.filter(pk__in=missing).select_related("area")]
    groups: dict[int, AreaGroup] = {}
    for criterion in sorted(criteria, key=_catalogue_order):
        cells = []
        previous = ratings.get((baseline_pk, criterion.pk))
        for assessment in columns:
            current = ratings.get((assessment.pk, criterion.pk))
            cells.append(
                Cell(
                    rating=current.rating if current else None,
                    note=current.note if current else "",
                    trend=trend(previous.rating if previous else None, current.rating if current else None),
                )
            )
            # A criterion not rated (or not relevant) this time is compared with its last comparable rating.
            if current and current.rating in LEVELS:
                previous = current
        group = groups.setdefault(criterion.area_id, AreaGroup(area=criterion.area))
        group.rows.append(MatrixRow(criterion=criterion, cells=cells))
    return Matrix(assessments=columns, groups=list(groups.values()), has_earlier=baseline is not None)


def latest_with_ratings(assessments, latest: int):
    """(columns, baseline, ratings) of the newest `latest` assessments and the one before, in one query.

    Reads the ratings joined with their assessments; every assessment rates at least one criterion.
    """
    newest = assessments.order_by("-date", "-id").values("pk")[: latest + 1]
    rows = list(AssessmentRating.objects.filter(assessment__in=newest).select_related("assessment"))
    fetched = sorted({r.assessment_id: r.assessment for r in rows}.values(), key=lambda a: (a.date, a.pk), reverse=True)
    ratings = {(r.assessment_id, r.criterion_id): r for r in rows}
    baseline = fetched[latest] if len(fetched) > latest else None
    return fetched[:latest], baseline, ratings


def profile_matrix(*, assessments, criteria=None) -> Matrix:
    """The matrix over all of an organisation's assessments (a queryset, already scoped to the person)."""
    return build_matrix(list(assessments.order_by("-date", "-id")), criteria=criteria)


def criteria_for_assessment(*, unit, assessment):
    """The criteria an assessment rates: the unit's active ones plus those it already rated."""
    rated = Q(pk__in=assessment.ratings.values("criterion_id"))
    return sorted(
        QualityCriterion.objects.filter(Q(pk__in=active_criteria().filter(area__unit=unit)) | rated).select_related(
            "area"
        ),
        key=_catalogue_order,
    )


# --- Services ----------------------------------------------------------------------------------------


@transaction.atomic
def assessment_create(*, organisation, unit, date, note, ratings, by) -> Assessment:
    """A new Standortbestimmung; `ratings` maps each criterion to a (rating, note) pair."""
    assessment = Assessment(unit=unit, organisation=organisation, date=date, note=note, assessed_by=by)
    assessment._history_user = by
    assessment.save()
    rows = [
        AssessmentRating(assessment=assessment, criterion=criterion, rating=rating, note=rating_note)
        for criterion, (rating, rating_note) in ratings.items()
    ]
    bulk_create_with_history(rows, AssessmentRating, default_user=by)
    return assessment


@transaction.atomic
def assessment_update(*, assessment, date, note, ratings, by) -> Assessment:
    """Change date, note and ratings; only ratings that changed are written (and get a history entry).

    The assessment itself is saved whenever anything changed, so its history names who changed it
    (and carries the version the edit form checked, casework/concurrency.py).
    """
    existing = {rating.criterion_id: rating for rating in assessment.ratings.all()}
    new, changed = [], []
    for criterion, (value, rating_note) in ratings.items():
        rating = existing.get(criterion.pk)
        if rating is None:
            new.append(AssessmentRating(assessment=assessment, criterion=criterion, rating=value, note=rating_note))
        elif (rating.rating, rating.note) != (value, rating_note):
            rating.rating, rating.note = value, rating_note
            changed.append(rating)
    if (assessment.date, assessment.note) != (date, note) or new or changed:
        assessment.date, assessment.note = date, note
        assessment._history_user = by
        assessment.save()
    for rating in changed:
        rating._history_user = by
        rating.save()
    if new:
        bulk_create_with_history(new, AssessmentRating, default_user=by)
    return assessment


@transaction.atomic
def assessment_delete(*, assessment, by) -> None:
    assessment._history_user = by
    assessment.delete()


def catalogue_entry_save(*, entry, by):
    """Create or change a quality area or criterion."""
    entry._history_user = by
    entry.save()
    return entry


def catalogue_entry_retire(*, entry, by, retire: bool = True):
    """Retire an area or criterion (kept on old assessments, no longer offered) or bring it back."""
    entry.retired_at = timezone.localdate() if retire else None
    return catalogue_entry_save(entry=entry, by=by)


# --- Selectors scoped to a person --------------------------------------------------------------------


def organisation_assessments(user, organisation, unit_ids):
    return access.assessments_visible_to(user).filter(organisation=organisation, unit_id__in=unit_ids)


def latest_ratings(user, organisation, unit) -> list[AssessmentRating]:
    """The ratings of the project's latest assessment in `unit` (with it), to pre-fill a new one; one query."""
    latest = organisation_assessments(user, organisation, [unit.pk]).order_by("-date", "-id").values("pk")[:1]
    return list(AssessmentRating.objects.filter(assessment__in=latest).select_related("assessment"))


def previous_assessment(user, assessment):
    """The assessment of the same project and unit just before `assessment`, if the person may see it."""
    earlier = Q(date__lt=assessment.date) | Q(date=assessment.date, pk__lt=assessment.pk)
    return (
        organisation_assessments(user, assessment.organisation_id, [assessment.unit_id])
        .filter(earlier)
        .order_by("-date", "-id")
        .first()
    )
