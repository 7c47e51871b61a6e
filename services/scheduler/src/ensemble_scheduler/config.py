"""Scheduler's settings (env prefix SCHEDULER_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ensemble_shared.settings import ServiceSettings


class SchedulerSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SCHEDULER_", extra="ignore")

    database: str = Field(default="ensemble_scheduler", description="Scheduler's own database.")
    public_url: str = Field(
        default="http://127.0.0.1:8003",
        description="Base URL outsiders reach this service at (approval links are built on it).",
    )
    approval_link_ttl_hours: float = Field(
        default=72.0, gt=0, le=24 * 30, description="How long an external approval link works."
    )
