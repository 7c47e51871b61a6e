"""How long to wait before trying again: one backoff formula and one Retry-After reader."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


@dataclass(frozen=True)
class Backoff:
    """Exponential delays with 'equal jitter': half of each delay fixed, half random, so the
    retries of many clients spread out instead of arriving together."""

    base_seconds: float = 1.0
    max_seconds: float = 60.0

    def ceiling(self, attempt: int) -> float:
        """The delay before jitter after failed attempt number `attempt` (1-based)."""
        exponent = min(max(attempt, 1) - 1, 64)
        return min(self.max_seconds, self.base_seconds * 2.0**exponent)

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        ceiling = self.ceiling(attempt)
        return ceiling / 2 + (rng or random).uniform(0, ceiling / 2)


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """An HTTP Retry-After value (delta-seconds or an HTTP date) in seconds from `now`;
    None when absent or unreadable. A date in the past means 0."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
