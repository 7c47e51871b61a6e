"""The calendar as an iCalendar document, for the signed feeds calendar apps subscribe to."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from icalendar import Calendar
from icalendar import Event as VEvent

from ensemble_scheduler.models.calendar import CalendarEntry


def render_ics(
    name: str, entries: Sequence[CalendarEntry], *, public_url: str, now: datetime
) -> bytes:
    """An iCalendar document, one 15-minute VEVENT per scheduled item (UID stable per item,
    SEQUENCE = its scheduling sequence, so calendar apps update a moved post in place)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Ensemble//content calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    for entry in entries:
        event = VEvent()
        event.add("uid", f"{entry.content_id}@ensemble")
        event.add("dtstamp", now)
        event.add("dtstart", entry.slot_at)
        event.add("dtend", entry.slot_at + timedelta(minutes=15))
        event.add("sequence", entry.sequence)
        event.add("summary", f"[{entry.channel}] {entry.title or entry.content_id}")
        event.add("description", f"status: {entry.status}")
        event.add("status", "CANCELLED" if entry.status == "failed" else "CONFIRMED")
        event.add("url", f"{public_url}/content/{entry.content_id}")
        event.add("categories", [entry.channel])
        calendar.add_component(event)
    ical: bytes = calendar.to_ical()
    return ical
