"""A circuit breaker per endpoint: the pure state machine, no I/O.

closed --(N consecutive failures, or a failure rate over a window)--> open
open --(cool-down elapsed; one replica claims the probe)--> half_open
half_open --(probe succeeds)--> closed;  half_open --(probe fails)--> open

The shared state is the last of a series of transitions, each inserted once under
`{endpoint}#{seq}` (storage/breaker.py): two replicas racing to make the same transition
insert the same key and exactly one wins. Failures are counted per replica (in memory): a
replica that sees enough failures opens the breaker for every replica.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, Field

from ensemble_notify.models.deliveries import AttemptResult


class BreakerState(StrEnum):
    CLOSED = "closed"  # deliveries flow
    OPEN = "open"  # deliveries wait until `until`
    HALF_OPEN = "half_open"  # one probe is in flight; the others wait for its verdict


class Transition(BaseModel):
    """One change of an endpoint's breaker; `seq` 0 is the implicit initial closed state."""

    endpoint: str
    workspace: str
    seq: int = 0
    state: BreakerState = BreakerState.CLOSED
    at: datetime | None = None
    until: datetime | None = Field(
        default=None,
        description="open: end of the cool-down; half_open: end of the probe's lease.",
    )
    reason: str | None = None
    by: str | None = Field(default=None, description="The replica that made the transition.")


@dataclass(frozen=True)
class BreakerSettings:
    failure_threshold: int = 5  # consecutive failures that open the breaker
    window: int = 20  # the last N results the failure rate is measured over
    failure_rate: float = 0.5  # open when at least this share of the window failed...
    min_calls: int = 10  # ...and the window holds at least this many results
    cool_down: timedelta = timedelta(seconds=30)
    probe_lease: timedelta = timedelta(seconds=30)  # a vanished probe is retaken after this


def is_failure(result: AttemptResult) -> bool:
    """Failures that say the endpoint is down or overloaded: network errors, 5xx, 429.

    Other 4xx answers come from a live receiver that refuses this one message: they say
    nothing about its health and neither open nor keep open the breaker.
    """
    if result.delivered:
        return False
    if result.status_code is None:
        return True
    return result.status_code >= 500 or result.status_code == 429


@dataclass
class Tally:
    """One replica's recent results for one endpoint."""

    consecutive: int = 0
    recent: deque[bool] = field(default_factory=deque)  # True = failure

    def add(self, failed: bool, window: int) -> None:
        self.consecutive = self.consecutive + 1 if failed else 0
        self.recent.append(failed)
        while len(self.recent) > window:
            self.recent.popleft()


@dataclass(frozen=True)
class Pass:
    """Send now. `probe` marks the half-open trial whose result decides the state."""

    probe: bool = False


@dataclass(frozen=True)
class Wait:
    """Do not send: try again at `until` (no attempt is spent)."""

    until: datetime


Gate = Pass | Wait


def trips(counter: Tally, settings: BreakerSettings) -> str | None:
    """Why the breaker should open after these results, or None."""
    if counter.consecutive >= settings.failure_threshold:
        return f"{counter.consecutive} consecutive failures"
    failures = sum(counter.recent)
    if len(counter.recent) >= settings.min_calls:
        rate = failures / len(counter.recent)
        if rate >= settings.failure_rate:
            return f"{failures} of the last {len(counter.recent)} attempts failed"
    return None


def gate(current: Transition, now: datetime) -> Gate | BreakerState:
    """What a delivery may do under `current`.

    Returns Pass/Wait when the answer is known, or HALF_OPEN when the caller must first
    claim the probe (insert the half_open transition): the winner sends, the losers wait.
    """
    if current.state is BreakerState.CLOSED:
        return Pass()
    until = current.until or now
    if now < until:
        return Wait(until)
    # open and cooled down, or half-open whose probe lease ran out: someone probes again.
    return BreakerState.HALF_OPEN


def _next(
    current: Transition,
    state: BreakerState,
    *,
    at: datetime,
    until: datetime | None,
    reason: str,
    by: str,
) -> Transition:
    """The transition after `current` (its seq is the one replicas race to insert)."""
    return current.model_copy(
        update={
            "seq": current.seq + 1,
            "state": state,
            "at": at,
            "until": until,
            "reason": reason,
            "by": by,
        }
    )


def opened(
    current: Transition, reason: str, now: datetime, settings: BreakerSettings, by: str
) -> Transition:
    until = now + settings.cool_down
    return _next(current, BreakerState.OPEN, at=now, until=until, reason=reason, by=by)


def probing(current: Transition, now: datetime, settings: BreakerSettings, by: str) -> Transition:
    until = now + settings.probe_lease
    reason = "cool-down over: one probe"
    return _next(current, BreakerState.HALF_OPEN, at=now, until=until, reason=reason, by=by)


def closed(current: Transition, now: datetime, by: str) -> Transition:
    reason = "the probe succeeded"
    return _next(current, BreakerState.CLOSED, at=now, until=None, reason=reason, by=by)


class BreakerView(BaseModel):
    """An endpoint's breaker as the API shows it."""

    state: BreakerState
    since: datetime | None = Field(description="When it entered this state (None: never moved).")
    until: datetime | None = Field(
        description="open: deliveries wait until then; half_open: the probe's deadline."
    )
    reason: str | None
    transitions: int = Field(description="How many times it changed state.")

    @classmethod
    def of(cls, current: Transition) -> BreakerView:
        return cls(
            state=current.state,
            since=current.at if current.seq else None,
            until=current.until,
            reason=current.reason,
            transitions=current.seq,
        )
