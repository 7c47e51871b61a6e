"""After a field event: its attendees are invited to give ideas tagged with the event."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from ensemble_feedback.models.field_events import submission_tag
from ensemble_feedback.storage.field_events import FieldEventRepository
from ensemble_shared.events import (
    Event,
    EventFollowupInvitedV1,
    FollowupInvitationData,
    Source,
    envelope,
    utcnow,
)
from ensemble_shared.runtime import repeat

log = logging.getLogger(__name__)

FOLLOWUP_WINDOW = timedelta(days=3)  # attendees checked in later than this are not invited
FOLLOWUP_INTERVAL = 60.0  # seconds between follow-up sweeps


class FollowupInvitations:
    def __init__(
        self, events: FieldEventRepository, *, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self._events = events
        self._clock = clock

    async def invite(self, *, now: datetime | None = None, limit: int = 200) -> int:
        """Invite every attendee of events that ended lately to submit ideas tagged with the
        event, once each (unique key per event and member); returns how many were invited.

        Runs in every replica; a repeat, or two replicas at once, invite nobody twice.
        """
        now = now or self._clock()
        invited = 0
        for event in await self._events.ended_between(now - FOLLOWUP_WINDOW, now, limit=limit):
            attendees = await self._events.checked_in(event.id)
            pending = sorted(set(attendees) - await self._events.invited(event.id))
            if not pending:
                continue
            invitations: list[tuple[str, Event]] = [
                (
                    member,
                    EventFollowupInvitedV1(
                        **envelope(Source.FEEDBACK, event.workspace, event.id),
                        data=FollowupInvitationData(
                            event_id=event.id,
                            title=event.title,
                            ended_at=event.ends_at,
                            member_id=member,
                            tag=submission_tag(event.id),
                        ),
                    ),
                )
                for member in pending
            ]
            invited += len(await self._events.invite(event, invitations, at=now))
        return invited

    async def run(self, *, every: float = FOLLOWUP_INTERVAL) -> None:
        """The background loop the wiring starts: invite attendees of events that just ended."""
        await repeat(self._step, every=every, what="field event follow-ups")

    async def _step(self) -> None:
        invited = await self.invite()
        if invited:
            log.info("invited %d attendees to follow up on their field events", invited)
