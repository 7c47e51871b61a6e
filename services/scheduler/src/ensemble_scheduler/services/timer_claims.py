"""Taking timer occurrences: reading the pending set ahead, and claiming attempts with leases.

An occurrence's attempt N is claimed by a unique-key insert, many per round trip, just ahead
of its due time; the lease counts from the due time. A claim whose lease ran out without a
result (its owner died, or its handler failed) makes attempt N+1 claimable by any replica.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta

from ensemble_scheduler.models.timers import Occurrence, TimerHandler
from ensemble_scheduler.services.timer_working_set import WorkingSet
from ensemble_scheduler.storage.timers import TimerRepository

log = logging.getLogger(__name__)


class TimerClaims:
    def __init__(
        self,
        timers: TimerRepository,
        work: WorkingSet,
        handlers: Mapping[str, TimerHandler],
        *,
        owner: str,
        lease: timedelta,
        batch: int,
        scan_limit: int,
        clock: Callable[[], datetime],
    ) -> None:
        self._timers = timers
        self._work = work
        self._handlers = handlers
        self._owner = owner
        self._lease = lease
        self._batch = batch
        self._scan_limit = scan_limit
        self._clock = clock
        self._unhandled_warned: set[str] = set()

    def expect(self, occurrence: Occurrence, attempt: int) -> None:
        """Queue `attempt` of `occurrence` for claiming at its due time."""
        self._work.upcoming.put(occurrence, attempt)

    # --- reading ahead ---------------------------------------------------------------------

    async def look(self, until: datetime, now: datetime) -> int:
        """Read the pending set up to `until` into the queue; returns how many were added.

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
        work = self._work
        horizon = now - self._lease
        for key in [k for k, due_at in work.tried.items() if due_at < horizon]:
            del work.tried[key]
        added = 0
        old: list[Occurrence] = []
        for occurrence in due:
            if work.known(occurrence.id):
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
            elif occurrence.id not in work.tried:
                self.expect(occurrence, 1)
                added += 1
        if not old:
            return added
        stale = await self._timers.finished_among(o.id for o in old)
        work.finished.update(dict.fromkeys(stale))
        old = [o for o in old if o.id not in stale]
        claims = await self._timers.latest_claims(o.id for o in old)
        for occurrence in old:
            claim = claims.get(occurrence.id)
            if claim is None:
                self.expect(occurrence, 1)
            elif claim.lease_until < now:  # its owner died or its handler failed
                self.expect(occurrence, claim.attempt + 1)
            else:
                continue
            added += 1
        return added

    # --- claiming --------------------------------------------------------------------------

    async def claim_ready(self, until: datetime, now: datetime) -> bool:
        """Claim what is queued and due by `until`, earliest first, many per insert; what is
        won waits in `claimed` for its due time, what is lost is another replica's. False
        when nothing was due to claim."""
        work = self._work
        # Held claims are bounded: a backlog is claimed as it is fired, so no lease runs out
        # on an occurrence still waiting its turn here.
        room = 2 * self._batch - len(work.claimed)
        ready = work.upcoming.pop_until(until, limit=room)
        if not ready:
            return False
        horizon = now - self._lease
        fresh = {o.id: o.due_at for o, attempt in ready if attempt == 1 and o.due_at >= horizon}
        work.tried.update(fresh)
        pending = {o.id for o, _ in ready}
        work.taking |= pending
        try:
            for start in range(0, len(ready), self._batch):
                chunk = ready[start : start + self._batch]
                won = await self._timers.claim(
                    chunk, owner=self._owner, lease=self._lease, now=self._clock()
                )
                for occurrence, attempt in won:
                    work.claimed.put(occurrence, attempt)
                    pending.discard(occurrence.id)
                work.taking -= {o.id for o, _ in chunk if o.id not in work.claimed}
                pending -= {o.id for o, _ in chunk}
        except BaseException:
            for key in pending:  # not claimed: let the next scan queue them again
                work.tried.pop(key, None)
            work.taking -= pending
            raise
        return True
