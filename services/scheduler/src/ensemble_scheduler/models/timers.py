"""Durable timers: the promise a service makes (`Timer`), and its occurrences as stored — the
pending promise, its claims and its one result.

A timer is a promise to run a named handler at a time, exactly once across replicas, even if
every replica was down when it fell due (it then fires on recovery).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from typing import Any, Literal

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

Outcome = Literal["fired", "cancelled", "failed", "unhandled"]


def normalized(at: datetime) -> datetime:
    """UTC at millisecond precision: what MongoDB keeps, so an id built from a due time read
    back from the store is the id built when it was scheduled."""
    if at.tzinfo is None:
        raise ValueError("due_at must carry a time zone")
    at = at.astimezone(UTC)
    return at.replace(microsecond=at.microsecond // 1000 * 1000)


def occurrence_id(timer_id: str, due_at: datetime) -> str:
    """The occurrence's natural key: scheduling the same timer at the same time twice is one."""
    return f"{timer_id}@{normalized(due_at).isoformat(timespec='milliseconds')}"


def claim_id(occurrence: str, attempt: int) -> str:
    """Attempt N to fire an occurrence: one unique-key insert decides who makes it."""
    return f"{occurrence}#{attempt}"


class Occurrence(BaseModel):
    """A timer occurrence not yet known to be finished (the scanner's working set)."""

    model_config = ConfigDict(frozen=True)

    id: str
    workspace: str
    timer_id: str
    kind: str
    due_at: datetime
    payload: dict[str, Any] = Field(default_factory=dict)
    scheduled_at: datetime

    @classmethod
    def of(cls, timer: Timer, *, now: datetime) -> Occurrence:
        return cls(
            id=occurrence_id(timer.timer_id, timer.due_at),
            workspace=timer.workspace,
            timer_id=timer.timer_id,
            kind=timer.kind,
            due_at=normalized(timer.due_at),
            payload=timer.payload,
            scheduled_at=now,
        )

    def timer(self) -> Timer:
        return Timer(
            workspace=self.workspace,
            timer_id=self.timer_id,
            kind=self.kind,
            due_at=self.due_at,
            payload=self.payload,
        )


class ClaimView(BaseModel):
    """The latest attempt on an occurrence, as the scanner needs it."""

    model_config = ConfigDict(frozen=True)

    occurrence: str
    attempt: int
    owner: str
    lease_until: datetime


def latest_attempts(claims: Iterable[ClaimView]) -> dict[str, ClaimView]:
    """The highest attempt claimed on each occurrence among `claims`."""
    latest: dict[str, ClaimView] = {}
    for view in claims:
        if view.occurrence not in latest or latest[view.occurrence].attempt < view.attempt:
            latest[view.occurrence] = view
    return latest


class Finished(BaseModel):
    """How an occurrence ended: inserted once under the occurrence id, never rewritten."""

    model_config = ConfigDict(frozen=True)

    occurrence: str
    workspace: str
    timer_id: str
    kind: str
    due_at: datetime
    outcome: Outcome
    attempt: int = 0
    owner: str | None = None
    at: datetime
    error: str | None = None

    @property
    def lag_seconds(self) -> float:
        return (self.at - self.due_at).total_seconds()


class TimerStats(BaseModel):
    """What an operator checks: the pending working set and the oldest overdue occurrence."""

    pending: int
    overdue: int
    oldest_overdue_at: datetime | None
    finished: int
