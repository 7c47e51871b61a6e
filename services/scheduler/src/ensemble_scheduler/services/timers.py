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
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import os
import socket
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from prometheus_client import Counter, Histogram

from ensemble_scheduler.models.timers import Finished, Occurrence, TimerStats
from ensemble_scheduler.services.ports import Timer, TimerHandler
from ensemble_scheduler.storage.timers import TimerRepository
from ensemble_shared.events import new_id, utcnow

log = logging.getLogger(__name__)

FIRED = Counter(
    "ensemble_timer_occurrences_total",
    "Timer occurrences finished, by outcome.",
    ["kind", "outcome"],
)
LAG = Histogram(
    "ensemble_timer_lag_seconds",
    "From an occurrence's due time to its firing.",
    ["kind"],
    buckets=(0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 3600),
)


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
# Result inserts the run loop lets run behind its firing before it waits for one.
MAX_STORING = 8


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
        self._lease = lease
        self._poll = poll_seconds
        self._batch = batch
        self._scan_limit = scan_limit
        self._slots = asyncio.Semaphore(concurrency)
        self._max_attempts = max_attempts
        self._lookahead = lookahead
        self._forget_every = forget_seconds
        self._clock = clock
        self._handlers: dict[str, TimerHandler] = {}
        self._wake = asyncio.Event()
        self._flush_now = asyncio.Event()
        self._unhandled_warned: set[str] = set()
        # What the firing loop will try, by occurrence: the occurrence and the attempt to claim;
        # the heap orders them by due time (entries no longer in `_upcoming` are skipped).
        self._upcoming: dict[str, tuple[Occurrence, int]] = {}
        self._heap: list[tuple[datetime, str]] = []
        # Occurrences due less than a lease ago that this replica already tried to claim (won
        # or lost): a look-ahead scan that meets them again leaves them alone. Once due longer
        # than a lease ago they are judged by their claims and results, as after a crash.
        self._tried: dict[str, datetime] = {}
        # Won here, to fire at their due time (same shape as `_upcoming`).
        self._claimed: dict[str, tuple[Occurrence, int]] = {}
        self._claimed_heap: list[tuple[datetime, str]] = []
        self._armed = asyncio.Event()
        self._storing: set[asyncio.Task[int]] = set()  # results being inserted (run loop)
        # Being claimed, held or fired here: a scan meanwhile does not queue them again.
        self._taking: set[str] = set()
        # Finished here, still in the pending set: dropped in batches (`_flush`).
        self._finished: dict[str, None] = {}

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
                self._expect(occurrence, 1)  # no need to wait for the next scan to see it
        if added:
            self._wake.set()
        return len(added)

    async def cancel(self, workspace: str, timer_id: str) -> None:
        await self._timers.cancel(workspace, timer_id, at=self._clock())

    # --- one pass (tests, tools) -----------------------------------------------------------

    async def fire_due(self) -> int:
        """One pass over what is due now; returns the occurrences this replica finished."""
        now = self._clock()
        await self._look(now, now)
        try:
            await self._claim_ready(now, now)
            return await self._fire_claimed(now)
        finally:
            await self._flush()

    # --- reading ahead ---------------------------------------------------------------------

    async def _look(self, until: datetime, now: datetime) -> int:
        """Read the pending set up to `until` into `_upcoming`; returns how many were added.

        A page holding nothing new (others' live claims, occurrences finished but not yet
        dropped) does not hide what lies behind it: the next page is read."""
        added = 0
        for page in range(10):
            due = await self._timers.due(
                until, limit=self._scan_limit, skip=page * self._scan_limit
            )
            added += await self._admit(due, now)
            if added or len(due) < self._scan_limit:
                break
        return added

    async def _admit(self, due: Sequence[Occurrence], now: datetime) -> int:
        """Queue what this replica may take of `due`; returns how many were queued.

        The hot path reads nothing per occurrence: one due less than a lease ago cannot have an
        expired claim yet, so attempt 1 is simply queued (a lost insert means another replica
        has it). Only older ones (their claimer may have died) have their claims and results
        read, to find the attempt to take next."""
        horizon = now - self._lease
        for key in [k for k, due_at in self._tried.items() if due_at < horizon]:
            del self._tried[key]
        added = 0
        old: list[Occurrence] = []
        for occurrence in due:
            key = occurrence.id
            if key in self._upcoming or key in self._taking or key in self._finished:
                continue
            if occurrence.kind not in self._handlers:
                if occurrence.kind not in self._unhandled_warned:
                    self._unhandled_warned.add(occurrence.kind)
                    log.warning(
                        "no handler for timers of kind %r here; left to others", occurrence.kind
                    )
                continue
            if occurrence.due_at < horizon:
                old.append(occurrence)
            elif occurrence.id not in self._tried:
                self._expect(occurrence, 1)
                added += 1
        if not old:
            return added
        stale = await self._timers.finished_among(o.id for o in old)
        self._finished.update(dict.fromkeys(stale))
        old = [o for o in old if o.id not in stale]
        claims = await self._timers.latest_claims(o.id for o in old)
        for occurrence in old:
            claim = claims.get(occurrence.id)
            if claim is None:
                self._expect(occurrence, 1)
            elif claim.lease_until < now:  # its owner died or its handler failed
                self._expect(occurrence, claim.attempt + 1)
            else:
                continue
            added += 1
        return added

    def _expect(self, occurrence: Occurrence, attempt: int) -> None:
        if occurrence.id not in self._upcoming:
            heapq.heappush(self._heap, (occurrence.due_at, occurrence.id))
        self._upcoming[occurrence.id] = (occurrence, attempt)

    def _next_due(self) -> datetime | None:
        return _first(self._heap, self._upcoming)

    # --- firing ----------------------------------------------------------------------------

    async def _claim_ready(self, until: datetime, now: datetime) -> None:
        """Claim what is queued and due by `until`, earliest first, many per insert; what is
        won waits in `_claimed` for its due time, what is lost is another replica's."""
        # Held claims are bounded: a backlog is claimed as it is fired, so no lease runs out
        # on an occurrence still waiting its turn here.
        room = 2 * self._batch - len(self._claimed)
        ready = _pop_until(self._heap, self._upcoming, until, limit=room)
        if not ready:
            return
        horizon = now - self._lease
        fresh = {o.id: o.due_at for o, attempt in ready if attempt == 1 and o.due_at >= horizon}
        self._tried.update(fresh)
        pending = {o.id for o, _ in ready}
        self._taking |= pending
        try:
            for start in range(0, len(ready), self._batch):
                chunk = ready[start : start + self._batch]
                won = await self._timers.claim(
                    chunk, owner=self.owner, lease=self._lease, now=self._clock()
                )
                for occurrence, attempt in won:
                    heapq.heappush(self._claimed_heap, (occurrence.due_at, occurrence.id))
                    self._claimed[occurrence.id] = (occurrence, attempt)
                    pending.discard(occurrence.id)
                self._taking -= {o.id for o, _ in chunk} - self._claimed.keys()
                pending -= {o.id for o, _ in chunk}
        except BaseException:
            for key in pending:  # not claimed: let the next scan queue them again
                self._tried.pop(key, None)
            self._taking -= pending
            raise
        if self._claimed:
            self._armed.set()

    async def _fire_claimed(self, now: datetime, *, wait_for_store: bool = True) -> int:
        """Fire what this replica holds and is due by `now` (cancelled ones are recorded as
        such), store the results; returns how many results this call stored.

        The run loop does not wait for the results' insert (`wait_for_store=False`, returns
        0): a slow insert on a busy store would otherwise make the next due ones late."""
        stored = 0
        while ready := _pop_until(self._claimed_heap, self._claimed, now, limit=self._batch):
            # A batch at a time: its results are stored before the next is fired, so a crash
            # leaves at most a batch fired but unrecorded (fired again after the lease).
            try:
                cancelled = await self._timers.cancelled_since([o for o, _ in ready])
                finished = [
                    _result(o, "cancelled", a, self.owner, self._clock())
                    for o, a in ready
                    if o.id in cancelled
                ]
                results = await self._fire_all([(o, a) for o, a in ready if o.id not in cancelled])
            except BaseException:
                self._taking -= {o.id for o, _ in ready}
                raise
            storing = self._store_then_release([*results, *finished], {o.id for o, _ in ready})
            if wait_for_store:
                stored += await storing
                continue
            task = asyncio.create_task(storing)
            self._storing.add(task)
            task.add_done_callback(self._stored)
            if len(self._storing) > MAX_STORING:  # the store is behind: don't race ahead
                await asyncio.wait(list(self._storing), return_when=asyncio.FIRST_COMPLETED)
        return stored

    async def _store_then_release(self, results: Sequence[Finished], ids: set[str]) -> int:
        try:
            return await self._store(results)
        finally:
            self._taking -= ids

    def _stored(self, task: asyncio.Task[int]) -> None:
        self._storing.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.warning("storing timer results failed (retried after the lease): %r", exc)

    async def _fire_all(self, won: Sequence[tuple[Occurrence, int]]) -> list[Finished]:
        if not won:
            return []
        # A retry may race a slow replica that finished meanwhile (its lease ran out mid-
        # handler): look again for those. A first attempt has had no one before it.
        retries = [o.id for o, attempt in won if attempt > 1]
        finished = await self._timers.finished_among(retries) if retries else set()
        self._finished.update(dict.fromkeys(finished))
        results = await asyncio.gather(
            *(self._fire(o, attempt) for o, attempt in won if o.id not in finished)
        )
        return [r for r in results if r is not None]

    async def _fire(self, occurrence: Occurrence, attempt: int) -> Finished | None:
        handler = self._handlers[occurrence.kind]
        async with self._slots:
            try:
                await handler(occurrence.timer())
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if attempt >= self._max_attempts:
                    log.error(
                        "timer %s failed %d times, giving up: %r", occurrence.id, attempt, exc
                    )
                    return _result(
                        occurrence, "failed", attempt, self.owner, self._clock(), repr(exc)[:500]
                    )
                log.warning(
                    "timer %s failed (attempt %d), retried after the lease: %r",
                    occurrence.id,
                    attempt,
                    exc,
                )
                return None  # the claim's lease runs out, then attempt + 1
        return _result(occurrence, "fired", attempt, self.owner, self._clock())

    async def _store(self, results: Sequence[Finished]) -> int:
        if not results:
            return 0
        stored = set(await self._timers.finish(results))
        # Stored here or before: either way it is finished and leaves the pending set.
        self._finished.update(dict.fromkeys(r.occurrence for r in results))
        for result in results:
            if result.occurrence not in stored:
                if result.outcome != "cancelled":  # two replicas seeing one cancel is fine
                    log.warning(
                        "timer %s finished twice (a lease ran out mid-handler)", result.occurrence
                    )
                continue
            FIRED.labels(result.kind, result.outcome).inc()
            if result.outcome == "fired":
                LAG.labels(result.kind).observe(max(0.0, result.lag_seconds))
        return len(stored)

    async def _flush(self) -> None:
        """Drop what finished here from the pending set: one delete for the lot, since on
        FerretDB each delete costs a scan of the whole set however few it removes."""
        if not self._finished:
            return
        ids = list(self._finished)
        await self._timers.forget(ids)
        for key in ids:
            self._finished.pop(key, None)

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
                if self._storing:
                    await asyncio.wait(self._storing, timeout=5)
                await asyncio.wait_for(self._flush(), timeout=5)

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
                if await self._look(now + self._lookahead, now):
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
            upcoming = self._next_due()
            wait = self._poll
            if upcoming is not None:
                wait = (upcoming - self._clock()).total_seconds() - CLAIM_AHEAD_SECONDS
            await _pause(self._wake, wait, self._poll)

    async def _firing(self) -> None:
        """Fire what this replica holds when it is due, then sleep until the next one is (a
        tick at least, at most `poll_seconds`), or until something new is claimed."""
        while True:
            try:
                await self._fire_claimed(self._clock(), wait_for_store=False)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("timer firing failed: %r", exc)
            self._armed.clear()
            now = self._clock()
            held = _first(self._claimed_heap, self._claimed)
            upcoming = self._next_due()
            wait = self._poll if held is None else (held - now).total_seconds()
            idle = upcoming is None or (upcoming - now).total_seconds() > 1.0
            if self._finished and idle and wait > 1.0:
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
                await self._flush()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("dropping finished timers failed: %r", exc)
            pause = max(self._forget_every, 3 * (time.monotonic() - started))

    async def stats(self, workspace: str) -> TimerStats:
        return TimerStats.model_validate(await self._timers.counts(workspace, self._clock()))


