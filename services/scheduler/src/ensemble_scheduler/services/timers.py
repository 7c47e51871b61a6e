"""Durable timers: each occurrence fires exactly once across replicas, late ones on recovery.

Every replica reads the pending set (by `due_at`) a little ahead of time and keeps what is due
soon in memory; at its due time it claims attempt N by unique-key insert, and the replica whose
insert lands fires it and records the result (an insert, once per occurrence). A replica that
dies holding claims leaves them to their lease: once it has run out, attempt N+1 is claimable by
any replica. A handler that raises is retried the same way (after the lease), up to
`max_attempts`, then recorded as failed. Handlers must be idempotent: a crash between a
handler's effect and the result's insert fires it again.

Why three loops (see `run`): on FerretDB every read of the pending set other than by `_id`, and
every delete, decodes the whole collection (about a second at 10,000 occurrences on a busy
2-core machine), while inserts take milliseconds. So the scans (look-ahead) and the deletes of
finished occurrences (batched) run beside the firing loop, and only inserts (claims, results)
stand between a due time and its firing.

The parts: the replica's in-memory working set (services/timer_working_set.py), taking
occurrences (services/timer_claims.py), firing them and recording results
(services/timer_firing.py); this module holds the `Timers` port and the loops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from ensemble_scheduler.models.timers import Occurrence, Timer, TimerHandler, TimerStats
from ensemble_scheduler.services.timer_claims import TimerClaims
from ensemble_scheduler.services.timer_firing import TimerFirer
from ensemble_scheduler.services.timer_working_set import WorkingSet
from ensemble_scheduler.storage.timers import TimerRepository
from ensemble_shared.events import new_id, utcnow

log = logging.getLogger(__name__)


def replica_id() -> str:
    """Names a claim's owner in logs and records: which host and process took it."""
    return f"{socket.gethostname()}:{os.getpid()}:{new_id()[:8]}"


# Shortest pause of the firing loop between two passes: occurrences due a few ms apart are
# claimed together, one insert for many, rather than one round trip each.
TICK_SECONDS = 0.05
# How far ahead of its due time an occurrence is claimed: the claim insert (the one write that
# contends with other replicas, slow when the store is busy) is out of the way by then, and
# its lease counts from the due time. A cancel is still checked at the due time.
CLAIM_AHEAD_SECONDS = 1.0


