"""The console's settings (env prefix CONSOLE_, plus ENSEMBLE_PUBLIC_URL)."""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConsoleSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CONSOLE_", extra="ignore", populate_by_name=True)

    public_url: str = Field(
        default="http://127.0.0.1:8080",
        validation_alias=AliasChoices("ENSEMBLE_PUBLIC_URL", "public_url"),
        description="ENSEMBLE_PUBLIC_URL: where people open the console. An https:// address "
        "makes every cookie Secure and __Host- prefixed.",
    )
    secret: SecretStr = Field(
        min_length=32,
        description="Key of the CSRF tokens (HMAC); the same in every console replica.",
    )
    identity_url: str = Field(
        default="http://127.0.0.1:8005", description="Identity's API, server to server."
    )
    scheduler_url: str = Field(
        default="http://127.0.0.1:8003", description="Scheduler's API, server to server."
    )
    ingest_url: str = Field(
        default="http://127.0.0.1:8001", description="Ingest's API, server to server."
    )
    feedback_url: str = Field(
        default="http://127.0.0.1:8002", description="Feedback's API, server to server."
    )
    notify_url: str = Field(
        default="http://127.0.0.1:8004", description="Notify's API, server to server."
    )
    insights_url: str = Field(
        default="http://127.0.0.1:8006", description="Insights' API, server to server."
    )
    api_timeout_seconds: float = Field(
        default=15.0, gt=0, le=120, description="Upper bound of one call to an API."
    )
    token_cache_size: int = Field(
        default=10_000, ge=1, description="Access tokens kept in memory (per session, workspace)."
    )
    token_refresh_seconds: int = Field(
        default=60, ge=0, description="An access token is replaced this long before it expires."
    )
    log_level: str = Field(default="INFO", description="Python logging level name.")

    @property
    def secure(self) -> bool:
        """Served over TLS: cookies are Secure and __Host- prefixed."""
        return self.public_url.lower().startswith("https://")
