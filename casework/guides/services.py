"""Lots*innen figures: services that write counts and trainings, and the selectors of a project's figures."""

from dataclasses import dataclass

from django.db import transaction

from casework.guides import access as guides_access
from casework.guides.models import GuideCount, GuideTraining


@transaction.atomic
def count_save(*, count: GuideCount, by) -> GuideCount:
    """Create or change a count of active Lots*innen (history names `by`)."""
    if count.pk is None:
        count.created_by = by
    count._history_user = by
    count.save()
    return count


@transaction.atomic
def count_delete(*, count: GuideCount, by) -> None:
    count._history_user = by
    count.delete()


@transaction.atomic
def training_save(*, training: GuideTraining, by) -> GuideTraining:
    """Create or change a training of a project's Lots*innen (history names `by`)."""
    if training.pk is None:
        training.created_by = by
    training.title = training.title.strip()
    training._history_user = by
    training.save()
    return training


@transaction.atomic
def training_delete(*, training: GuideTraining, by) -> None:
    training._history_user = by
    training.delete()


# --- Selectors scoped to a person --------------------------------------------------------------------


@dataclass
class ProjectFigures:
    counts: list[GuideCount]  # newest first
    trainings: list[GuideTraining]  # newest first
    counts_more: bool = False
    trainings_more: bool = False

    @property
    def latest(self):
        return self.counts[0] if self.counts else None

    @property
    def previous(self):
        return self.counts[1] if len(self.counts) > 1 else None

    @property
    def change(self):
        """Active Lots*innen now minus at the count before (None without two counts)."""
        if self.latest is None or self.previous is None:
            return None
        return self.latest.active - self.previous.active

    @property
    def decrease(self):
        """How many fewer Lots*innen than at the count before (for the wording „… weniger“)."""
        return -self.change if self.change is not None and self.change < 0 else None

    def training_totals(self):
        """[(kind label, trainings, UE, participants)] over the trainings listed."""
        totals = []
        for kind, label in GuideTraining.Kind.choices:
            rows = [t for t in self.trainings if t.kind == kind]
            totals.append((label, len(rows), sum(t.teaching_units for t in rows), sum(t.participants for t in rows)))
        return totals


def project_figures(user, organisation, unit_ids, *, limit=None) -> ProjectFigures:
    """The counts and trainings of a project the person may see, newest first; two queries.

    With `limit`, at most that many of each (one row more is read to tell whether there are more).
    """
    counts = guides_access.guide_counts_visible_to(user).filter(organisation=organisation, unit_id__in=unit_ids)
    trainings = guides_access.guide_trainings_visible_to(user).filter(organisation=organisation, unit_id__in=unit_ids)
    counts = counts.order_by("-as_of", "-id")
    trainings = trainings.order_by("-date", "-id")
    if limit is None:
        return ProjectFigures(counts=list(counts), trainings=list(trainings))
    counts, trainings = list(counts[: limit + 1]), list(trainings[: limit + 1])
    return ProjectFigures(
        counts=counts[:limit],
        trainings=trainings[:limit],
        counts_more=len(counts) > limit,
        trainings_more=len(trainings) > limit,
    )
