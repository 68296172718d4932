"""FHIR date/dateTime strings → UTC instant ranges, as search and import need them (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo

_DATE = re.compile(
    r"^(?P<year>\d{4})(-(?P<month>\d{2})(-(?P<day>\d{2})"
    r"(T(?P<hour>\d{2}):(?P<minute>\d{2})(:(?P<second>\d{2})(?P<fraction>\.\d+)?)?"
    r"(?P<zone>Z|[+-]\d{2}:\d{2})?)?)?)?$"
)


class InvalidDate(ValueError):
    pass


@dataclass(frozen=True)
class DateRange:
    """The instants a FHIR date value stands for: [start, end)."""

    start: datetime
    end: datetime


def _next_month(moment: datetime) -> datetime:
    return moment.replace(year=moment.year + moment.month // 12, month=moment.month % 12 + 1)


def _zone(text: str | None) -> tzinfo:
    if text is None or text == "Z":
        return UTC
    sign = 1 if text[0] == "+" else -1
    hours, minutes = int(text[1:3]), int(text[4:6])
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def parse_date_range(text: str) -> DateRange:
    """Parse YYYY, YYYY-MM, YYYY-MM-DD or a dateTime; a value without a zone is UTC."""
    match = _DATE.match(text)
    if match is None:
        raise InvalidDate(f"{text!r} is not a FHIR date or dateTime")
    parts = match.groupdict()
    if parts["second"] == "60":  # a leap second (R4 allows it; Python does not): end of minute
        parts["second"], parts["fraction"] = "59", ".999999"
    try:
        start = datetime(
            int(parts["year"]),
            int(parts["month"] or 1),
            int(parts["day"] or 1),
            int(parts["hour"] or 0),
            int(parts["minute"] or 0),
            int(parts["second"] or 0),
            int(float(parts["fraction"] or 0) * 1_000_000),
            tzinfo=_zone(parts["zone"]),
        )
    except (ValueError, OverflowError):
        raise InvalidDate(f"{text!r} is not a valid date") from None
    end = _end_of(start, parts)
    return DateRange(start.astimezone(UTC), end.astimezone(UTC))


def _end_of(start: datetime, parts: dict[str, str | None]) -> datetime:
    if parts["month"] is None:
        return start.replace(year=start.year + 1)
    if parts["day"] is None:
        return _next_month(start)
    if parts["hour"] is None:
        return start + timedelta(days=1)
    if parts["second"] is None:
        return start + timedelta(minutes=1)
    if parts["fraction"] is None:
        return start + timedelta(seconds=1)
    return start + timedelta(microseconds=1)


def parse_instant(text: str) -> datetime:
    """The start of a date/dateTime value, as an aware UTC datetime."""
    return parse_date_range(text).start
