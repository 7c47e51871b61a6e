"""Times as forms give them: a `datetime-local` field holds a wall-clock time without zone,
which means the person's own time zone (the one their pages are shown in)."""

from __future__ import annotations

from datetime import datetime, tzinfo


class BadMoment(ValueError):
    """The field does not hold a date and time (the page says so, 422)."""


def local_moment(text: str, zone: tzinfo) -> datetime | None:
    """`2026-12-07T09:30` in `zone` as an aware time; None for an empty field."""
    text = text.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise BadMoment(text) from exc
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


def field_value(moment: datetime | None, zone: tzinfo) -> str:
    """What a `datetime-local` field shows for `moment` in `zone`."""
    return "" if moment is None else moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M")
