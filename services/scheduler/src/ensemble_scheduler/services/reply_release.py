"""An approved reply goes out at once: someone is waiting for the answer, and a reply has no
place in the calendar's slots to wait for.

On `approval.completed`, a reply that nobody gave a time (no `slot` in the item, never
scheduled) is scheduled two seconds ahead, through the calendar like any item, so its publish
timer, crisis holds and exactly-once publishing are the ones every post goes through. A reply
given a time waits for it. Safe to run twice: a scheduled or published reply is left alone.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from ensemble_scheduler.models.calendar import ScheduleIn
from ensemble_scheduler.services.calendar import CalendarService
from ensemble_scheduler.storage.content import ContentRepository
from ensemble_shared.auth import Principal, Role
from ensemble_shared.errors import Conflict
from ensemble_shared.events import Event, utcnow
from ensemble_shared.events.approvals import ApprovalCompletedV1

log = logging.getLogger(__name__)

RELEASER = "scheduler:replies"
AHEAD = timedelta(seconds=2)
TRIES = 5  # seconds tried one after another when a slot second is taken


class ReplyRelease:
    def __init__(self, content: ContentRepository, calendar: CalendarService) -> None:
        self._content = content
        self._calendar = calendar

    async def on_approvals(self, events: Sequence[Event]) -> None:
        """Kafka handler for approval outcomes: approved replies without a time go out now."""
        for event in events:
            if isinstance(event, ApprovalCompletedV1):
                await self.release(event.workspace, event.data.content_id)

    async def release(self, workspace: str, content_id: str) -> None:
        latest = await self._content.latest(workspace, content_id)
        if latest is None or latest.kind != "reply" or latest.fields.slot is not None:
            return
        if await self._calendar.current(workspace, content_id) is not None:
            return
        releaser = Principal(subject=RELEASER, workspace=workspace, roles=frozenset({Role.SERVICE}))
        for attempt in range(TRIES):
            slot = utcnow().replace(microsecond=0) + AHEAD + timedelta(seconds=attempt)
            try:
                await self._calendar.schedule(releaser, content_id, ScheduleIn(slot=slot))
                return
            except Conflict as exc:
                if await self._calendar.current(workspace, content_id) is not None:
                    return  # scheduled meanwhile (another replica, or a person): theirs holds
                log.info(
                    "reply %s: slot %s taken (%s), trying the next second", content_id, slot, exc
                )
        log.warning("reply %s approved but not scheduled: every slot tried was taken", content_id)
