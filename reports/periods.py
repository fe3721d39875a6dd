"""Report periods: a calendar year, a half-year, a quarter or custom dates, and the period before.

A report made before its period has ended counts up to that day ("Stand"); it is then compared
with the same span of the period before (`same_span`), as the dashboard compares this year so far
with last year up to the same calendar day.
"""

import calendar
import datetime
from dataclasses import dataclass

from casework.dashboard.figures import _one_year_before

KINDS = ("year", "half", "quarter", "custom")


@dataclass(frozen=True)
class Period:
    kind: str
    first: datetime.date
    last: datetime.date
    # For a period counted only up to `last` (a report made before its end): the period's real last day.
    planned_last: datetime.date | None = None

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def is_cut(self) -> bool:
        return self.planned_last is not None and self.planned_last != self.last

    @property
    def label(self) -> str:
        if self.kind == "custom":
            return f"{self.first:%d.%m.%Y}–{self.last:%d.%m.%Y}"
        if self.kind == "year":
            label = f"Jahr {self.first.year}"
        elif self.kind == "half":
            label = f"{1 if self.first.month == 1 else 2}. Halbjahr {self.first.year}"
        else:
            label = f"{(self.first.month - 1) // 3 + 1}. Quartal {self.first.year}"
        return f"{label} (bis {self.last:%d.%m.})" if self.is_cut else label

    def until(self, day: datetime.date) -> "Period":
        """The same period counted only up to `day` (its label says so)."""
        if day >= self.last:
            return self
        return Period(self.kind, self.first, day, self.planned_last or self.last)

    def previous(self) -> "Period":
        """The period of the same kind just before: last year, the half or quarter before, or as many days before."""
        if self.kind == "custom":
            last = self.first - datetime.timedelta(days=1)
            return Period("custom", last - datetime.timedelta(days=self.days - 1), last)
        months = {"year": 12, "half": 6, "quarter": 3}[self.kind]
        start_month = self.first.month - months
        year = self.first.year + (start_month - 1) // 12
        start_month = (start_month - 1) % 12 + 1
        return months_period(self.kind, year, start_month, months)

    def is_running(self, today: datetime.date) -> bool:
        """Whether the period has begun but not ended on `today`."""
        return self.first <= today < self.last

    def as_dict(self) -> dict:
        return {"kind": self.kind, "first": self.first.isoformat(), "last": self.last.isoformat(), "label": self.label}


def months_period(kind: str, year: int, first_month: int, months: int) -> Period:
    end_month = first_month + months  # the month after the period
    end = datetime.date(year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1)
    return Period(kind, datetime.date(year, first_month, 1), end - datetime.timedelta(days=1))


def year(y: int) -> Period:
    return months_period("year", y, 1, 12)


def half(y: int, h: int) -> Period:
    if h not in (1, 2):
        raise ValueError("Halbjahr muss 1 oder 2 sein.")
    return months_period("half", y, 1 + 6 * (h - 1), 6)


def quarter(y: int, q: int) -> Period:
    if q not in (1, 2, 3, 4):
        raise ValueError("Quartal muss 1 bis 4 sein.")
    return months_period("quarter", y, 1 + 3 * (q - 1), 3)


def custom(first: datetime.date, last: datetime.date) -> Period:
    if last < first:
        raise ValueError("Das Ende des Zeitraums liegt vor seinem Anfang.")
    return Period("custom", first, last)


def from_dict(data: dict) -> Period:
    return Period(data["kind"], datetime.date.fromisoformat(data["first"]), datetime.date.fromisoformat(data["last"]))


def _months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` months earlier; a day the month lacks becomes its last day."""
    if months == 12:
        return _one_year_before(day)  # the dashboard's rule for "last year up to the same day"
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return datetime.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def same_span(period: Period, as_of: datetime.date) -> tuple[Period, Period]:
    """A running period counted up to `as_of`, and the period before over the same span.

    Year, half-year and quarter: the period before up to the same day of the month as many months
    earlier (the 2026 report on 28 November is compared with 1 January to 28 November 2025; 29 February
    becomes the 28th). A custom period: as many days of the period before as have passed.
    """
    previous = period.previous()
    counted = period.until(as_of)
    if period.kind == "custom":
        return counted, previous.until(previous.first + (as_of - period.first))
    months = {"year": 12, "half": 6, "quarter": 3}[period.kind]
    return counted, previous.until(_months_before(as_of, months))
