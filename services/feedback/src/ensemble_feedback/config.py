"""Feedback's settings (env prefix FEEDBACK_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ensemble_shared.settings import ServiceSettings


class FeedbackSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FEEDBACK_", extra="ignore")

    database: str = Field(default="ensemble_feedback", description="Feedback's own database.")