class TimerService:
    """The `Timers` port (services/ports.py) on MongoDB; `run` is the replica's loop."""

    def __init__(
        self,
        timers: TimerRepository,
        *,
        owner: str | None = None,
        lease: timedelta = timedelta(seconds=30),
        poll_seconds: float = 1.0,
        batch: int = 200,
        scan_limit: int = 5_000,
        concurrency: int = 32,
        max_attempts: int = 5,
        lookahead: timedelta = timedelta(seconds=15),
        forget_seconds: float = 5.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._timers = timers
        self.owner = owner or replica_id()
        self._poll = poll_seconds
        self._lookahead = lookahead
        self._forget_every = forget_seconds
        self._clock = clock
        self._handlers: dict[str, TimerHandler] = {}
        self._work = WorkingSet()
        self._claims = TimerClaims(
            timers,
            self._work,
            self._handlers,
            owner=self.owner,
            lease=lease,
            batch=batch,
            scan_limit=scan_limit,
            clock=clock,
        )
        self._firer = TimerFirer(
            timers,
            self._work,
            self._handlers,
            owner=self.owner,
            batch=batch,
            concurrency=concurrency,
            max_attempts=max_attempts,
            clock=clock,
        )
        self._wake = asyncio.Event()  # something new is queued: the claiming loop looks
        self._armed = asyncio.Event()  # something new is claimed: the firing loop looks
        self._flush_now = asyncio.Event()  # the firing loop is idle: drop what finished

    # --- the Timers port -------------------------------------------------------------------

    def on(self, kind: str, handler: TimerHandler) -> None:
        if kind in self._handlers:
            raise ValueError(f"a handler for timers of kind {kind!r} is already registered")
        self._handlers[kind] = handler

    async def schedule(self, timer: Timer) -> None:
        await self.schedule_many([timer])

    async def schedule_many(self, timers: Sequence[Timer]) -> int:
        """Idempotent: an occurrence (timer id, due time) is stored once, fired once."""
        now = self._clock()
        occurrences = [Occurrence.of(t, now=now) for t in timers]
        added = set(await self._timers.insert(occurrences))
        soon = now + self._lookahead
        for occurrence in occurrences:
            if (
                occurrence.id in added
                and occurrence.due_at <= soon
                and occurrence.kind in self._handlers
            ):
                self._claims.expect(occurrence, 1)  # no need to wait for the next scan
        if added:
            self._wake.set()
        return len(added)

    async def cancel(self, workspace: str, timer_id: str) -> None:
        await self._timers.cancel(workspace, timer_id, at=self._clock())

    async def stats(self, workspace: str) -> TimerStats:
        return TimerStats.model_validate(await self._timers.counts(workspace, self._clock()))

    # --- one pass (tests, tools) -----------------------------------------------------------

    async def fire_due(self) -> int:
        """One pass over what is due now; returns the occurrences this replica finished."""
        now = self._clock()
        await self._claims.look(now, now)
        try:
            await self._claim_ready(now, now)
            return await self._firer.fire_claimed(now)
        finally:
            await self._firer.flush()

    async def _claim_ready(self, until: datetime, now: datetime) -> None:
        """Claim what is due by `until`; wake the firing loop when this pass claimed some."""
        if await self._claims.claim_ready(until, now) and self._work.claimed:
            self._armed.set()

    # --- the loops -------------------------------------------------------------------------

    async def run(self) -> None:
        """Forever: read ahead (`_scanning`), claim just ahead of due times (`_claiming`),
        fire at due times (`_firing`), drop finished occurrences from the pending set
        (`_forgetting`). On the way out, what finished is
        dropped still, so that a restart does not read it again."""
        try:
            await asyncio.gather(
                self._scanning(), self._claiming(), self._firing(), self._forgetting()
            )
        finally:
            with contextlib.suppress(Exception):
                await self._firer.drain(within=5)
                await asyncio.wait_for(self._firer.flush(), timeout=5)

    async def _scanning(self) -> None:
        """Read what falls due within `lookahead`, again every `poll_seconds` or, when a scan
        is slow (a large pending set), after three times its length, so that scans take at
        most a quarter of the store's time; never longer than a third of the look-ahead, so
        everything is in memory well before it is due."""
        ceiling = max(self._poll, self._lookahead.total_seconds() / 3)
        while True:
            started = time.monotonic()
            try:
                now = self._clock()
                if await self._claims.look(now + self._lookahead, now):
                    self._wake.set()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("timer scan failed: %r", exc)
            took = time.monotonic() - started
            await asyncio.sleep(min(ceiling, max(self._poll, 3 * took)))

    async def _claiming(self) -> None:
        """Claim what falls due within `CLAIM_AHEAD_SECONDS`, then sleep until the next one
        does (a tick at least, at most `poll_seconds`), or until something new is queued."""
        while True:
            try:
                now = self._clock()
                await self._claim_ready(now + timedelta(seconds=CLAIM_AHEAD_SECONDS), now)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("claiming timers failed: %r", exc)
            self._wake.clear()
            upcoming = self._work.upcoming.first()
            wait = self._poll
            if upcoming is not None:
                wait = (upcoming - self._clock()).total_seconds() - CLAIM_AHEAD_SECONDS
            await _pause(self._wake, wait, self._poll)

    async def _firing(self) -> None:
        """Fire what this replica holds when it is due, then sleep until the next one is (a
        tick at least, at most `poll_seconds`), or until something new is claimed."""
        while True:
            try:
                await self._firer.fire_claimed(self._clock(), wait_for_store=False)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("timer firing failed: %r", exc)
            self._armed.clear()
            now = self._clock()
            held = self._work.claimed.first()
            upcoming = self._work.upcoming.first()
            wait = self._poll if held is None else (held - now).total_seconds()
            idle = upcoming is None or (upcoming - now).total_seconds() > 1.0
            if self._work.finished and idle and wait > 1.0:
                self._flush_now.set()  # idle for a while: a good time for the delete
            await _pause(self._armed, wait, self._poll)

    async def _forgetting(self) -> None:
        """Drop finished occurrences when the firing loop is idle, or every `forget_seconds`
        (longer if a delete is slow) while it is busy."""
        pause = self._forget_every
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._flush_now.wait(), timeout=pause)
            self._flush_now.clear()
            started = time.monotonic()
            try:
                await self._firer.flush()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("dropping finished timers failed: %r", exc)
            pause = max(self._forget_every, 3 * (time.monotonic() - started))


async def _pause(event: asyncio.Event, wait: float, poll: float) -> None:
    """Sleep a tick at least, then until `wait` has passed (at most `poll`) or `event` is
    set: what falls due a few ms apart is handled together."""
    await asyncio.sleep(TICK_SECONDS)
    if wait > TICK_SECONDS:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout=min(poll, wait - TICK_SECONDS))
