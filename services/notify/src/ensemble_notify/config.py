"""Notify's settings (env prefix NOTIFY_)."""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from ensemble_shared.sealing import SealingFields
from ensemble_shared.settings import ServiceSettings
from ensemble_shared.smtp import SmtpFields


class NotifySettings(ServiceSettings, SmtpFields, SealingFields):
    model_config = SettingsConfigDict(env_prefix="NOTIFY_", extra="ignore")

    database: str = Field(default="ensemble_notify", description="Notify's own database.")
    secret_key: SecretStr = Field(
        min_length=32,
        description="Signs notify's own links (unsubscribe, inbox stream tickets) and seals "
        "the endpoints' signing secrets at rest; 32+ characters, held by notify alone; "
        "changing it voids the links already sent.",
    )
    max_attempts: int = Field(default=8, ge=1, description="Tries per delivery before it fails.")
    backoff_base_seconds: float = Field(default=2.0, gt=0, description="First retry delay.")
    backoff_max_seconds: float = Field(default=3600.0, gt=0, description="Longest retry delay.")
    request_timeout_seconds: float = Field(default=10.0, gt=0, description="Per HTTP attempt.")
    concurrency: int = Field(default=32, ge=1, description="Deliveries in flight per process.")
    backlog: int = Field(
        default=1000,
        ge=1,
        description="Deliveries started and not yet ended past which consuming waits.",
    )
    lease_seconds: float = Field(
        default=60.0,
        gt=0,
        description="After this, a claimed attempt whose owner vanished is retaken.",
    )
    sweep_interval_seconds: float = Field(
        default=5.0, gt=0, description="How often due or orphaned deliveries are looked for."
    )
    email_from: str = Field(
        default="Ensemble <notifications@ensemble.invalid>", description="From header."
    )
    message_id_domain: str = Field(
        default="ensemble.invalid", description="Right-hand side of our Message-IDs."
    )
    inbox_poll_seconds: float = Field(
        default=2.0,
        gt=0,
        description="Live inbox streams look for items written by other replicas this often.",
    )
    breaker_failure_threshold: int = Field(
        default=5, ge=1, description="Consecutive failures that open an endpoint's breaker."
    )
    breaker_window: int = Field(
        default=20, ge=1, description="Recent attempts the breaker's failure rate is taken over."
    )
    breaker_failure_rate: float = Field(
        default=0.5, gt=0, le=1, description="Failure share of the window that opens it."
    )
    breaker_min_calls: int = Field(
        default=10, ge=1, description="Attempts in the window before the rate counts."
    )
    breaker_cool_down_seconds: float = Field(
        default=30.0, gt=0, description="How long an open breaker holds deliveries back."
    )
    breaker_probe_lease_seconds: float = Field(
        default=30.0,
        gt=0,
        description="After this, a half-open probe whose replica died is retried.",
    )
    breaker_refresh_seconds: float = Field(
        default=1.0, gt=0, description="How stale a replica's view of a breaker may be."
    )
    inbox_max_streams_per_person: int = Field(
        default=5,
        ge=1,
        le=1000,
        description="Live inbox streams one person may hold open at once in one replica; "
        "beyond it 429.",
    )
    inbox_ping_seconds: int = Field(
        default=15, ge=1, description="Keep-alive comment interval on live inbox streams."
    )
    public_url: str = Field(
        default="http://localhost:8004",
        description="Notify's public base URL: one-click unsubscribe links point here.",
    )
    console_url: str = Field(
        default="http://127.0.0.1:8080",
        validation_alias=AliasChoices("ENSEMBLE_PUBLIC_URL", "console_url"),
        description="ENSEMBLE_PUBLIC_URL: where people open the console; the unsubscribe link "
        "in an email's text opens its page, <console_url>/hooks/unsubscribe/<token>.",
    )
    feedback_public_url: str | None = Field(
        default=None,
        description="Feedback's public base URL, joined to members' unsubscribe paths.",
    )
    digest_hour: int = Field(
        default=8,
        ge=0,
        le=23,
        description="Daily and weekly (Monday) digests go at this hour, "
        "in each person's time zone.",
    )
    digest_interval_seconds: float = Field(
        default=30.0, gt=0, description="How often held notifications are looked at for release."
    )