def _result(
    occurrence: Occurrence,
    outcome: str,
    attempt: int,
    owner: str,
    at: datetime,
    error: str | None = None,
) -> Finished:
    return Finished.model_validate(
        {
            "occurrence": occurrence.id,
            "workspace": occurrence.workspace,
            "timer_id": occurrence.timer_id,
            "kind": occurrence.kind,
            "due_at": occurrence.due_at,
            "outcome": outcome,
            "attempt": attempt,
            "owner": owner,
            "at": at,
            "error": error,
        }
    )


def _first(
    heap: list[tuple[datetime, str]], entries: dict[str, tuple[Occurrence, int]]
) -> datetime | None:
    """The earliest due time in `heap` still in `entries` (others are dropped lazily)."""
    while heap and heap[0][1] not in entries:
        heapq.heappop(heap)
    return heap[0][0] if heap else None


def _pop_until(
    heap: list[tuple[datetime, str]],
    entries: dict[str, tuple[Occurrence, int]],
    until: datetime,
    *,
    limit: int | None = None,
) -> list[tuple[Occurrence, int]]:
    """Take out of `entries`, earliest first, what is due by `until` (at most `limit`)."""
    taken: list[tuple[Occurrence, int]] = []
    while (due_at := _first(heap, entries)) is not None and due_at <= until:
        if limit is not None and len(taken) >= limit:
            break
        _, key = heapq.heappop(heap)
        taken.append(entries.pop(key))
    return taken


async def _pause(event: asyncio.Event, wait: float, poll: float) -> None:
    """Sleep a tick at least, then until `wait` has passed (at most `poll`) or `event` is
    set: what falls due a few ms apart is handled together."""
    await asyncio.sleep(TICK_SECONDS)
    if wait > TICK_SECONDS:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout=min(poll, wait - TICK_SECONDS))
