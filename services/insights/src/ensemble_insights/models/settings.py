"""A workspace's insights settings: its time zone, SLAs, and who gets the weekly report."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ensemble_shared.events import utcnow
from ensemble_shared.inputs import time_zone

DEFAULT_SLA_SECONDS: dict[str, int] = {
    "urgent": 3600,
    "high": 4 * 3600,
    "normal": 24 * 3600,
    "low": 72 * 3600,
}


def zone(name: str) -> ZoneInfo:
    """The IANA zone named `name`; ValueError for an unknown name."""
    return time_zone(name)


class ReportSettings(BaseModel):
    """When the weekly report goes out, and to whom (people, teams, roles in notify)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = Field(default=False, description="Send a weekly report.")
    weekday: int = Field(default=0, ge=0, le=6, description="0 = Monday, in the time zone.")
    hour: int = Field(default=8, ge=0, le=23, description="Local hour it goes out.")
    people: tuple[str, ...] = Field(default=(), max_length=100)
    teams: tuple[str, ...] = Field(default=(), max_length=50)
    roles: tuple[str, ...] = Field(default=("manager",), max_length=10)


class SettingsPut(BaseModel):
    """What an admin sets; every field has a default."""

    model_config = ConfigDict(extra="forbid")

    time_zone: str = Field(
        default="UTC",
        description="IANA zone days and hours are counted in. Changing it re-derives the "
        "daily figures from the stored quarter-hours: no rebuild.",
    )
    sla_seconds: dict[str, int] = Field(
        default_factory=lambda: dict(DEFAULT_SLA_SECONDS),
        description="First-reply SLA in seconds per mention priority (low, normal, high, "
        "urgent); applies to mentions arriving after the change.",
    )
    on_time_seconds: int = Field(
        default=300, ge=0, le=86400, description="A publication this late is still on time."
    )
    share_of_voice_tags: tuple[str, ...] = Field(
        default=(),
        max_length=50,
        description="Tags compared in share of voice (the brands or topics tracked); "
        "empty: every tag.",
    )
    report: ReportSettings = Field(default_factory=ReportSettings)

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        zone(value)
        return value

    @field_validator("sla_seconds")
    @classmethod
    def _sla(cls, value: dict[str, int]) -> dict[str, int]:
        unknown = set(value) - set(DEFAULT_SLA_SECONDS)
        if unknown:
            raise ValueError(f"unknown priorities {sorted(unknown)}: low, normal, high, urgent")
        if any(seconds < 60 or seconds > 90 * 86400 for seconds in value.values()):
            raise ValueError("an SLA is between 60 seconds and 90 days")
        return {**DEFAULT_SLA_SECONDS, **value}


class WorkspaceSettings(SettingsPut):
    """The settings as stored: the workspace's, with when they last changed."""

    workspace: str
    version: int = 0
    updated_at: datetime = Field(default_factory=utcnow)

    @classmethod
    def default(cls, workspace: str) -> WorkspaceSettings:
        return cls(workspace=workspace)

    def sla_for(self, priority: str | None) -> int:
        return int(self.sla_seconds.get(priority or "normal", DEFAULT_SLA_SECONDS["normal"]))
