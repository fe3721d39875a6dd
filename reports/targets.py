"""The targets of one unit and year, edited on one page: saved and version-checked as a set.

The page carries the versions of all targets it showed ("v:12.3,15.1" – id.version; "v:" for none), so a
target changed, added or removed by someone else meanwhile refuses the save (casework/concurrency.py).
"""

from django.db.models import Q

from casework.access import parse_pk
from casework.concurrency import VersionCheck
from casework.models import Unit
from reports.models import Target

PREFIX = "v:"


def _encode(targets) -> str:
    return PREFIX + ",".join(f"{t.pk}.{t.version}" for t in sorted(targets.values(), key=lambda t: t.pk))


def _decode(value) -> dict | None:
    """{target id: version}, or None for a missing or malformed value."""
    if not isinstance(value, str) or not value.startswith(PREFIX):
        return None
    pairs = [item.split(".") for item in value[len(PREFIX) :].split(",") if item]
    if any(len(pair) != 2 for pair in pairs):
        return None
    decoded = {parse_pk(pk): parse_pk(version) for pk, version in pairs}
    return None if None in decoded or None in decoded.values() else decoded


class TargetSet(VersionCheck):
    def __init__(self, unit, year):
        self.unit, self.year = unit, year
        self.targets = self._fetch()

    def _fetch(self):
        return {t.metric: t for t in Target.objects.filter(unit=self.unit, year=self.year)}

    def values(self) -> dict:
        return {metric: target.value for metric, target in self.targets.items()}

    def loaded(self) -> str:
        return _encode(self.targets)

    def claim(self, loaded) -> bool:
        expected = _decode(loaded)
        if expected is None:
            return False
        # Saves of a unit's targets take turns (its row stays locked until commit), so the set compared
        # is the set written; NO KEY leaves inserts that refer to the unit unblocked.
        list(Unit.objects.select_for_update(no_key=True).filter(pk=self.unit.pk).values_list("pk"))
        self.targets = self._fetch()
        return {t.pk: t.version for t in self.targets.values()} == expected

    def current(self) -> str:
        return _encode(self._fetch())

    def changes_since(self, loaded) -> list[tuple]:
        expected = _decode(loaded)
        rows = Target.history.filter(unit_id=self.unit.pk, year=self.year).select_related("history_user")
        if expected is None:
            latest = rows.order_by("-history_date", "-history_id").first()
            newer = [latest] if latest else []
        else:
            since = ~Q(id__in=list(expected))
            for pk, version in expected.items():
                since |= Q(id=pk, version__gt=version)
            newer = rows.filter(since).order_by("history_date", "history_id")
        return [(row.history_user, [str(Target.Metric(row.metric).label)]) for row in newer]

    def save(self, values: dict) -> "TargetSet":
        """Write the page's numbers: an empty one removes the target."""
        for metric, value in values.items():
            target = self.targets.get(metric)
            if value is None:
                if target is not None:
                    target.version += 1  # the history entry of the removal counts as a change
                    target.delete()
            elif target is None:
                Target.objects.create(unit=self.unit, year=self.year, metric=metric, value=value)
            elif target.value != value:
                target.value = value
                target.version += 1
                target.save()
        return self
