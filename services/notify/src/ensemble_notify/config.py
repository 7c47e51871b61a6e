"""Notify's settings (env prefix NOTIFY_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ensemble_shared.settings import ServiceSettings


class NotifySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFY_", extra="ignore")

    database: str = Field(default="ensemble_notify", description="Notify's own database.")
    max_attempts: int = Field(default=8, ge=1, description="Tries per delivery before it fails.")
    backoff_base_seconds: float = Field(default=2.0, gt=0, description="First retry delay.")
    backoff_max_seconds: float = Field(default=3600.0, gt=0, description="Longest retry delay.")
    request_timeout_seconds: float = Field(default=10.0, gt=0, description="Per HTTP attempt.")
    concurrency: int = Field(default=32, ge=1, description="Deliveries in flight per process.")
    lease_seconds: float = Field(
        default=60.0,
        gt=0,
        description="After this, a claimed attempt whose owner vanished is retaken.",
    )
    sweep_interval_seconds: float = Field(
        default=5.0, gt=0, description="How often due or orphaned deliveries are looked for."
    )
