"""The change version of the dashboard's frozen figures (imported by casework/models.py)."""

from django.db import models


class FiguresStamp(models.Model):
    """A single row whose `version` changes whenever a consultation old enough to be in the frozen part of
    the dashboard's figures is inserted, changed or deleted (database triggers: casework/dashboard/stamp.py).

    The cached frozen figures are keyed by it, so any change of old consultations, by the ORM, by
    queryset.update(), bulk_create or raw SQL, makes the next page compute them afresh. No personal data.
    """

    version = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="figures_stamp_single_row")]

    def __str__(self):
        return f"Stand der Kennzahlen {self.version}"
