"""The catalogue choices of the list filters (units, people, topics, case goals, regions), cached.

Every list page offered them afresh: five queries and ~4 ms of a ~20 ms consultation list at
100,000 consultations. They change rarely (an administrator edits a catalogue, a person or a role),
so they are kept in the cache under the catalogue version and the person's units. The version is the
single row of casework_cataloguestamp; triggers on every table the choices come from change it:
triggers, not signals, because the admin, queryset.update(), bulk writes and raw SQL change those
tables too. A user's save that only stamps the sign-in (`update_fields=["last_login"]`) leaves it.

The new version is never one used before, even after a rolled-back transaction (which undoes its
bump, but may have cached choices under it): PostgreSQL takes it from a sequence, SQLite from
random(). The version is read before the choices, so cached choices are never older than their key.

Like the other triggers (casework/dashboard/stamp.py), these are (re)made after every `migrate`:
on SQLite, Django rebuilds a table for many schema changes and drops its triggers with it.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection, connections
from guardian.models import GroupObjectPermission

from casework import access
from casework.access import Action
from casework.models import CaseGoal, RoleGroup, Topic, Unit
from casework.search.ordering import by_person_name, german
from casework.ui.labels import person_label
from casework.ui.models import CatalogueStamp
from organisations.models import Region

STAMP_PK = 1
TRIGGER = "casework_catalogue_stamp"
SEQUENCE = "casework_cataloguestamp_version_seq"
# A person's other columns (last_login on every sign-in, the password) change no choice.
PERSON_COLUMNS = ("username", "first_name", "last_name", "is_active")


@dataclass(frozen=True)
class Choices:
    """(primary key, label) pairs, in the order the filters offer them."""

    units: list
    people: list  # the units' advisors, German order by last and first name
    topics: list  # per unit, in catalogue order
    goals: list
    regions: list


def choices_for(user) -> Choices:
    """The choices for the units `user` may view: from the cache while no catalogue changed."""
    unit_ids = sorted(access.unit_ids_for(user, Action.VIEW))
    version = _version()
    if version is None:  # the stamp row is gone (a flushed database before post_migrate): no cache
        return _build(unit_ids)
    key = f"list-choices:{version}:{'-'.join(map(str, unit_ids))}"
    choices = cache.get(key)
    if choices is None:
        choices = _build(unit_ids)
        cache.set(key, choices, timeout=None)
    return choices


def _version():
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT version FROM {CatalogueStamp._meta.db_table} WHERE id = %s", [STAMP_PK])  # noqa: S608
        row = cursor.fetchone()
    return row[0] if row else None


def _build(unit_ids) -> Choices:
    people = sorted(access.advisors_of(unit_ids).only("first_name", "last_name", "username"), key=by_person_name)
    goals = CaseGoal.objects.for_units(unit_ids).select_related("unit")
    return Choices(
        units=list(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "short_name")),
        people=[(person.pk, person_label(person)) for person in people],
        topics=list(Topic.objects.for_units(unit_ids).order_by("unit_id", "position").values_list("pk", "name")),
        # With both units in view, a unit's own goal says whose it is.
        goals=[(g.pk, g.name if len(unit_ids) < 2 or not g.unit_id else f"{g} ({g.unit})") for g in goals],
        regions=list(Region.objects.order_by(german("name")).values_list("pk", "name")),
    )


# --- The version's triggers ------------------------------------------------------------------------


def _watched_tables():
    """{table: columns whose update changes a choice, or None for any column}."""
    User = get_user_model()
    tables = {model._meta.db_table: None for model in (Unit, RoleGroup, Topic, CaseGoal, Region, Group)}
    tables[GroupObjectPermission._meta.db_table] = None
    tables[User.groups.through._meta.db_table] = None
    tables[User._meta.db_table] = PERSON_COLUMNS
    return tables


def _bump(vendor):
    new = {"sqlite": "random()", "postgresql": f"nextval('{SEQUENCE}')"}[vendor]
    return f"UPDATE {CatalogueStamp._meta.db_table} SET version = {new} WHERE id = {STAMP_PK};"  # noqa: S608


def _update_of(columns):
    return f"UPDATE OF {', '.join(columns)}" if columns else "UPDATE"


def _sqlite_statements(tables):
    """Row-level triggers (SQLite has no others); a catalogue write touches a handful of rows."""
    bump = _bump("sqlite")
    for table, columns in tables.items():
        for suffix, event in (("ai", "INSERT"), ("ad", "DELETE"), ("au", _update_of(columns))):
            name = f"{TRIGGER}_{table}_{suffix}"
            yield f"DROP TRIGGER IF EXISTS {name}"
            yield f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {bump} END"


def _postgres_statements(tables):
    """One statement-level trigger per table (and one for TRUNCATE, which a test database's flush uses)."""
    yield f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE}"
    yield (
        f"CREATE OR REPLACE FUNCTION {TRIGGER}_bump() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"{_bump('postgresql')} RETURN NULL; END $$"
    )
    for table, columns in tables.items():
        for suffix, events in (("iud", f"INSERT OR DELETE OR {_update_of(columns)}"), ("t", "TRUNCATE")):
            name = f"{TRIGGER}_{suffix}"
            yield f"DROP TRIGGER IF EXISTS {name} ON {table}"
            yield (
                f"CREATE TRIGGER {name} AFTER {events} ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {TRIGGER}_bump()"
            )


def _drop_statements(vendor, tables):
    for table in tables:
        if vendor == "postgresql":
            yield from (f"DROP TRIGGER IF EXISTS {TRIGGER}_{suffix} ON {table}" for suffix in ("iud", "t"))
        else:
            yield from (f"DROP TRIGGER IF EXISTS {TRIGGER}_{table}_{suffix}" for suffix in ("ai", "ad", "au"))


def ensure_triggers(using="default", **_kwargs):
    """(Re)make the stamp's row and the triggers that bump it, and bump it. Connected to post_migrate.

    Migrated back to before the stamp table, the triggers go, as they would bump a missing table.
    """
    database = connections[using]
    statements = {"sqlite": _sqlite_statements, "postgresql": _postgres_statements}.get(database.vendor)
    if statements is None:
        return
    existing = set(database.introspection.table_names())
    tables = {table: columns for table, columns in _watched_tables().items() if table in existing}
    with database.cursor() as cursor:
        if CatalogueStamp._meta.db_table not in existing:
            for statement in _drop_statements(database.vendor, tables):
                cursor.execute(statement)
            return
        for statement in statements(tables):
            cursor.execute(statement)
        CatalogueStamp.objects.using(using).get_or_create(pk=STAMP_PK)
        cursor.execute(_bump(database.vendor))
