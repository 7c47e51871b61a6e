"""Settings read from the environment, one class per concern (pydantic-settings)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class KafkaSettings(BaseSettings):
    """How to reach Kafka and how to produce and consume (env prefix KAFKA_)."""

    model_config = SettingsConfigDict(env_prefix="KAFKA_", extra="ignore")

    bootstrap_servers: str = Field(
        default="127.0.0.1:9092", description="Comma-separated host:port list."
    )
    topic_prefix: str = Field(default="ensemble.", description="Prefix of every topic name.")
    replication_factor: int = Field(default=1, ge=1, description="For topics created at start.")
    linger_ms: int = Field(default=5, ge=0, description="Producer batching delay.")
    max_batch_size: int = Field(default=262_144, ge=16_384, description="Producer batch bytes.")
    compression_type: Literal["gzip", "snappy", "lz4", "zstd"] | None = Field(
        default=None, description="Producer compression; None sends uncompressed."
    )
    max_records: int = Field(default=500, ge=1, description="Records per consumed batch.")
    retry_attempts: int = Field(
        default=3, ge=1, description="Tries of a failing event before it is dead-lettered."
    )
    retry_backoff_seconds: float = Field(
        default=0.2, gt=0, description="First retry delay; doubles per try."
    )


class MongoSettings(BaseSettings):
    """How to reach the MongoDB-wire store (env prefix MONGODB_)."""

    model_config = SettingsConfigDict(env_prefix="MONGODB_", extra="ignore")

    url: str = Field(default="mongodb://127.0.0.1:27017", description="MongoDB connection URL.")
    timeout_ms: int = Field(default=5_000, ge=100, description="Server selection timeout.")


class AuthSettings(BaseSettings):
    """Bearer-token signing shared by every service (env prefix ENSEMBLE_AUTH_)."""

    model_config = SettingsConfigDict(env_prefix="ENSEMBLE_AUTH_", extra="ignore")

    secret: SecretStr = Field(
        min_length=32, description="HMAC key for HS256 tokens; the same in every service."
    )
    issuer: str = Field(default="ensemble", description="`iss` of minted tokens.")
    audience: str = Field(default="ensemble", description="`aud` of minted tokens.")


def api_root_path(service: str) -> str:
    """Where the front door serves a service's HTTP API: /api/<service>/ on the one origin."""
    return f"/api/{service}"


class HttpSettings(BaseSettings):
    """Limits applied to every HTTP API, and where it is served (env prefix ENSEMBLE_HTTP_)."""

    model_config = SettingsConfigDict(env_prefix="ENSEMBLE_HTTP_", extra="ignore")

    max_body_bytes: int = Field(default=1_048_576, ge=1_024, description="Larger bodies get 413.")
    root_path: str | None = Field(
        default=None,
        pattern=r"^(/[A-Za-z0-9._~-]+)*$",
        description="Path prefix the proxy serves this API under, stripped before it arrives "
        "(/docs and /openapi.json link through it); default /api/<service>, '' for none.",
    )

    def root_path_of(self, service: str) -> str:
        return api_root_path(service) if self.root_path is None else self.root_path


class OutboundSettings(BaseSettings):
    """Requests to URLs from outside (`ensemble_shared.outbound`)."""

    model_config = SettingsConfigDict(env_prefix="ENSEMBLE_", extra="ignore")

    allow_private_urls: bool = Field(
        default=False,
        description="Let outgoing requests reach loopback and private addresses (local "
        "development and tests only; metadata addresses stay refused).",
    )
    max_response_bytes: int = Field(
        default=5 * 1024 * 1024, ge=1024, description="Largest response body read from a URL."
    )


class ServiceSettings(BaseSettings):
    """What every service needs; each service subclasses it with its own env prefix."""

    model_config = SettingsConfigDict(extra="ignore")

    database: str = Field(description="This service's own MongoDB database.")
    log_level: str = Field(default="INFO", description="Python logging level name.")
    outbox_grace_seconds: float = Field(
        default=5.0, gt=0, description="Age at which the relay takes over unpublished events."
    )
    outbox_interval_seconds: float = Field(default=2.0, gt=0, description="Relay sweep period.")
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    mongo: MongoSettings = Field(default_factory=MongoSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    http: HttpSettings = Field(default_factory=HttpSettings)
    outbound: OutboundSettings = Field(default_factory=OutboundSettings)


class ServerSettings(BaseSettings):
    """Where the HTTP server listens (12-factor HOST and PORT)."""

    model_config = SettingsConfigDict(extra="ignore")

    host: str = Field(default="127.0.0.1", description="0.0.0.0 inside containers.")
    port: int = Field(default=8000, ge=1, le=65535)
