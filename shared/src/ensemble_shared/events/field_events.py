"""Events of the field-events stream, produced by feedback (key: field event id).

"Field event" is a meeting of members in a place (a workshop, a meetup), not a Kafka event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from ensemble_shared.events.envelope import Event, Payload


class RsvpData(Payload):
    event_id: str
    title: str
    starts_at: datetime
    member_id: str
    status: Literal["confirmed", "waitlisted", "cancelled", "promoted"]
    position: int | None = Field(
        default=None, ge=1, description="Place on the waitlist (1 = next), when waitlisted."
    )
    reason: Literal["member", "event_cancelled", "merged"] | None = Field(
        default=None,
        description="Why a cancellation happened: the member, the event, or a merge of the "
        "member's records into another (that person keeps one place, under the other id).",
    )


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


class FollowupInvitationData(Payload):
    event_id: str
    title: str
    ended_at: datetime
    member_id: str
    tag: str = Field(description="The tag to put on submissions about it: event:{event_id}.")


class EventFollowupInvitedV1(Event):
    """Sent by feedback once per attendee after a field event ends: an invitation to submit
    ideas tagged with the event."""

    type: Literal["event.followup_invited.v1"] = "event.followup_invited.v1"
    data: FollowupInvitationData
