"""What one service needs from another, as protocols: the seams that keep the wiring acyclic.

- `Timers`: durable timers (services/timers.py); handlers are registered per `kind` when the
  services that handle them are built, before the timer loop starts.
- `StepClock`: what the approval workflow tells the deadline planner (services/deadline_plans.py).
- `Reslotter`: how a missed slot moves an item (the calendar, services/calendar.py).
- `Holds`: whether a crisis hold keeps an item back (crisis mode, services/crisis.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from ensemble_scheduler.models.approvals import ApprovalRecord
from ensemble_scheduler.models.content import ContentVersion
from ensemble_scheduler.models.timers import Timer, TimerHandler
from ensemble_shared.auth import Principal


class Timers(Protocol):
    async def schedule(self, timer: Timer) -> None:
        """Promise to fire `timer` at `due_at` (at once if it is past). Idempotent."""
        ...

    async def schedule_many(self, timers: Sequence[Timer]) -> int:
        """`schedule` for several timers in one round trip; returns how many were new."""
        ...

    async def cancel(self, workspace: str, timer_id: str) -> None:
        """Occurrences of `timer_id` not fired yet will not fire (idempotent)."""
        ...

    def on(self, kind: str, handler: TimerHandler) -> None:
        """Register the handler for timers of `kind` (before the timer loop starts)."""
        ...


class StepClock(Protocol):
    """What the approval workflow tells the deadline planner."""

    async def step_opened(
        self, record: ApprovalRecord, position: int, round_: int, latest: ContentVersion
    ) -> None:
        """A step opened (or the slot of an open step moved): plan and arm its timers."""
        ...

    async def step_closed(self, record: ApprovalRecord, step: str, round_: int) -> None:
        """A step's round has its outcome: its timers need not fire."""
        ...

    async def backup_slots(
        self, record: ApprovalRecord, step: str, round_: int, principal: Principal
    ) -> tuple[str, ...]:
        """The slots `principal` fills as a backup of an escalated step (empty if none)."""
        ...


class Reslotter(Protocol):
    """Moves an item to its channel's next free slot after `after` (its `slot` field changes,
    which re-plans the open step). The calendar's `CalendarService.reslot` has this shape."""

    async def reslot(self, principal: Principal, content_id: str, after: datetime) -> object: ...


class Holds(Protocol):
    """What publishing asks crisis mode before each try to publish an item."""

    async def holds_back(self, workspace: str, content_id: str) -> bool:
        """Whether a crisis hold keeps the item back now (one released meanwhile does not)."""
        ...
