"""Events of the content stream, produced by scheduler."""

from __future__ import annotations

from typing import Literal

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
