"""The lockout rule: locked while `limit` failures fall within the window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ensemble_identity.services.throttle import locked_for

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
WINDOW = timedelta(minutes=15)


def ago(*minutes: float) -> list[datetime]:
    return [NOW - timedelta(minutes=m) for m in minutes]


def test_fewer_failures_than_the_limit_lock_nothing() -> None:
    assert locked_for(ago(1, 2, 3, 4), NOW, limit=5, window=WINDOW) is None


def test_the_limit_locks_until_the_oldest_counting_failure_ages_out() -> None:
    assert locked_for(ago(1, 2, 3, 4, 10), NOW, limit=5, window=WINDOW) == 5 * 60


def test_failures_outside_the_window_do_not_count() -> None:
    assert locked_for(ago(1, 2, 3, 4, 16, 20), NOW, limit=5, window=WINDOW) is None


def test_more_failures_keep_it_locked_longer() -> None:
    # Seven recent failures: it opens when three of them have aged out (the 3rd oldest).
    assert locked_for(ago(1, 2, 3, 4, 6, 8, 10), NOW, limit=5, window=WINDOW) == 9 * 60
