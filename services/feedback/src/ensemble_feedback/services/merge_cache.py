"""Each workspace's member merges, folded from the merge log and kept per process.

`canonical()` runs on every vote, so each process keeps the folded merge log and re-reads only
the entries after the last one it has, at most once per `ttl` seconds (one indexed range query
that usually returns nothing). A merge made here refreshes this process at once (`fresh`);
other replicas see it within `ttl`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from ensemble_feedback.models.merges import MergeState
from ensemble_feedback.storage.merge_log import MergeLogRepository


@dataclass
class _Cached:
    state: MergeState
    checked: float


class MergeCache:
    """Per-workspace merge state, refreshed from the log at most every `ttl` seconds."""

    def __init__(
        self,
        merges: MergeLogRepository,
        *,
        ttl: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._merges = merges
        self._ttl = ttl
        self._clock = clock
        self._cached: dict[str, _Cached] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def state(self, workspace: str, *, fresh: bool = False) -> MergeState:
        cached = self._cached.get(workspace)
        if cached is not None and not fresh and self._clock() - cached.checked < self._ttl:
            return cached.state
        lock = self._locks.setdefault(workspace, asyncio.Lock())
        async with lock:  # one reader per workspace; the others wait and reuse its result
            cached = self._cached.get(workspace)
            asked = self._clock()
            if cached is not None and not fresh and asked - cached.checked < self._ttl:
                return cached.state
            state = cached.state if cached is not None else MergeState()
            state.apply(await self._merges.since(workspace, state.head))
            self._cached[workspace] = _Cached(state, asked)
            return state
