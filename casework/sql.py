"""Database expressions shared by lists and figures."""

from django.db import models


class Unindexed(models.Func):
    """An integer column that SQLite does not look up in an index (a unary plus, SQLite's documented way).

    For conditions that match a large share of the rows (a unit: half of them) while another condition
    is narrow or gives the order: SQLite, which keeps no statistics here, would otherwise read the whole
    unit from its index. The consultation list filtered by unit and dates took 12 ms instead of 0.3 ms;
    the dashboard's last week read all of the unit's consultations (40 ms at 1,000,000). PostgreSQL plans
    these well from its statistics: unchanged there.
    """

    template = "%(expressions)s"
    output_field = models.BigIntegerField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, template="+%(expressions)s", **extra_context)
