"""Ingest's settings (env prefix INGEST_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ensemble_shared.settings import ServiceSettings


class IngestSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INGEST_", extra="ignore")

    database: str = Field(default="ensemble_ingest", description="Ingest's own database.")
    outbox_grace_seconds: float = Field(
        default=5.0, gt=0, description="Age at which the relay takes over unpublished events."
    )
    outbox_interval_seconds: float = Field(default=2.0, gt=0, description="Relay sweep period.")
