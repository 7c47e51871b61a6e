"""Quiet hours and digest periods on the person's wall clock, across DST changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ensemble_notify.models.digests import period
from ensemble_notify.models.preferences import QuietHours, quiet_until

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
NIGHT = QuietHours.model_validate({"start": "22:00", "end": "07:00"})


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_outside_quiet_hours_nothing_waits() -> None:
    assert quiet_until(utc(2026, 6, 1, 12), PARIS, NIGHT) is None
    assert quiet_until(utc(2026, 6, 1, 19, 59), PARIS, NIGHT) is None  # 21:59 CEST
    assert quiet_until(utc(2026, 6, 1, 12), PARIS, None) is None


def test_a_night_in_paris_ends_at_seven_local() -> None:
    assert quiet_until(utc(2026, 6, 1, 20, 0), PARIS, NIGHT) == utc(2026, 6, 2, 5, 0)
    assert quiet_until(utc(2026, 6, 2, 3, 0), PARIS, NIGHT) == utc(2026, 6, 2, 5, 0)
    assert quiet_until(utc(2026, 6, 2, 5, 0), PARIS, NIGHT) is None  # the end is not quiet


def test_the_spring_forward_night_in_paris_is_an_hour_shorter() -> None:
    # 2026-03-29 02:00 CET -> 03:00 CEST. 22:00 CET = 21:00 UTC; 07:00 CEST = 05:00 UTC.
    start = utc(2026, 3, 28, 21, 0)
    end = quiet_until(start, PARIS, NIGHT)
    assert end == utc(2026, 3, 29, 5, 0)
    assert end - start == timedelta(hours=8)
    assert quiet_until(start - timedelta(minutes=1), PARIS, NIGHT) is None
    assert quiet_until(utc(2026, 3, 29, 4, 59), PARIS, NIGHT) == end


def test_the_fall_back_night_in_new_york_is_an_hour_longer() -> None:
    # 2026-11-01 02:00 EDT -> 01:00 EST. 22:00 EDT = 02:00 UTC; 07:00 EST = 12:00 UTC.
    start = utc(2026, 11, 1, 2, 0)
    end = quiet_until(start, NEW_YORK, NIGHT)
    assert end == utc(2026, 11, 1, 12, 0)
    assert end - start == timedelta(hours=10)
    assert quiet_until(utc(2026, 11, 1, 6, 30), NEW_YORK, NIGHT) == end  # 01:30 EST, 2nd time


def test_a_window_ending_in_the_spring_gap_ends_just_after_the_jump() -> None:
    quiet = QuietHours.model_validate({"start": "01:00", "end": "02:30"})
    # 02:30 does not exist on 2026-03-29 in Paris: it reads as 02:30 CET = 01:30 UTC.
    assert quiet_until(utc(2026, 3, 29, 1, 15), PARIS, quiet) == utc(2026, 3, 29, 1, 30)


def test_a_window_ending_in_the_repeated_hour_ends_at_its_first_occurrence() -> None:
    quiet = QuietHours.model_validate({"start": "23:00", "end": "01:30"})
    assert quiet_until(utc(2026, 11, 1, 5, 0), NEW_YORK, quiet) == utc(2026, 11, 1, 5, 30)


def test_a_daytime_window_does_not_wrap() -> None:
    lunch = QuietHours.model_validate({"start": "12:00", "end": "13:30"})
    assert quiet_until(utc(2026, 1, 5, 17, 10), NEW_YORK, lunch) == utc(2026, 1, 5, 18, 30)
    assert quiet_until(utc(2026, 1, 5, 3, 0), NEW_YORK, lunch) is None


def test_equal_start_and_end_is_refused() -> None:
    with pytest.raises(ValueError, match="same time"):
        QuietHours.model_validate({"start": "07:00", "end": "07:00"})


def test_daily_periods_run_from_the_digest_hour_and_a_dst_day_has_23_hours() -> None:
    start, end = period("daily", utc(2026, 3, 29, 10), PARIS, 8)
    assert (start, end) == (utc(2026, 3, 29, 6), utc(2026, 3, 30, 6))
    start, end = period("daily", utc(2026, 3, 29, 5), PARIS, 8)  # 07:00 CEST: yesterday's
    assert (start, end) == (utc(2026, 3, 28, 7), utc(2026, 3, 29, 6))
    assert end - start == timedelta(hours=23)


def test_hourly_periods_tell_the_repeated_hour_apart() -> None:
    first = period("hourly", utc(2026, 11, 1, 5, 30), NEW_YORK)  # 01:30 EDT
    second = period("hourly", utc(2026, 11, 1, 6, 30), NEW_YORK)  # 01:30 EST
    assert first == (utc(2026, 11, 1, 5), utc(2026, 11, 1, 6))
    assert second == (utc(2026, 11, 1, 6), utc(2026, 11, 1, 7))


def test_weekly_periods_start_monday_at_the_digest_hour() -> None:
    assert period("weekly", utc(2026, 6, 3, 10), PARIS, 8) == (
        utc(2026, 6, 1, 6),
        utc(2026, 6, 8, 6),
    )
    before = period("weekly", utc(2026, 6, 1, 5), PARIS, 8)  # Monday 07:00 CEST
    assert before == (utc(2026, 5, 25, 6), utc(2026, 6, 1, 6))
