"""Ingest's settings (env prefix INGEST_)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from ensemble_shared.sealing import SealingFields
from ensemble_shared.settings import ServiceSettings


class IngestSettings(ServiceSettings, SealingFields):
    model_config = SettingsConfigDict(env_prefix="INGEST_", extra="ignore")

    database: str = Field(default="ensemble_ingest", description="Ingest's own database.")
    secret_key: SecretStr = Field(
        min_length=32,
        description="Ingest's own key (32+ characters): the platforms' secrets and tokens its "
        "sources hold are sealed at rest with a key derived from it (or INGEST_SEALING_KEYS).",
    )
    redrive_after_seconds: float = Field(
        default=60.0, gt=0, description="Raw payloads pending this long are processed again."
    )
    redrive_interval_seconds: float = Field(default=15.0, gt=0, description="Re-drive period.")
    pull_lease_seconds: float = Field(
        default=60.0,
        gt=0,
        description="How long a replica holds a pulled source before re-competing.",
    )
    pull_scan_seconds: float = Field(
        default=5.0, gt=0, description="How often sources are taken up."
    )
    poll_interval_seconds: float = Field(
        default=30.0, gt=0, description="Wait between polls of a source with nothing more to read."
    )
    spike_bucket_seconds: int = Field(default=300, ge=10, description="Spike detection bucket.")
    spike_window: int = Field(default=12, ge=3, description="Buckets of history compared against.")
    spike_k: float = Field(default=3.0, gt=0, description="Spike when count > mean + k * sigma.")
    spike_min_count: int = Field(default=10, ge=1, description="Smaller bursts are never spikes.")
    triage_cache_seconds: float = Field(
        default=15.0, ge=0, description="How long compiled triage rules are reused per workspace."
    )
