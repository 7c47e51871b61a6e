"""Reads are bounded per person: a moving window per principal (workspace and subject) on every
authenticated read, so one token cannot page through a workspace as fast as the store answers.

The windows live in memory, per replica: with N replicas behind the proxy a client reads up to
N times the limit. The `limits` storage expires idle keys, so memory stays bounded by the
people active within the longest window.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter
from prometheus_client import Counter

from ensemble_shared.auth import Principal
from ensemble_shared.errors import TooManyRequests

READS_REFUSED = Counter(
    "ensemble_reads_refused_total", "Authenticated reads refused by the per-person read limit."
)


def parse_limits(value: str) -> list[RateLimitItem]:
    """`"100/second;3000/minute"` as limit items; blank means no limit. ValueError otherwise."""
    return parse_many(value) if value.strip() else []


class ReadLimiter:
    """One per process; `check` counts a read by `principal` or raises TooManyRequests (429)."""

    def __init__(self, limits: str) -> None:
        self._items = parse_limits(limits)
        self._strategy = MovingWindowRateLimiter(MemoryStorage())

    async def check(self, principal: Principal) -> None:
        for item in self._items:
            key = (principal.workspace, principal.subject)
            if not await self._strategy.hit(item, "reads", *key):
                stats = await self._strategy.get_window_stats(item, "reads", *key)
                wait = max(1, math.ceil(stats.reset_time - time.time()))
                READS_REFUSED.inc()
                raise TooManyRequests(
                    f"too many reads: at most {item.amount} per {item.get_expiry()} s for one "
                    f"person; retry in {wait} s",
                    retry_after=wait,
                )
