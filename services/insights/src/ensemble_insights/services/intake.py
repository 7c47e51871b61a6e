"""The consumers' side: each consumed batch becomes one staged insert, paced by the projection.

Staging never waits on folding, except when the projector reports a full round still waiting
behind it (a rebuild reads faster than it folds): then a batch waits, up to a minute, so the
staged collection — which every round's cleanup scans — stays a few rounds long.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from ensemble_insights.services.facts import facts_of
from ensemble_insights.services.metrics import STAGED
from ensemble_insights.storage.progress import Progress
from ensemble_insights.storage.staging import Staging
from ensemble_shared.events import Event

FRESH_SECONDS = 30.0


class Intake:
    def __init__(
        self,
        staging: Staging,
        progress: Progress,
        *,
        max_wait_seconds: float = 60.0,
        poll_seconds: float = 0.25,
    ) -> None:
        self._staging = staging
        self._progress = progress
        self._max_wait = max_wait_seconds
        self._poll = poll_seconds

    async def accept(self, events: Sequence[Event]) -> None:
        """Stage the facts of a consumed batch (idempotent; see `Staging`)."""
        facts = facts_of(events)
        if not facts:
            return
        await self._room()
        await self._staging.stage(facts)
        STAGED.inc(len(facts))

    async def _room(self) -> None:
        deadline = time.monotonic() + self._max_wait
        while time.monotonic() < deadline:
            progress = await self._progress.read()
            age = Progress.age(progress)
            if not progress.get("full") or age is None or age > FRESH_SECONDS:
                return
            await asyncio.sleep(self._poll)
