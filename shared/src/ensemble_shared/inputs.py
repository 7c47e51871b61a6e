"""Value types for what comes in from outside and ends up in the store or a query.

Pydantic accepts more than the store holds, and the standard library raises more than
ValueError: `0001-01-01T00:30:00+05:00` is a valid aware
datetime, but in UTC (how BSON stores it) it falls in year 0 and the driver raises
OverflowError; `2**64` is a valid int, but BSON integers stop at int64. Declaring fields and
`ZoneInfo("America")` raises IsADirectoryError. Declaring fields and parameters with these
types, or validating with `time_zone`, turns each into a 422 that names the field, where the
value comes in.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Annotated
from zoneinfo import ZoneInfo, available_timezones

from pydantic import AfterValidator, AwareDatetime, HttpUrl

INT64_MAX = 2**63 - 1
"""The largest integer the store holds: `le=INT64_MAX` on every integer parameter or field
that reaches a query (`Query(ge=1, le=INT64_MAX)`)."""
INT64_MIN = -(2**63)
MARGIN = timedelta(days=366)
"""Kept clear of both ends, so a year of arithmetic on a stored time (reminders, the next
slot, an invitation after an event) cannot overflow either."""
EARLIEST = datetime.min.replace(tzinfo=UTC) + MARGIN
LATEST = datetime.max.replace(tzinfo=UTC) - MARGIN


def storable(value: datetime) -> datetime:
    """`value` to the millisecond (what the store keeps: a time read back must equal the one
    given, or a timer comparing them never matches), or ValueError when it is naive or, in
    UTC, not between EARLIEST and LATEST (a year inside years 1-9999)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("give a time zone offset (Z or +hh:mm)")
    try:
        in_range = EARLIEST <= value.astimezone(UTC) <= LATEST
    except OverflowError:
        in_range = False
    if not in_range:
        raise ValueError("this time is too far in the past or the future (years 2-9998 in UTC)")
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


StorableDatetime = Annotated[AwareDatetime, AfterValidator(storable)]
"""An aware datetime the store can hold: every datetime that comes in from outside."""


def storable_day(value: date) -> date:
    """`value`, or ValueError when it is not between EARLIEST and LATEST (days are turned
    into datetimes, and periods reach back from them)."""
    if not EARLIEST.date() <= value <= LATEST.date():
        raise ValueError("this day is too far in the past or the future (years 2-9998)")
    return value


StorableDate = Annotated[date, AfterValidator(storable_day)]
"""A day that can become a stored time, with a year of arithmetic either way."""


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones()) | {"UTC"}  # reads the tz database once


def time_zone(name: str) -> ZoneInfo:
    """The IANA zone named `name`, or ValueError: only names of the tz database are opened,
    so a directory (`America`), a data file (`zone.tab`) or a path never reaches ZoneInfo."""
    if name not in _zone_names():
        raise ValueError(f"{name!r} is not an IANA time zone (e.g. Europe/Paris)")
    return ZoneInfo(name)


MAX_URL_LENGTH = 2000


def _fits(url: HttpUrl) -> HttpUrl:
    """pydantic normalises a URL (a trailing slash, punycode hosts): one accepted at HttpUrl's
    own limit could come back longer and be refused when read again. Bound the normal form."""
    if len(str(url)) > MAX_URL_LENGTH:
        raise ValueError(f"URL too long: at most {MAX_URL_LENGTH} characters")
    return url


WebUrl = Annotated[HttpUrl, AfterValidator(_fits)]
"""An http(s) URL that is stored and read back as it was accepted."""
