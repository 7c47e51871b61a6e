"""Circuit breakers per endpoint, shared by every replica through the transitions they insert.

Reading the state costs one indexed query per endpoint per `refresh` (cached in between);
writing it costs one insert per transition. Failures are tallied in memory by each replica,
so a healthy endpoint adds no store traffic at all.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ensemble_notify.models.breaker import (
    BreakerSettings,
    BreakerState,
    BreakerView,
    Gate,
    Pass,
    Tally,
    Transition,
    Wait,
    closed,
    gate,
    is_failure,
    opened,
    probing,
    trips,
)
from ensemble_notify.models.deliveries import AttemptResult
from ensemble_notify.storage.breaker import BreakerLog
from ensemble_shared.events import utcnow

log = logging.getLogger(__name__)


@dataclass
class _Cached:
    transition: Transition
    read_at: float  # monotonic


class Breakers:
    def __init__(
        self,
        transitions: BreakerLog,
        settings: BreakerSettings,
        *,
        owner: str,
        refresh_seconds: float = 1.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._log = transitions
        self._settings = settings
        self._owner = owner
        self._refresh = refresh_seconds
        self._clock = clock
        self._cache: dict[str, _Cached] = {}
        self._tallies: dict[str, Tally] = {}

    async def current(self, workspace: str, endpoint: str, *, fresh: bool = False) -> Transition:
        cached = self._cache.get(endpoint)
        if cached and not fresh and time.monotonic() - cached.read_at < self._refresh:
            return cached.transition
        found = await self._log.latest(endpoint)
        transition = found or Transition(endpoint=endpoint, workspace=workspace)
        self._remember(transition)
        return transition

    async def view(self, workspace: str, endpoint: str) -> BreakerView:
        return BreakerView.of(await self.current(workspace, endpoint, fresh=True))

    async def admit(self, workspace: str, endpoint: str) -> Gate:
        """May a delivery to this endpoint be sent now? Claims the probe when one is due."""
        current = await self.current(workspace, endpoint)
        now = self._clock()
        verdict = gate(current, now)
        if verdict is not BreakerState.HALF_OPEN:
            assert isinstance(verdict, Pass | Wait)
            return verdict
        trial = probing(current, now, self._settings, self._owner)
        if await self._log.append(trial):
            self._remember(trial)
            log.info("endpoint %s breaker half-open: probing", endpoint)
            return Pass(probe=True)
        # Another replica moved first: follow what it decided.
        current = await self.current(workspace, endpoint, fresh=True)
        verdict = gate(current, now)
        if isinstance(verdict, Pass | Wait):
            return verdict
        return Wait(now + self._settings.probe_lease)  # unreachable in practice; be safe

    async def record(
        self, workspace: str, endpoint: str, result: AttemptResult, *, probe: bool
    ) -> BreakerState | None:
        """Count an attempt's result; returns the new state when this call changed it."""
        failed = is_failure(result)
        current = await self.current(workspace, endpoint)
        now = self._clock()
        if probe:
            if current.state is not BreakerState.HALF_OPEN or current.by != self._owner:
                return None  # our probe's lease ran out and someone else decides now
            after = (
                opened(
                    current,
                    f"the probe failed: {result.describe()}",
                    now,
                    self._settings,
                    self._owner,
                )
                if failed
                else closed(current, now, self._owner)
            )
            return await self._move(after)
        if current.state is not BreakerState.CLOSED:
            return None  # sent before the breaker opened: already accounted for
        tally = self._tallies.setdefault(endpoint, Tally())
        tally.add(failed, self._settings.window)
        reason = trips(tally, self._settings)
        if reason is None:
            return None
        current = await self.current(workspace, endpoint, fresh=True)
        if current.state is not BreakerState.CLOSED:
            return None
        return await self._move(
            opened(
                current, f"{reason}; last: {result.describe()}", now, self._settings, self._owner
            )
        )

    async def _move(self, after: Transition) -> BreakerState | None:
        self._tallies.pop(after.endpoint, None)
        if not await self._log.append(after):
            await self.current(after.workspace, after.endpoint, fresh=True)
            return None
        self._remember(after)
        level = logging.WARNING if after.state is BreakerState.OPEN else logging.INFO
        log.log(level, "endpoint %s breaker %s: %s", after.endpoint, after.state, after.reason)
        return after.state

    def _remember(self, transition: Transition) -> None:
        cached = self._cache.get(transition.endpoint)
        if cached and cached.transition.seq > transition.seq:
            return
        self._cache[transition.endpoint] = _Cached(transition, time.monotonic())
