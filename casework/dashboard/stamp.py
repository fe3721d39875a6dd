"""The change version of the dashboard's frozen figures, and the triggers that bump it.

The dashboard and the start page keep the figures of consultations dated up to a week ago (the
frozen part, casework/dashboard/figures.py) in the cache, keyed by the version in the single row
of casework_figuresstamp. Triggers on casework_consultation change that version whenever a
consultation old enough to be in some frozen part is inserted, deleted, or changed in a column the
figures read: triggers, not signals, because queryset.update() (organisation merge), bulk_create,
the import engine and raw SQL change consultations too.

"Old enough": the frozen part ends at the application's today (Europe/Berlin) minus 7 days. The
triggers only know the database's date, taken in UTC, which is the local date or one day before it.
So they fire for dates up to the UTC date minus 6 days, which covers every frozen date whatever the
hour; the figures only use the cache when the database's date confirms this (`db_today`).

SQLite runs a row-level trigger with a WHEN clause; PostgreSQL one trigger per statement that looks
at the transition tables (a row-level one made bulk inserts in one transaction quadratic: see
_postgres_statements). The new version is never one used before, even after a rolled-back
transaction (which undoes its bump, but may have cached figures under it): PostgreSQL takes it
from a sequence, SQLite from random().

Like the search index's triggers (casework/search/index.py), these are (re)made after every
`migrate`, not in a migration: on SQLite, Django rebuilds a table for many schema changes (new
table, copy, drop old), and dropping the old table drops its triggers.
"""

from django.db import connection, connections, models
from django.db.models.expressions import RawSQL

from casework.dashboard.models import FiguresStamp
from casework.models import Consultation

STAMP_PK = 1
FROZEN_LAG_DAYS = 7  # the frozen part ends a week before today
TRIGGER_LAG_DAYS = FROZEN_LAG_DAYS - 1  # in UTC, which is the local date or the day before
TRIGGER = "casework_figures_stamp"
SEQUENCE = "casework_figuresstamp_version_seq"
# The columns the figures read: a change of another column (a summary, an erasure) keeps the figures.
FIGURE_COLUMNS = ("unit_id", "shared_with_id", "organisation_id", "region_id", "date", "duration_minutes")

_SQLITE_OLD_ENOUGH = "{row}.date <= date('now', '-{lag} days')"
_POSTGRES_OLD_ENOUGH = "{row}.date <= (statement_timestamp() AT TIME ZONE 'UTC')::date - {lag}"
_DB_TODAY = {
    "sqlite": "date('now')",
    "postgresql": "(statement_timestamp() AT TIME ZONE 'UTC')::date",
}


def db_today():
    """The database's own date in UTC, as an expression (read with the version in one statement)."""
    return RawSQL(_DB_TODAY[connection.vendor], [], output_field=models.DateField())  # noqa: S611 – constant


def _bump(vendor, stamp):
    """The statement that gives the stamp a new version."""
    new = {"sqlite": "random()", "postgresql": f"nextval('{SEQUENCE}')"}[vendor]
    return f"UPDATE {stamp} SET version = {new} WHERE id = {STAMP_PK};"  # noqa: S608 – constant names


def _drop_statements(vendor, table):
    on = f" ON {table}" if vendor == "postgresql" else ""
    return [f"DROP TRIGGER IF EXISTS {TRIGGER}_{suffix}{on}" for suffix in ("ai", "ad", "au", "at")]


def _sqlite_statements(table, stamp):
    """Row-level triggers with a WHEN clause: SQLite updates the one row in place (a bulk_create of 100,000 old
    consultations: 4.7 s without, 4.7–4.9 s with them)."""
    bump = _bump("sqlite", stamp)

    def old_enough(row):
        return _SQLITE_OLD_ENOUGH.format(row=row, lag=TRIGGER_LAG_DAYS)

    changed = " OR ".join(f"old.{column} IS NOT new.{column}" for column in FIGURE_COLUMNS)
    triggers = {
        "ai": ("INSERT", old_enough("new")),
        "ad": ("DELETE", old_enough("old")),
        "au": ("UPDATE", f"({old_enough('old')} OR {old_enough('new')}) AND ({changed})"),
    }
    for suffix, (event, condition) in triggers.items():
        yield f"DROP TRIGGER IF EXISTS {TRIGGER}_{suffix}"
        yield f"CREATE TRIGGER {TRIGGER}_{suffix} AFTER {event} ON {table} WHEN {condition} BEGIN {bump} END"


