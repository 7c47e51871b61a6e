"""What one replica holds in memory about timer occurrences, between the store and its loops.

The store is read ahead (the scan) and written by inserts only on the way to a firing, so the
replica keeps what it learned: what it will try to claim and when, what it won and must fire,
what it is taking right now, and what finished here but is still in the store's pending set.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import datetime

from ensemble_scheduler.models.timers import Occurrence


class DueQueue:
    """Occurrences by id, each with the attempt to make, taken out earliest due first.

    A heap orders the ids by due time; an id taken out (or replaced) leaves a stale heap
    entry behind, skipped when it comes up."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[Occurrence, int]] = {}
        self._heap: list[tuple[datetime, str]] = []

    def __contains__(self, key: str) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def put(self, occurrence: Occurrence, attempt: int) -> None:
        if occurrence.id not in self._entries:
            heapq.heappush(self._heap, (occurrence.due_at, occurrence.id))
        self._entries[occurrence.id] = (occurrence, attempt)

    def first(self) -> datetime | None:
        """The earliest due time queued (stale heap entries are dropped on the way)."""
        while self._heap and self._heap[0][1] not in self._entries:
            heapq.heappop(self._heap)
        return self._heap[0][0] if self._heap else None

    def pop_until(
        self, until: datetime, *, limit: int | None = None
    ) -> list[tuple[Occurrence, int]]:
        """Take out, earliest first, what is due by `until` (at most `limit`)."""
        taken: list[tuple[Occurrence, int]] = []
        while (due_at := self.first()) is not None and due_at <= until:
            if limit is not None and len(taken) >= limit:
                break
            _, key = heapq.heappop(self._heap)
            taken.append(self._entries.pop(key))
        return taken


@dataclass
class WorkingSet:
    upcoming: DueQueue = field(default_factory=DueQueue)
    """What the claiming loop will try, with the attempt to claim."""
    claimed: DueQueue = field(default_factory=DueQueue)
    """Won here, to fire at their due time."""
    tried: dict[str, datetime] = field(default_factory=dict)
    """Occurrences due less than a lease ago that this replica already tried to claim (won or
    lost), by due time: a look-ahead scan that meets them again leaves them alone. Once due
    longer than a lease ago they are judged by their claims and results, as after a crash."""
    taking: set[str] = field(default_factory=set)
    """Being claimed, held or fired here: a scan meanwhile does not queue them again."""
    finished: dict[str, None] = field(default_factory=dict)
    """Finished here (or found finished), still in the pending set: dropped in batches."""

    def known(self, key: str) -> bool:
        """Whether a scan that meets `key` should leave it alone: queued, in hand, or done."""
        return key in self.upcoming or key in self.taking or key in self.finished
