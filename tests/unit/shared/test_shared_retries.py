"""One backoff formula and one Retry-After reader for every service."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from ensemble_shared.retries import Backoff, retry_after_seconds

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def test_backoff_doubles_up_to_its_cap_with_half_of_it_random() -> None:
    backoff = Backoff(base_seconds=2, max_seconds=30)
    assert [backoff.ceiling(n) for n in (1, 2, 3, 4, 5, 6)] == [2, 4, 8, 16, 30, 30]
    rng = random.Random(7)
    for attempt in range(1, 200):
        ceiling = backoff.ceiling(attempt)
        assert ceiling / 2 <= backoff.delay(attempt, rng) <= ceiling


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 3 ", 3.0),
        ("1.5", 1.5),
        ("-4", 0.0),
        ("Sun, 06 Dec 2026 12:01:00 GMT", 60.0),
        ("Sun, 06 Dec 2026 11:00:00 GMT", 0.0),
        ("soon", None),
        ("", None),
        (None, None),
        ("nan", None),
        ("inf", None),
    ],
)
def test_retry_after_reads_seconds_and_dates(value: str | None, seconds: float | None) -> None:
    assert retry_after_seconds(value, now=NOW) == seconds
