"""Inbox search: the filters a caller may combine, validated (the store query is built in
`storage.mentions`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from ensemble_ingest.models.mentions import InboxStatus
from ensemble_ingest.models.triage import MentionKind, Priority, Sentiment
from ensemble_shared.inputs import StorableDatetime


class MentionQuery(BaseModel):
    """Every filter is optional; together they narrow (AND)."""

    text: str | None = Field(default=None, max_length=200, description="Words in the text.")
    platform: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")
    sentiment: Sentiment | None = None
    priority: Priority | None = None
    tag: str | None = Field(default=None, max_length=100)
    status: InboxStatus | None = None
    assignee: str | None = Field(default=None, max_length=200)
    team: str | None = Field(default=None, max_length=200)
    kind: MentionKind | None = None
    since: StorableDatetime | None = Field(default=None, description="Received at or after.")
    until: StorableDatetime | None = Field(default=None, description="Received before.")
    include_deleted: bool = False


MentionOrder = Literal["newest", "oldest"]
"""The inbox's order by arrival: `oldest` puts the longest-waiting first (the SLA age, highest
first)."""
