"""iCalendar (RFC 5545) output for the follow-up feed, written by hand: a handful of properties
do not justify a dependency, and the rules that matter are few and tested.

- lines end with CRLF and are folded after at most 75 octets (never inside a UTF-8 character);
- TEXT values escape backslash, semicolon, comma and line breaks;
- a follow-up is an all-day event: DTSTART;VALUE=DATE and DTEND on the following day (none after
  31.12.9999: without DTEND an all-day event lasts one day, RFC 5545 3.6.1).
"""

import datetime
import re
from dataclasses import dataclass

CRLF = "\r\n"
MAX_LINE_OCTETS = 75
PRODID = "-//Kompetenzzentrum Vielfalt Hessen//Vielfalt-Beratung//DE"
# Control characters are not allowed in TEXT values (HTAB is, line breaks are escaped separately).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class AllDayEvent:
    uid: str
    day: datetime.date
    summary: str
    description: str = ""
    url: str = ""


def escape_text(value: str) -> str:
    value = _CONTROL.sub("", str(value))
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Split a content line into pieces of at most 75 octets; continuation lines start with a space."""
    pieces, current, size = [], [], 0
    limit = MAX_LINE_OCTETS
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > limit:
            pieces.append("".join(current))
            current, size = [], 0
            limit = MAX_LINE_OCTETS - 1  # the leading space counts
        current.append(char)
        size += octets
    pieces.append("".join(current))
    return (CRLF + " ").join(pieces)


def _date(day: datetime.date) -> str:
    # Not strftime("%Y"): the C library writes year 1 as "1", not "0001".
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def render_calendar(events, *, name: str, stamp: datetime.datetime) -> str:
    """A complete VCALENDAR; `stamp` (aware) becomes every event's DTSTAMP."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
        f"NAME:{escape_text(name)}",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{escape_text(event.uid)}",
            f"DTSTAMP:{_utc(stamp)}",
            f"DTSTART;VALUE=DATE:{_date(event.day)}",
        ]
        if event.day < datetime.date.max:
            lines.append(f"DTEND;VALUE=DATE:{_date(event.day + datetime.timedelta(days=1))}")
        lines.append(f"SUMMARY:{escape_text(event.summary)}")
        if event.description:
            lines.append(f"DESCRIPTION:{escape_text(event.description)}")
        if event.url:
            lines.append(f"URL:{event.url}")
        lines += ["TRANSP:TRANSPARENT", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)
