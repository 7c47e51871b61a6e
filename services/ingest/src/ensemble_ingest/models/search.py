"""Inbox search: filters on mentions, validated, turned into a store query in one place."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from ensemble_ingest.models.mentions import InboxStatus


class MentionQuery(BaseModel):
    """Every filter is optional; together they narrow (AND)."""

    text: str | None = Field(default=None, max_length=200, description="Words in the text.")
    platform: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")
    sentiment: Literal["positive", "neutral", "negative"] | None = None
    priority: Literal["low", "normal", "high", "urgent"] | None = None
    tag: str | None = Field(default=None, max_length=100)
    status: InboxStatus | None = None
    assignee: str | None = Field(default=None, max_length=200)
    team: str | None = Field(default=None, max_length=200)
    kind: Literal["request", "feedback"] | None = None
    since: datetime | None = Field(default=None, description="Received at or after.")
    until: datetime | None = Field(default=None, description="Received before.")
    include_deleted: bool = False
    cursor: str | None = Field(default=None, max_length=200)

    def filters(self) -> dict[str, Any]:
        """Values go in as plain values, never as operators (no injection from input)."""
        query: dict[str, Any] = {}
        if self.text:
            query["text"] = {"$regex": re.escape(self.text), "$options": "i"}
        exact = {
            "platform": self.platform,
            "triage.sentiment": self.sentiment,
            "triage.priority": self.priority,
            "triage.tags": self.tag,
            "triage.kind": self.kind,
            "status": self.status,
            "assignee": self.assignee,
            "team": self.team,
        }
        query.update({k: v for k, v in exact.items() if v is not None})
        received: dict[str, datetime] = {}
        if self.since:
            received["$gte"] = self.since
        if self.until:
            received["$lt"] = self.until
        if received:
            query["received_at"] = received
        if not self.include_deleted:
            query["deleted_at"] = None
        return query
