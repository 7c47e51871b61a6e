"""Feedback's settings (env prefix FEEDBACK_)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from ensemble_shared.settings import ServiceSettings


class FeedbackSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FEEDBACK_", extra="ignore")

    database: str = Field(default="ensemble_feedback", description="Feedback's own database.")
    secret_key: SecretStr = Field(
        min_length=32,
        description="Signs feedback's own links (unsubscribe, email verification); "
        "32+ characters, held by feedback alone; changing it voids the links already sent.",
    )

    # --- settings: moderation ---
    rate_limit_member_writes: str = Field(
        default="30/minute;300/hour",
        description="Public writes allowed per member (`limits` notation, `;` between limits).",
    )
    rate_limit_ip_writes: str = Field(
        default="120/minute;1000/hour",
        description="Public writes allowed per client address, all members behind it together.",
    )
    rate_limit_storage: str = Field(
        default="async+memory://",
        description="`limits` async storage URI; memory counts per replica (see ratelimits.py).",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Proxy addresses or networks whose X-Forwarded-For is believed (JSON list).",
    )
    moderation_auto_trust_after: int = Field(
        default=3,
        ge=0,
        description="Approved held items after which a new member becomes trusted (0: never).",
    )
    moderation_duplicate_window_seconds: int = Field(
        default=600, ge=1, description="The same text twice from a member within this is spam."
    )
