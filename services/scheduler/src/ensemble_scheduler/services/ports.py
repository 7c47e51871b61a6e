"""What publishing and approvals need from durable timers, as a protocol: a timer is a promise
to run a named handler at a time, exactly once across replicas, even if every replica was down
when it fell due (it then fires on recovery).

Implemented by services/timers.py; handlers are registered per `kind` at wiring time.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field


class Timer(BaseModel):
    """One occurrence to fire. `timer_id` names the promise (e.g. `publish:{content}`); the
    occurrence key is (timer_id, due_at), so re-scheduling the same time is a no-op."""

    model_config = ConfigDict(frozen=True)

    workspace: str
    timer_id: str
    kind: str = Field(description="Which handler fires it: publish, reminder, escalation, ...")
    due_at: datetime
    payload: dict[str, Any] = Field(default_factory=dict)


TimerHandler = Callable[[Timer], Awaitable[None]]
"""Runs a fired timer. Must be idempotent: after a crash mid-handler the occurrence fires
again on another replica once its lease runs out."""


class Timers(Protocol):
    async def schedule(self, timer: Timer) -> None:
        """Promise to fire `timer` at `due_at` (at once if it is past). Idempotent."""
        ...

    async def cancel(self, workspace: str, timer_id: str) -> None:
        """Occurrences of `timer_id` not fired yet will not fire (idempotent)."""
        ...

    def on(self, kind: str, handler: TimerHandler) -> None:
        """Register the handler for timers of `kind` (before the service starts)."""
        ...
