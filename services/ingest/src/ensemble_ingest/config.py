"""Ingest's settings (env prefix INGEST_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ensemble_shared.settings import ServiceSettings


class IngestSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INGEST_", extra="ignore")

    database: str = Field(default="ensemble_ingest", description="Ingest's own database.")
