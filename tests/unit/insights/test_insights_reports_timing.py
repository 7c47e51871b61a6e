"""When a weekly report is due, in the workspace's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from ensemble_insights.models.settings import ReportSettings, SettingsPut, WorkspaceSettings
from ensemble_insights.services.reports import due_at, week_of


def test_the_week_reported_is_the_last_complete_local_week() -> None:
    # Monday 00:30 in Paris is still Sunday in UTC
    moment = datetime(2026, 11, 1, 23, 30, tzinfo=UTC)
    assert week_of(moment, "Europe/Paris") == date(2026, 10, 26)
    assert week_of(moment, "UTC") == date(2026, 10, 19)


def test_it_goes_out_on_the_chosen_day_and_hour_in_the_zone() -> None:
    settings = WorkspaceSettings(
        workspace="acme",
        time_zone="Europe/Paris",
        report=ReportSettings(enabled=True, weekday=1, hour=9),
    )
    due = due_at(date(2026, 10, 19), settings)
    assert due.astimezone(UTC) == datetime(2026, 10, 27, 8, tzinfo=UTC)  # Tuesday, 09:00 CET


def test_settings_refuse_unknown_zones_priorities_and_absurd_slas() -> None:
    for body in (
        {"time_zone": "Mars/Olympus"},
        {"sla_seconds": {"critical": 3600}},
        {"sla_seconds": {"urgent": 5}},
    ):
        with pytest.raises(ValidationError):
            SettingsPut.model_validate(body)
    assert SettingsPut(sla_seconds={"urgent": 600}).sla_seconds["normal"] == 86400
