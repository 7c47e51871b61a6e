"""Insights' settings (env prefix INSIGHTS_)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from ensemble_shared.settings import ServiceSettings


class InsightsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INSIGHTS_", extra="ignore")

    database: str = Field(
        default="ensemble_insights",
        description="Settings, reports, the rollups read and the events counted (markers).",
    )
    secret_key: SecretStr = Field(
        min_length=32,
        description="Signs insights' own links (report charts); "
        "32+ characters, held by insights alone; changing it voids the links already sent.",
    )
    log_database: str = Field(
        default="ensemble_insights_log",
        description="Staged batches, journal and snapshots: a second database (a second "
        "SQLite file, hence a second writer, on FerretDB), so consumers staging batches and "
        "the projector claiming events do not queue behind each other.",
    )
    public_url: str = Field(
        default="http://localhost:8006",
        description="Insights' public base URL: chart links in report emails point here.",
    )
    batches_per_round: int = Field(
        default=40, ge=1, le=1000, description="Staged batches folded per round at most."
    )
    tracking_days: float = Field(
        default=30.0,
        gt=0,
        description="How long a mention, approval, post or in-app delivery is remembered "
        "after its last event (its later answers count as untracked).",
    )
    lease_seconds: float = Field(
        default=60.0, ge=10, description="Slot length of the projection's leadership lease."
    )
    snapshot_rounds: int = Field(
        default=50, ge=1, description="Rounds between snapshots of the projection's state."
    )
    snapshot_seconds: float = Field(
        default=300.0, gt=0, description="Longest time between snapshots (when folding)."
    )
    report_interval_seconds: float = Field(
        default=60.0, gt=0, description="How often due weekly reports are looked for."
    )
    generation_poll_seconds: float = Field(
        default=5.0, gt=0, description="How often a replica looks for a rebuild started elsewhere."
    )
    chart_link_days: int = Field(
        default=90, ge=1, le=365, description="Lifetime of chart links in report emails."
    )
    operator_workspaces: tuple[str, ...] = Field(
        default=(),
        description="Workspaces whose admins operate the deployment (JSON list): only they "
        "may rebuild the projection, which recomputes every workspace's figures, or read its "
        "status through the API. Empty: the CLI only.",
    )
