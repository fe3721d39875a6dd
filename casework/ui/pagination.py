"""Pagination that stays fast on the last pages of long lists."""

import math

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import QuerySet
from django.utils.functional import cached_property


def _ends_with_pk(queryset) -> bool:
    """Whether the queryset's ordering is total (its last key is the primary key)."""
    if not isinstance(queryset, QuerySet) or not queryset.ordered:
        return False
    ordering = queryset.query.order_by or queryset.model._meta.ordering
    last = ordering[-1] if ordering else None
    return isinstance(last, str) and last.lstrip("-") in ("pk", queryset.model._meta.pk.attname)


class TailPaginator(Paginator):
    """Reads pages in the back half from the other end of the ordering, so the OFFSET stays small.

    With OFFSET the database walks past every earlier row: the last of ~2,400 consultation
    pages (100,000 records) took ~65 ms on SQLite and ~105 ms on PostgreSQL, read backwards ~5 ms.
    Only for a total ordering (ending in the primary key), so both directions give the same rows.
    """

    def __init__(self, *args, count_cap=None, first_page=False, rows_by_id=None, first_ids=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.count_cap = count_cap
        self.first_ids = first_ids
        self.first_page = first_page and isinstance(self.object_list, QuerySet)
        # With a cap: read the ids of every row up to the cap in one pass, then the page's rows by id.
        self.rows_by_id = rows_by_id if count_cap is not None and _ends_with_pk(self.object_list) else None

    @cached_property
    def _ids(self):
        """The ids in list order up to one past the cap: they give the count and every page within it.

        For a text search, where each row is checked against every word: counting and reading the
        page would check the same rows twice. `first_ids(limit)`, if given, may read them from elsewhere
        (a text index in list order); None from it means: from the list.
        """
        limit = self.count_cap + 1
        ids = self.first_ids(limit) if self.first_ids else None
        return ids if ids is not None else list(self.object_list.values_list("pk", flat=True)[:limit])

    @cached_property
    def _head(self):
        """The first page's rows and one more, read before counting (only when page 1 is asked for)."""
        return list(self.object_list[: self.per_page + self.orphans + 1])

    def _head_is_everything(self) -> bool:
        return self.first_page and len(self._head) <= self.per_page + self.orphans

    @cached_property
    def count(self):
        """Without a second query when the first page holds every row (a narrow search scans the table
        once, not twice); with a cap, counting stops after `count_cap` rows."""
        if self.rows_by_id:
            return len(self._ids)
        if self._head_is_everything():
            return len(self._head)
        if self.count_cap is None:
            return super().count
        # Any cap + 1 rows tell "more than the cap": SQLite may then stop at the first ones it finds. PostgreSQL
        # would read the table in physical order and, where the matches lie together (a period: rows are stored
        # roughly by date), read most of it first (40 ms); in list order it walks the index the page used (3 ms).
        # Without the joins of select_related: a sliced count keeps them, and they change no number.
        counted = self.object_list if connection.vendor == "postgresql" else self.object_list.order_by()
        return counted.select_related(None)[: self.count_cap + 1].count()

    @property
    def count_capped(self) -> bool:
        return self.count_cap is not None and self.count > self.count_cap

    @property
    def count_at_least(self) -> int:
        """A round number below the capped count, for "Mehr als …": the cap itself moves with the page."""
        step = 10 ** (len(str(self.count_cap)) - 1)  # 1,050 → 1,000; 225 → 200; 4 → 4
        return self.count_cap // step * step

    @property
    def num_pages(self):
        if self.count_capped:
            return max(1, math.ceil(self.count_cap / self.per_page))
        return super().num_pages

    def page(self, number):
        number = self.validate_number(number)
        if self.rows_by_id:
            bottom = (number - 1) * self.per_page
            top = bottom + self.per_page
            if top + self.orphans >= self.count:
                top = self.count
            ids = self._ids[bottom:top]
            rows = {row.pk: row for row in self.rows_by_id(ids)}
            return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)
        if number == 1 and self.first_page:
            return self._get_page(
                self._head[: self.per_page + self.orphans if self._head_is_everything() else self.per_page], 1, self
            )
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        if bottom > self.count // 2 and not self.count_capped and _ends_with_pk(self.object_list):
            items = list(self.object_list.reverse()[self.count - top : self.count - bottom])
            items.reverse()
            return self._get_page(items, number, self)
        return self._get_page(self.object_list[bottom:top], number, self)


MAX_PAGE = 1_000_000  # beyond any real list; keeps the count's LIMIT a small integer


def paginate(request, queryset, *, count_cap=None, rows_by_id=None, first_ids=None):
    """The requested page. With `count_cap`, counting stops that many rows past the page's start.

    A count of every row grows with the data (about half of the consultation list's time at 100,000
    records); beyond a few dozen pages an exact total helps no one. The cap moves with the page, so
    "weiter" always leads on; pages past the cap are counted exactly (and the last ones read backwards),
    except in a search.
    `rows_by_id(ids)`: the rows of these ids (already known to match), to read ids first: TailPaginator._ids;
    `first_ids(limit)`: where those ids may come from instead of the list.
    """
    number = request.GET.get("page")
    first_page = number in (None, "", "1")
    if count_cap is not None:
        start = (_page_number(number) - 1) * settings.PAGE_SIZE
        # Pages this deep are rare and read from the far end, which needs the exact count anyway. A search
        # (ids first) reads its ids up to the moved cap in one pass however deep: an exact count would test
        # every row (100,000 consultations: ~100 ms).
        count_cap = None if start >= count_cap and rows_by_id is None else start + count_cap
    paginator = TailPaginator(
        queryset,
        settings.PAGE_SIZE,
        count_cap=count_cap,
        first_page=first_page,
        rows_by_id=rows_by_id,
        first_ids=first_ids,
    )
    return paginator.get_page(number)


def _page_number(raw) -> int:
    try:
        return min(max(int(raw), 1), MAX_PAGE)
    except (TypeError, ValueError):
        return 1
