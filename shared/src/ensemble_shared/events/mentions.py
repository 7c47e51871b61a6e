"""Events of the mentions stream, produced by ingest."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, HttpUrl

from ensemble_shared.events.envelope import Event, Payload


class Author(Payload):
    """Who wrote a mention, as the platform names them."""

    id: str = Field(min_length=1, max_length=256, description="The platform's author id.")
    handle: str = Field(min_length=1, max_length=256)
    display_name: str | None = Field(default=None, max_length=512)
    followers: int | None = Field(default=None, ge=0)


class MentionData(Payload):
    """A canonical mention: the same shape whatever platform it came from."""

    mention_id: str
    platform: str
    external_id: str
    url: HttpUrl | None = None
    author: Author
    text: str
    language: str | None = None
    created_at: datetime
    in_reply_to: str | None = Field(default=None, description="External id of the parent post.")
    source_id: str | None = Field(default=None, description="The configured source it came in by.")


class MentionReceivedV1(Event):
    """Sent by ingest once, when a mention is stored for the first time."""

    type: Literal["mention.received.v1"] = "mention.received.v1"
    data: MentionData
