"""The change version of the catalogues the list filters offer (imported by casework/models.py)."""

from django.db import models


class CatalogueStamp(models.Model):
    """A single row whose `version` changes on every write to the tables the list filters' choices come
    from: units, topics, case goals, regions, people and their groups and rights (database triggers:
    casework/ui/choices.py). The cached choices are keyed by it. No personal data."""

    version = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="catalogue_stamp_single_row")]

    def __str__(self):
        return f"Stand der Kataloge {self.version}"
