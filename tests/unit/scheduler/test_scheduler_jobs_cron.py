"""Cron validation and next runs in time zones, across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from ensemble_scheduler.models.jobs import JobIn, check_cron, next_run


@pytest.mark.parametrize(
    ("cron", "message"),
    [
        ("0 0 30 2 *", "never fires"),
        ("0 0 31 4 *", "never fires"),
        ("61 * * * *", "malformed"),
        ("a b c d e", "malformed"),
        ("* * *", "5 fields"),
        ("0 0 * * * *", "5 fields"),
    ],
)
def test_impossible_crons_are_refused(cron: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_cron(cron)


def test_a_job_names_the_field_at_fault() -> None:
    with pytest.raises(ValidationError) as bad_cron:
        JobIn(action="digest.daily", cron="0 0 30 2 *")
    assert bad_cron.value.errors()[0]["loc"] == ("cron",)
    with pytest.raises(ValidationError) as bad_zone:
        JobIn(action="digest.daily", cron="0 8 * * *", time_zone="Mars/Olympus")
    assert bad_zone.value.errors()[0]["loc"] == ("time_zone",)
    with pytest.raises(ValidationError) as extra:
        JobIn.model_validate({"action": "digest.daily", "cron": "0 8 * * *", "revision": "x"})
    assert extra.value.errors()[0]["loc"] == ("revision",)


def test_a_cron_is_wall_clock_time_in_its_zone_summer_and_winter() -> None:
    winter = next_run("0 8 * * *", "Europe/Paris", datetime(2026, 1, 10, 12, tzinfo=UTC))
    summer = next_run("0 8 * * *", "Europe/Paris", datetime(2026, 7, 10, 12, tzinfo=UTC))
    assert winter == datetime(2026, 1, 11, 7, tzinfo=UTC)
    assert summer == datetime(2026, 7, 11, 6, tzinfo=UTC)


def test_a_time_in_the_spring_forward_gap_moves_on_by_the_gap() -> None:
    # 2026-03-29 02:30 does not exist in Paris: it runs at 03:30 summer time (01:30 UTC).
    at = next_run("30 2 * * *", "Europe/Paris", datetime(2026, 3, 28, 12, tzinfo=UTC))
    assert at == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert next_run("30 2 * * *", "Europe/Paris", at) == datetime(2026, 3, 30, 0, 30, tzinfo=UTC)


def test_a_time_repeated_by_the_fall_back_runs_once() -> None:
    # 2026-10-25 02:30 happens twice in Paris; the job runs at the first, then the next day.
    first = next_run("30 2 * * *", "Europe/Paris", datetime(2026, 10, 24, 12, tzinfo=UTC))
    assert first == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert next_run("30 2 * * *", "Europe/Paris", first) == datetime(
        2026, 10, 26, 1, 30, tzinfo=UTC
    )


def test_hourly_runs_through_a_fall_back_are_strictly_increasing() -> None:
    at = datetime(2026, 10, 24, 22, 0, tzinfo=UTC)
    seen = []
    for _ in range(6):
        at = next_run("15 * * * *", "Europe/Paris", at)
        seen.append(at)
    assert seen == sorted(set(seen))
    assert seen[0] == datetime(2026, 10, 24, 22, 15, tzinfo=UTC)


def test_new_york_weekday_mornings() -> None:
    friday_noon = datetime(2026, 11, 6, 17, 0, tzinfo=UTC)  # Friday 12:00 in New York
    assert next_run("0 9 * * 1-5", "America/New_York", friday_noon) == datetime(
        2026, 11, 9, 14, 0, tzinfo=UTC
    )
