"""Scheduler's settings (env prefix SCHEDULER_)."""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from ensemble_scheduler.models.oauth import PROVIDERS, OAuthClient
from ensemble_shared.sealing import SealingFields
from ensemble_shared.settings import ServiceSettings


class OAuthClientSettings(BaseSettings):
    """One platform's OAuth client: `SCHEDULER_OAUTH_<PLATFORM>_CLIENT_ID` and so on (X,
    LINKEDIN, YOUTUBE, FACEBOOK, INSTAGRAM, SLACK, GITHUB). Blank URLs and scopes are the
    platform's documented ones (`models/oauth.py`)."""

    model_config = SettingsConfigDict(extra="ignore")

    client_id: str = Field(default="", description="Blank: the platform offers no Connect.")
    client_secret: SecretStr = Field(default=SecretStr(""))
    authorize_url: str = Field(default="", description="Where the browser is sent.")
    token_url: str = Field(default="", description="Where codes and refresh tokens go.")
    scopes: str = Field(default="", description="As the platform writes them.")

    def client(self, platform: str) -> OAuthClient:
        provider = PROVIDERS[platform]
        return OAuthClient(
            platform=platform,
            provider=provider,
            client_id=self.client_id,
            client_secret=self.client_secret.get_secret_value(),
            authorize_url=self.authorize_url or provider.authorize_url,
            token_url=self.token_url or provider.token_url,
            scopes=self.scopes or provider.scopes,
        )


def oauth_from_env() -> dict[str, OAuthClientSettings]:
    """The platforms whose client id is set in the environment."""
    found = {
        platform: OAuthClientSettings(_env_prefix=f"SCHEDULER_OAUTH_{platform.upper()}_")
        for platform in PROVIDERS
    }
    return {platform: client for platform, client in found.items() if client.client_id}


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
    oauth: dict[str, OAuthClientSettings] = Field(
        default_factory=oauth_from_env,
        description="OAuth clients by platform, from SCHEDULER_OAUTH_<PLATFORM>_CLIENT_ID, "
        "_CLIENT_SECRET, _AUTHORIZE_URL, _TOKEN_URL, _SCOPES.",
    )
    oauth_connect_minutes: float = Field(
        default=10.0, gt=0, le=60, description="How long a started connection may take."
    )
    oauth_refresh_margin_seconds: float = Field(
        default=300.0,
        ge=0,
        le=3600,
        description="A token expiring within this is refreshed before a connector uses it.",
    )
    oauth_sweep_seconds: float = Field(
        default=3600.0, gt=0, description="How often idle connected accounts are looked at."
    )
    oauth_idle_refresh_days: float = Field(
        default=7.0,
        gt=0,
        description="A connected account unchanged this long is refreshed by the sweep, so "
        "platforms that expire unused refresh tokens (Google, GitHub, X) never see it idle.",
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
