"""When to retry a delivery and how long to wait: exponential backoff with jitter, Retry-After."""

from __future__ import annotations

import random
from dataclasses import dataclass

from ensemble_notify.models.deliveries import AttemptResult
from ensemble_shared.retries import Backoff

DEFAULT_BACKOFF = Backoff(base_seconds=2.0, max_seconds=3600.0)


@dataclass(frozen=True)
class Delivered:
    outcome = "delivered"


@dataclass(frozen=True)
class RetryIn:
    seconds: float
    outcome = "retry"


@dataclass(frozen=True)
class GiveUp:
    reason: str
    outcome = "failed"


Decision = Delivered | RetryIn | GiveUp


@dataclass(frozen=True)
class DeliveryPolicy:
    """Every non-2xx answer and every network error is retried (receivers recover from their
    own 4xx misconfigurations too), except 410 Gone and what the channel calls permanent (a
    refused address, a malformed chat payload), until `max_attempts` is spent."""

    max_attempts: int = 8
    backoff: Backoff = DEFAULT_BACKOFF

    def decide(
        self, attempt: int, result: AttemptResult, rng: random.Random | None = None
    ) -> Decision:
        if result.delivered:
            return Delivered()
        if result.status_code == 410:
            return GiveUp("the receiver answered 410 Gone")
        if result.permanent:
            return GiveUp(f"refused for good: {result.describe()}")
        if attempt >= self.max_attempts:
            return GiveUp(f"gave up after {attempt} attempts; last: {result.describe()}")
        delay = self.backoff.delay(attempt, rng)
        if result.retry_after is not None:
            delay = max(delay, min(result.retry_after, self.backoff.max_seconds))
        return RetryIn(delay)
