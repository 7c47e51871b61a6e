"""One event as an iCalendar file (RFC 5545) a phone adds to its calendar, written with the
`icalendar` library as scheduler's .ics feeds are. Times go out in UTC: every calendar app
shows them in its own zone, so no VTIMEZONE block is needed."""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar
from icalendar import Event as VEvent


def event_file(
    *,
    uid: str,
    title: str,
    starts: datetime,
    ends: datetime,
    location: str,
    description: str,
    url: str,
    cancelled: bool,
    now: datetime,
) -> bytes:
    """A calendar of one VEVENT; the UID is stable, so adding it twice updates it in place."""
    calendar = Calendar()
    calendar.add("prodid", "-//Ensemble//community events//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = VEvent()
    event.add("uid", uid)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", starts.astimezone(UTC))
    event.add("dtend", ends.astimezone(UTC))
    event.add("summary", title)
    event.add("location", location)
    if description:
        event.add("description", description)
    event.add("url", url)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    ical: bytes = calendar.to_ical()
    return ical
