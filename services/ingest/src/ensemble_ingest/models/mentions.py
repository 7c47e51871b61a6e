"""A canonical mention, and the generic webhook payload that brings one in."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ensemble_shared.events import Author, MentionData, TriageData, utcnow
from ensemble_shared.inputs import StorableDatetime, WebUrl

_MENTION_NAMESPACE = uuid.UUID("8f6f3d0e-5c1a-4c55-9a43-3c1f2f0b7a11")

PlatformName = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$", examples=["mastodon", "forum"])


def mention_id(workspace: str, platform: str, external_id: str) -> str:
    """Deterministic id from the natural key, so a repeat maps to the same mention."""
    return str(uuid.uuid5(_MENTION_NAMESPACE, f"{workspace}\x1f{platform}\x1f{external_id}"))


class IncomingMention(BaseModel):
    """A mention as a generic source sends it."""

    model_config = ConfigDict(extra="ignore")

    platform: str = PlatformName
    external_id: str = Field(min_length=1, max_length=256)
    url: WebUrl | None = None
    author: Author
    text: str = Field(max_length=40_000)
    language: str | None = Field(default=None, pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
    created_at: datetime
    in_reply_to: str | None = Field(default=None, max_length=256)
    thread_id: str | None = Field(default=None, max_length=256, description="The thread's root.")
    media: list[WebUrl] = Field(default_factory=list, max_length=20, description="Attachments.")
    revised_at: StorableDatetime | None = Field(
        default=None,
        description=(
            "The platform's own time of this version (its edit time; the creation time when "
            "absent). A version older than the stored one never replaces it, so a replayed "
            "payload cannot revert an edit."
        ),
    )

    def version_time(self) -> datetime:
        return self.revised_at or self.created_at


class GenericWebhook(BaseModel):
    """Body of a generic Standard Webhooks delivery (`POST /webhooks/generic/{source_id}`)."""

    model_config = ConfigDict(extra="ignore")

    type: Literal["mention.created"]
    timestamp: datetime
    data: IncomingMention


InboxStatus = Literal["new", "assigned", "replied", "closed"]


class Mention(BaseModel):
    """A stored mention: unique per (workspace, platform, external id)."""

    id: str
    workspace: str
    platform: str
    external_id: str
    url: WebUrl | None = None
    author: Author
    text: str
    language: str | None = Field(default=None, description="As the platform declared it.")
    created_at: datetime
    in_reply_to: str | None = None
    thread_id: str | None = None
    media: list[WebUrl] = Field(default_factory=list)
    source_id: str | None = None
    raw_id: str | None = Field(default=None, description="The archived payload it came from.")
    received_at: datetime = Field(default_factory=utcnow)
    triage: TriageData = Field(default_factory=TriageData)
    status: InboxStatus = "new"
    assignee: str | None = None
    team: str | None = None
    version: int = 1
    revised_at: datetime | None = Field(
        default=None, description="The platform's time of the stored version, when it gives one."
    )
    edited_at: datetime | None = None
    deleted_at: datetime | None = None

    @classmethod
    def from_incoming(
        cls, workspace: str, source_id: str, incoming: IncomingMention, *, raw_id: str | None = None
    ) -> Mention:
        return cls(
            id=mention_id(workspace, incoming.platform, incoming.external_id),
            workspace=workspace,
            source_id=source_id,
            raw_id=raw_id,
            **incoming.model_dump(),
        )

    def version_time(self) -> datetime:
        """When the platform says this version was written: edits compare it, never arrival."""
        return self.revised_at or self.created_at

    def content_key(self) -> str:
        """What an edit changes; equal keys mean a repeat, not an edit."""
        content = self.model_dump(mode="json", include=_CONTENT)
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()

    def event_data(self) -> MentionData:
        return MentionData(
            mention_id=self.id,
            platform=self.platform,
            external_id=self.external_id,
            url=self.url,
            author=self.author,
            text=self.text,
            language=self.language,
            created_at=self.created_at,
            in_reply_to=self.in_reply_to,
            thread_id=self.thread_id,
            media=tuple(str(link) for link in self.media),
            source_id=self.source_id,
        )


_CONTENT = {"url", "author", "text", "language", "in_reply_to", "thread_id", "media"}


class MentionPage(BaseModel):
    items: list[Mention]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")