def _postgres_statements(table, stamp):
    """Statement-level triggers over the transition tables: a row-level UPDATE of the one stamp row per
    consultation made PostgreSQL walk an ever longer chain of row versions within a transaction (a
    bulk_create of 100,000 old consultations took 60 s instead of 5 s); this is one UPDATE per statement."""
    yield f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE}"
    bump = _bump("postgresql", stamp)

    def old_enough(row):
        return _POSTGRES_OLD_ENOUGH.format(row=row, lag=TRIGGER_LAG_DAYS)

    changed = " OR ".join(f"o.{column} IS DISTINCT FROM n.{column}" for column in FIGURE_COLUMNS)
    # The SQL below is built from constant names only.
    triggers = {
        "ai": ("INSERT", "NEW TABLE AS new_rows", f"SELECT 1 FROM new_rows n WHERE {old_enough('n')}"),  # noqa: S608
        "ad": ("DELETE", "OLD TABLE AS old_rows", f"SELECT 1 FROM old_rows o WHERE {old_enough('o')}"),  # noqa: S608
        "au": (
            "UPDATE",
            "OLD TABLE AS old_rows NEW TABLE AS new_rows",
            f"SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE ({old_enough('o')} OR {old_enough('n')}) AND ({changed})",  # noqa: S608, E501
        ),
    }
    for suffix, (event, referencing, rows) in triggers.items():
        function = f"{TRIGGER}_{suffix}_bump"
        yield (
            f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF EXISTS ({rows}) THEN {bump} END IF; RETURN NULL; END $$"
        )
        yield f"DROP TRIGGER IF EXISTS {TRIGGER}_{suffix} ON {table}"
        yield (
            f"CREATE TRIGGER {TRIGGER}_{suffix} AFTER {event} ON {table} REFERENCING {referencing} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )
    # TRUNCATE has no rows to look at (and fires no row triggers): it always bumps.
    yield f"CREATE OR REPLACE FUNCTION {TRIGGER}_bump() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {bump} RETURN NULL; END $$"
    yield f"DROP TRIGGER IF EXISTS {TRIGGER}_at ON {table}"
    yield (
        f"CREATE TRIGGER {TRIGGER}_at AFTER TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {TRIGGER}_bump()"
    )


def ensure_triggers(using="default", **_kwargs):
    """(Re)make the stamp's row and the triggers that bump it, and bump it. Connected to post_migrate; a few statements.

    The bump: a migration may have changed consultations while the triggers were gone (a rebuilt table).
    Migrated back to before 0024 (no stamp table), the triggers go, as they would bump a missing table.
    """
    database = connections[using]
    statements = {"sqlite": _sqlite_statements, "postgresql": _postgres_statements}.get(database.vendor)
    table, stamp = Consultation._meta.db_table, FiguresStamp._meta.db_table
    tables = set(database.introspection.table_names())
    if statements is None or table not in tables:
        return
    with database.cursor() as cursor:
        if stamp not in tables:
            for statement in _drop_statements(database.vendor, table):
                cursor.execute(statement)
            return
        for statement in statements(table, stamp):
            cursor.execute(statement)
        FiguresStamp.objects.using(using).get_or_create(pk=STAMP_PK)
        cursor.execute(_bump(database.vendor, stamp))


def trigger_names(using="default") -> set:
    """The stamp's triggers present in the database (for the tests)."""
    database = connections[using]
    with database.cursor() as cursor:
        if database.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s", [f"{TRIGGER}%"])
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE %s", [f"{TRIGGER}%"])
        return {row[0] for row in cursor.fetchall()}


def stamp_row(width: int, date_column: int, version_column: int):
    """The version and the database's date as one row of `width` columns, to be joined by UNION ALL to a query
    whose other columns are NULL here: reading it costs no statement of its own."""
    columns = {f"stamp_{index}": models.Value(None, output_field=models.IntegerField()) for index in range(width)}
    columns[f"stamp_{date_column}"] = db_today()
    columns[f"stamp_{version_column}"] = models.F("version")
    return FiguresStamp.objects.filter(pk=STAMP_PK).order_by().annotate(**columns).values_list(*columns)
