"""Events of the field-events stream, produced by feedback (key: field event id).

"Field event" is a meeting of members in a place (a workshop, a meetup), not a Kafka event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ensemble_shared.events.envelope import Event, Payload


class RsvpData(Payload):
    event_id: str
    title: str
    starts_at: datetime
    member_id: str
    status: Literal["confirmed", "waitlisted", "cancelled", "promoted"]


class EventRsvpV1(Event):
    """Sent by feedback when a member's seat at a field event changes (incl. waitlist promotion)."""

    type: Literal["event.rsvp.v1"] = "event.rsvp.v1"
    data: RsvpData


class CheckInData(Payload):
    event_id: str
    title: str
    member_id: str


class EventCheckedInV1(Event):
    """Sent by feedback when a member checks in at a field event with their code."""

    type: Literal["event.checked_in.v1"] = "event.checked_in.v1"
    data: CheckInData
