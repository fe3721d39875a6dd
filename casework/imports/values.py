"""Cell values as Fachstellen type them: German dates, decimal commas, durations, yes/no, lists.

Each parser takes what reading.py gives (str, int, float, datetime.date) and returns the value the
form expects, or raises CellValueError with a German message for the cell.
"""

import datetime
import re

from django.utils.translation import gettext as _

from casework.search.text import normalise

EXCEL_EPOCH = datetime.date(1899, 12, 30)
_GERMAN_DATE = re.compile(r"^(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{2}|\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2})?)?$")
_SLASH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_NUMBER = re.compile(r"^[+-]?(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d+))?$")
_POINT_NUMBER = re.compile(r"^[+-]?\d+\.\d+$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::00)?\s*(?:h|std\.?|stunden?)?$")
_DURATION_PART = re.compile(r"(\d+(?:[.,]\d+)?)\s*(h|std\.?|stunden?|stunde|min\.?|minuten?|m)?\b")
TRUE = {"ja", "j", "x", "yes", "y", "1", "wahr", "true", "ok", "✓"}
FALSE = {"nein", "n", "no", "0", "falsch", "false", "-", "–"}


class CellValueError(Exception):
    """A cell that cannot be read; `.message` German."""

    def __init__(self, message):
        super().__init__(message)
        self.message = str(message)


def shown(value) -> str:
    """A value for a message, as the person typed it (shortened)."""
    if isinstance(value, datetime.date):
        text = f"{value:%d.%m.%Y}"
    elif isinstance(value, float):
        text = f"{value:g}".replace(".", ",")
    else:
        text = str(value)
    return text if len(text) <= 40 else text[:40] + "…"


def parse_date(value) -> datetime.date:
    """`03.02.2025`, `3.2.25`, `2025-02-03` or an Excel date cell (or its serial number)."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 20000 <= value <= 80000 and float(value).is_integer():
            return EXCEL_EPOCH + datetime.timedelta(days=int(value))
        raise _bad_date(value)
    text = str(value).strip()
    try:
        if match := _GERMAN_DATE.match(text):
            day, month, year = (int(part) for part in match.groups())
            if year < 100:
                year += 2000
            return datetime.date(year, month, day)
        if match := _ISO_DATE.match(text):
            year, month, day = (int(part) for part in match.groups())
            return datetime.date(year, month, day)
        if match := _SLASH_DATE.match(text):
            day, month, year = (int(part) for part in match.groups())
            return datetime.date(year, month, day)
    except ValueError:
        raise _bad_date(value) from None
    raise _bad_date(value)


def _bad_date(value):
    return CellValueError(
        _("„%(value)s“ ist kein gültiges Datum. Bitte als TT.MM.JJJJ angeben (z. B. 03.02.2025).")
        % {"value": shown(value)}
    )


def parse_number(value) -> float:
    """A number with German decimal comma (`1,5`) and thousands points (`1.234`); also `1.5`."""
    if isinstance(value, bool):
        raise _bad_number(value)
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip().replace(" ", "").replace("\u00a0", "")
    if match := _NUMBER.match(text):
        whole = match.group(1).replace(".", "")
        fraction = match.group(2) or "0"
        number = float(f"{whole}.{fraction}")
        return -number if text.startswith("-") else number
    if _POINT_NUMBER.match(text):
        return float(text)
    raise _bad_number(value)


def _bad_number(value):
    return CellValueError(_("„%(value)s“ ist keine Zahl.") % {"value": shown(value)})


def parse_integer(value) -> int:
    number = parse_number(value)
    if not number.is_integer():
        raise CellValueError(_("„%(value)s“ ist keine ganze Zahl.") % {"value": shown(value)})
    return int(number)


def parse_duration(value, *, hours=False) -> int:
    """Minutes from `90`, `90 min`, `1,5 h`, `1:30`, `1 h 30 min`; a bare number counts as hours when `hours`."""
    if isinstance(value, datetime.time):
        return value.hour * 60 + value.minute
    if isinstance(value, int | float) and not isinstance(value, bool):
        minutes = value * 60 if hours else value
        return _whole_minutes(minutes, value)
    text = normalise(str(value)).replace(" ", " ")
    if match := _CLOCK.match(text):
        return int(match.group(1)) * 60 + int(match.group(2))
    try:
        return _whole_minutes(parse_number(text) * (60 if hours else 1), value)
    except CellValueError:
        pass
    parts = _DURATION_PART.findall(text)
    rest = _DURATION_PART.sub("", text).strip(" ,.und")
    if not parts or rest:
        raise _bad_duration(value)
    minutes = 0.0
    for number, unit in parts:
        amount = float(number.replace(",", "."))
        if unit.startswith(("h", "std", "stunde")) or (not unit and hours):
            minutes += amount * 60
        else:
            minutes += amount
    return _whole_minutes(minutes, value)


def _whole_minutes(minutes, value) -> int:
    if minutes < 0 or abs(minutes - round(minutes)) > 0.01:
        raise _bad_duration(value)
    return int(round(minutes))


def _bad_duration(value):
    return CellValueError(
        _("„%(value)s“ ist keine Dauer. Bitte in Minuten (z. B. 90) oder Stunden (z. B. „1,5 h“) angeben.")
        % {"value": shown(value)}
    )


def parse_boolean(value) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    text = normalise(str(value))
    if text in TRUE:
        return True
    if text in FALSE or not text:
        return False
    raise CellValueError(_("„%(value)s“: bitte „ja“ oder „nein“ angeben.") % {"value": shown(value)})


def text_of(value) -> str:
    """A cell as text: numbers without a trailing ",0", dates in German."""
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return f"{value:%d.%m.%Y}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def split_list(value, *, is_known=lambda text: False) -> list[str]:
    """Several values of one cell, separated by `;`, line breaks or `,`.

    A comma inside a known name (`is_known(text)`, e.g. "Vernetzung mit Kommune, Schule, Politik") does not split.
    """
    text = text_of(value)
    items = []
    for part in re.split(r"[;\n\r|]+", text):
        part = part.strip()
        if not part:
            continue
        if is_known(part) or "," not in part:
            items.append(part)
            continue
        pieces = [piece.strip() for piece in part.split(",")]
        index = 0
        while index < len(pieces):
            for end in range(len(pieces), index, -1):
                candidate = ", ".join(pieces[index:end])
                if end == index + 1 or is_known(candidate):
                    if candidate:
                        items.append(candidate)
                    index = end
                    break
    return list(dict.fromkeys(items))
