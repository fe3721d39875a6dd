"""What every feature's demo.py uses: the shared context, weighted choices and fast inserts with history.

`seed_demo` builds one `DemoContext`; everything random comes from its `random.Random(seed)`, so the same
seed on an empty database yields the same data. Large volumes are written with `bulk_create` (no per-row
queries); the simple-history "created" records and their m2m snapshots are written in bulk as well,
backdated to the generated dates.
"""

import datetime
import random
import unicodedata
from bisect import bisect_left
from contextlib import contextmanager

from django.apps import apps
from django.db import connection
from django.utils import timezone

from casework.models import Unit

BATCH_SIZE = 2000
UNIT_CODES = ("mo", "lots")


def units_by_code() -> dict[str, Unit]:
    return {unit.code: unit for unit in Unit.objects.filter(code__in=UNIT_CODES)}


def ascii_text(text: str) -> str:
    """'Yılmaz' → 'Yilmaz', 'Gießen' → 'Giessen': for demo e-mail addresses and domains."""
    for old, new in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("Ä", "Ae"), ("Ö", "Oe"), ("Ü", "Ue"), ("ß", "ss"), ("ı", "i")):  # fmt: skip
        text = text.replace(old, new)
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


class DemoContext:
    """The seeded random generator, the units and staff, the day the data ends and where to log."""

    def __init__(self, *, units, staff, seed, log, today=None, with_history=True):
        self.rng = random.Random(seed)
        self.units = units
        self.staff = staff
        self.log = log
        self.today = today or timezone.localdate()
        self.start = datetime.date(self.today.year - 1, 1, 1)
        self.tz = timezone.get_current_timezone()
        self.now = timezone.now()
        # History rows need the primary keys bulk_create returns (PostgreSQL, SQLite ≥ 3.35).
        self.with_history = with_history and connection.features.can_return_rows_from_bulk_insert

    def aware(self, day, earliest_hour=8, latest_hour=18):
        """A random moment on `day` within working hours, never in the future."""
        moment = datetime.datetime.combine(day, datetime.time(self.rng.randint(earliest_hour, latest_hour - 1), self.rng.randrange(0, 60, 5)))  # fmt: skip
        return min(timezone.make_aware(moment, self.tz), self.now)

    def insert(self, model, objs, label=None):
        """bulk_create plus the simple-history "created" rows; returns {pk: history_id}."""
        if label:
            self.log(label)
        model.objects.bulk_create(objs, batch_size=BATCH_SIZE)
        if not self.with_history:
            return {}
        # Equivalent to simple_history.utils.bulk_create_with_history, but keeps the
        # historical rows (with their ids) so the m2m snapshots can point at them.
        history = model.history.bulk_history_create(objs, batch_size=BATCH_SIZE)
        return {row.id: row.history_id for row in history}

    def insert_m2m(self, field, pairs, history_ids, history_model_label):
        """Insert (owner id, target id) pairs into an m2m through table plus their history snapshot rows."""
        through = field.remote_field.through
        owner, target = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
        raw_insert(through, [owner, target], pairs)
        if not self.with_history or not pairs:
            return
        # Every owner is new (data is only generated into an empty database), so the id range
        # selects exactly the rows just inserted, now with their primary keys.
        owner_ids = [pair[0] for pair in pairs]
        rows = through.objects.filter(**{f"{owner}__gte": min(owner_ids), f"{owner}__lte": max(owner_ids)}).values_list(
            "id", owner, target
        )
        m2m_history = apps.get_model(history_model_label)
        raw_insert(
            m2m_history,
            ["id", owner, target, "history"],
            [
                (pk, owner_id, target_id, history_ids[owner_id])
                for pk, owner_id, target_id in rows.iterator(chunk_size=BATCH_SIZE * 10)
            ],
        )


def raw_insert(model, attnames, rows):
    """Plain parameterised INSERTs via executemany: for the narrow m2m tables this is
    several times faster than bulk_create, which builds a model instance per row."""
    qn = connection.ops.quote_name
    columns = ", ".join(qn(model._meta.get_field(name).column) for name in attnames)
    # Identifiers come from model metadata (quoted); all values are bound parameters.
    sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(attnames))})"  # noqa: S608
    with connection.cursor() as cursor:
        for offset in range(0, len(rows), BATCH_SIZE * 10):
            cursor.executemany(sql, rows[offset : offset + BATCH_SIZE * 10])


class Picker:
    """Weighted choice with precomputed cumulative weights (fast for many draws)."""

    def __init__(self, rng, items, weights):
        self.rng, self.items = rng, list(items)
        self.cum, total = [], 0.0
        for weight in weights:
            total += weight
            self.cum.append(total)

    def __call__(self):
        return self.items[bisect_left(self.cum, self.rng.random() * self.cum[-1])]

    def many(self, k):
        return self.rng.choices(self.items, cum_weights=self.cum, k=k)


@contextmanager
def explicit_timestamps(*models):
    """Let bulk inserts keep the generated created_at/updated_at instead of "now"."""
    fields = [f for m in models for f in m._meta.concrete_fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]  # fmt: skip
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add
