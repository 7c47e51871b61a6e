"""Events of the content stream, produced by scheduler (key: content item id)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ensemble_shared.events.envelope import Event, Payload


class ContentPublishedData(Payload):
    """Where and as what a content item went out."""

    content_id: str
    channel: str
    platform_post_id: str
    url: str | None = None


class ContentPublishedV1(Event):
    """Sent by scheduler once the platform has confirmed a publication."""

    type: Literal["content.published.v1"] = "content.published.v1"
    data: ContentPublishedData


class ContentVersionData(Payload):
    """A version of a content item: who wrote it and which fields it changed."""

    content_id: str
    kind: str
    channel: str
    version: int
    author: str
    title: str | None = None
    changed: tuple[str, ...] = Field(default=(), description="Fields changed since the last one.")


class ContentDraftedV1(Event):
    """Sent by scheduler when a content item is created (its version 1)."""

    type: Literal["content.drafted.v1"] = "content.drafted.v1"
    data: ContentVersionData


class ContentEditedV1(Event):
    """Sent by scheduler when an edit stores a new version of a content item."""

    type: Literal["content.edited.v1"] = "content.edited.v1"
    data: ContentVersionData


class ContentCommentData(Payload):
    """A comment on a content item, with the people and teams it @mentions."""

    content_id: str
    comment_id: str
    author: str
    body: str
    version: int
    people: tuple[str, ...] = Field(default=(), description="@name mentions.")
    teams: tuple[str, ...] = Field(default=(), description="@team:name mentions.")


class ContentCommentedV1(Event):
    """Sent by scheduler when someone comments on a content item (notify tells who is named)."""

    type: Literal["content.commented.v1"] = "content.commented.v1"
    data: ContentCommentData
