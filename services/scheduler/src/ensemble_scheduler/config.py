"""Scheduler's settings (env prefix SCHEDULER_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ensemble_shared.settings import ServiceSettings


class SchedulerSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SCHEDULER_", extra="ignore")

    database: str = Field(default="ensemble_scheduler", description="Scheduler's own database.")
