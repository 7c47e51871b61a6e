"""Leadership of the projection: one folding process at a time, by leases in time slots.

Rollup documents are rewritten whole (read, add, replace): two writers would lose each
other's additions, and FerretDB has no atomic read-modify-write. So one process folds. Time is
cut into slots; the process that inserts a slot's lease (a unique key) leads during it. The
leader claims the next slot a quarter of a slot before its own ends, and the others only try
a quarter of a slot into a new one, so leadership stays with a live leader and passes within
about a slot when it dies. The leader stops starting work `margin` before its lease ends; a
process stalled longer than that (a frozen VM) is the case leases cannot cover.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from ensemble_insights.storage.progress import Leases


class Leadership:
    def __init__(
        self,
        leases: Leases,
        owner: str,
        *,
        slot_seconds: float = 60.0,
        margin_seconds: float = 15.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._leases = leases
        self.owner = owner
        self.slot_seconds = slot_seconds
        self._slot = slot_seconds
        self._margin = margin_seconds
        self._clock = clock
        self.held_until = 0.0
        self._purged = 0

    def holds(self) -> bool:
        """True while there is time left to start and finish a step under the lease."""
        return self._clock() < self.held_until - self._margin

    async def lead(self) -> bool:
        """Whether this process may fold now (claiming or extending its lease if due)."""
        now = self._clock()
        slot = int(now // self._slot)
        into = now - slot * self._slot
        if self.held_until >= (slot + 1) * self._slot:  # we hold the current slot
            if into >= self._slot * 0.75 and self.held_until < (slot + 2) * self._slot:
                await self._take(slot + 1)
            return self.holds()
        if into < self._slot / 4 and self.held_until < slot * self._slot:
            return False  # the holder of the last slot may be claiming this one
        return await self._take(slot) and self.holds()

    async def _take(self, slot: int) -> bool:
        if not await self._leases.take(slot, self.owner):
            return False
        self.held_until = max(self.held_until, (slot + 1) * self._slot)
        if slot - self._purged > 60:
            await self._leases.purge(slot - 10)
            self._purged = slot
        return True

    def resign(self) -> None:
        self.held_until = 0.0
