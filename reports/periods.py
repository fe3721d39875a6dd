"""Report periods: a calendar year, a half-year, a quarter or custom dates, and the period before."""

import datetime
from dataclasses import dataclass

KINDS = ("year", "half", "quarter", "custom")


@dataclass(frozen=True)
class Period:
    kind: str
    first: datetime.date
    last: datetime.date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def label(self) -> str:
        if self.kind == "year":
            return f"Jahr {self.first.year}"
        if self.kind == "half":
            return f"{1 if self.first.month == 1 else 2}. Halbjahr {self.first.year}"
        if self.kind == "quarter":
            return f"{(self.first.month - 1) // 3 + 1}. Quartal {self.first.year}"
        return f"{self.first:%d.%m.%Y}–{self.last:%d.%m.%Y}"

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
