"""Firing claimed timer occurrences and recording how each ended.

A batch at a time: its handlers run (bounded concurrency), then its results are inserted once
per occurrence, so a crash leaves at most a batch fired but unrecorded (fired again after the
lease: handlers are idempotent). A handler that raises is retried after the lease, up to
`max_attempts`, then recorded as failed. Finished occurrences leave the pending set in batches,
since on FerretDB each delete costs a scan of the whole set however few it removes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from prometheus_client import Counter, Histogram

from ensemble_scheduler.models.timers import Finished, Occurrence, TimerHandler
from ensemble_scheduler.services.timer_working_set import WorkingSet
from ensemble_scheduler.storage.timers import TimerRepository

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
# Result inserts the run loop lets run behind its firing before it waits for one.
MAX_STORING = 8


class TimerFirer:
    def __init__(
        self,
        timers: TimerRepository,
        work: WorkingSet,
        handlers: Mapping[str, TimerHandler],
        *,
        owner: str,
        batch: int,
        concurrency: int,
        max_attempts: int,
        clock: Callable[[], datetime],
    ) -> None:
        self._timers = timers
        self._work = work
        self._handlers = handlers
        self._owner = owner
        self._batch = batch
        self._slots = asyncio.Semaphore(concurrency)
        self._max_attempts = max_attempts
        self._clock = clock
        self._storing: set[asyncio.Task[int]] = set()  # results being inserted (run loop)

    async def fire_claimed(self, now: datetime, *, wait_for_store: bool = True) -> int:
        """Fire what this replica holds and is due by `now` (cancelled ones are recorded as
        such), store the results; returns how many results this call stored.

        The run loop does not wait for the results' insert (`wait_for_store=False`, returns
        0): a slow insert on a busy store would otherwise make the next due ones late."""
        work = self._work
        stored = 0
        while ready := work.claimed.pop_until(now, limit=self._batch):
            # A batch at a time: its results are stored before the next is fired, so a crash
            # leaves at most a batch fired but unrecorded (fired again after the lease).
            try:
                cancelled = await self._timers.cancelled_since([o for o, _ in ready])
                finished = [self._result(o, "cancelled", a) for o, a in ready if o.id in cancelled]
                results = await self._fire_all([(o, a) for o, a in ready if o.id not in cancelled])
            except BaseException:
                work.taking -= {o.id for o, _ in ready}
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

    async def drain(self, *, within: float) -> None:
        """Wait up to `within` seconds for the results still being inserted: on the way out."""
        if self._storing:
            await asyncio.wait(self._storing, timeout=within)

    async def _store_then_release(self, results: Sequence[Finished], ids: set[str]) -> int:
        try:
            return await self._store(results)
        finally:
            self._work.taking -= ids

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
        self._work.finished.update(dict.fromkeys(finished))
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
                    return self._result(occurrence, "failed", attempt, repr(exc)[:500])
                log.warning(
                    "timer %s failed (attempt %d), retried after the lease: %r",
                    occurrence.id,
                    attempt,
                    exc,
                )
                return None  # the claim's lease runs out, then attempt + 1
        return self._result(occurrence, "fired", attempt)

    async def _store(self, results: Sequence[Finished]) -> int:
        if not results:
            return 0
        stored = set(await self._timers.finish(results))
        # Stored here or before: either way it is finished and leaves the pending set.
        self._work.finished.update(dict.fromkeys(r.occurrence for r in results))
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

    async def flush(self) -> None:
        """Drop what finished here from the pending set: one delete for the lot."""
        finished = self._work.finished
        if not finished:
            return
        ids = list(finished)
        await self._timers.forget(ids)
        for key in ids:
            finished.pop(key, None)

    def _result(
        self, occurrence: Occurrence, outcome: str, attempt: int, error: str | None = None
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
                "owner": self._owner,
                "at": self._clock(),
                "error": error,
            }
        )
