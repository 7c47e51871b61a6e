"""Scheduler's settings (env prefix SCHEDULER_)."""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from ensemble_shared.sealing import SealingFields
from ensemble_shared.settings import ServiceSettings


class SchedulerSettings(ServiceSettings, SealingFields):
    model_config = SettingsConfigDict(
        env_prefix="SCHEDULER_", extra="ignore", populate_by_name=True
    )

    database: str = Field(default="ensemble_scheduler", description="Scheduler's own database.")
    secret_key: SecretStr = Field(
        min_length=32,
        description="Signs scheduler's own links (approval decisions, calendar feeds) and seals "
        "the publishing accounts' tokens at rest; 32+ characters, held by scheduler alone; "
        "changing it voids the links already sent.",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8003",
        description="Base URL outsiders reach this service at (calendar feeds are built on it).",
    )
    console_url: str = Field(
        default="http://127.0.0.1:8080",
        validation_alias=AliasChoices("ENSEMBLE_PUBLIC_URL", "console_url"),
        description="ENSEMBLE_PUBLIC_URL: where people open the console; approval links point "
        "at its decision page, <console_url>/hooks/decisions/<token>.",
    )
    approval_link_ttl_hours: float = Field(
        default=72.0, gt=0, le=24 * 30, description="How long an external approval link works."
    )
    # --- settings: calendar and publishing ---
    calendar_feed_ttl_days: float = Field(
        default=365.0, gt=0, le=3 * 365, description="How long a signed .ics feed URL works."
    )
    publish_settle_seconds: float = Field(
        default=120.0,
        ge=0,
        le=24 * 3600,
        description=(
            "How old an attempt with an unknown outcome must be before a platform's 'no such "
            "post' lets a new attempt publish (the first request may still be in flight)."
        ),
    )
    crisis_teams: tuple[str, ...] = Field(
        default=("communication", "legal"),
        min_length=1,
        description="Teams whose approval (all of them) releases a crisis hold.",
    )
    answer_language: str = Field(
        default="en",
        pattern=r"^(fr|en)$",
        description="Language tried first for answer templates (then en, then fr).",
    )
    publish_http_timeout_seconds: float = Field(
        default=30.0, gt=0, le=300, description="Upper bound of any outbound publishing call."
    )

    # --- settings: timers, deadlines, jobs ---
    timer_poll_seconds: float = Field(
        default=1.0, gt=0, le=60, description="Longest wait between two looks for due timers."
    )
    timer_lease_seconds: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description="How long a claimed timer is held; then (a crash) another replica fires it.",
    )
    timer_batch: int = Field(default=200, ge=1, le=1000, description="Timers claimed per insert.")
    timer_concurrency: int = Field(
        default=32, ge=1, le=1000, description="Timer handlers run at once per replica."
    )
    timer_max_attempts: int = Field(
        default=5, ge=1, le=100, description="Tries of a failing timer before it is given up."
    )
