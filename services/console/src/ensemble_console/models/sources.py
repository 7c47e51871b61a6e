"""Ingest's sources and their raw payload archive, as the console's pages read them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class SourceHealth(Answer):
    """A pulled source's figures (webhook sources have none: the platform calls us)."""

    last_success_at: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    errors: int = 0
    items: int = 0
    lag_seconds: float | None = None
    rate_remaining: int | None = None
    paused_until: datetime | None = None


class Source(Answer):
    id: str
    name: str
    platform: str
    enabled: bool
    created_at: datetime
    webhook_path: str | None = None
    state: SourceHealth | None = None


class SourceCreated(Source):
    secret: str | None = None  # generic sources only, shown once


class RawPayload(Answer):
    id: str
    kind: str
    received_at: datetime
    body: str | None = None
    body_base64: bool = False
    item: dict[str, Any] | None = None


class RawEntry(Answer):
    payload: RawPayload
    status: str
    reason: str | None = None
    mention_ids: list[str] = []


class RawPage(Answer):
    items: list[RawEntry]
    next_cursor: str | None = None
