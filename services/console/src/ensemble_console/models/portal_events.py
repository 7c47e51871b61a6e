"""Feedback's field events as the community portal reads them: public (no seat holders) and
a member's own seat with, while confirmed, their check-in code."""

from __future__ import annotations

from typing import Literal

from ensemble_console.models.feedback import Answer, FieldEvent


class PortalEvent(FieldEvent):
    """An event with the tag ideas about it carry (`event:{id}`)."""

    submission_tag: str = ""


class PortalEventPage(Answer):
    items: list[PortalEvent]
    next_cursor: str | None = None


class MyRsvp(Answer):
    """The member's own place: `position` on the waitlist (1 = next); the code only for them,
    only while confirmed."""

    event_id: str
    status: Literal["confirmed", "waitlisted", "none"]
    position: int | None = None
    check_in_code: str | None = None
    checked_in: bool = False
