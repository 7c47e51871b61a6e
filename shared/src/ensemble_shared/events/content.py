"""Events of the content stream, produced by scheduler (key: content item id)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from ensemble_shared.events.envelope import Event, Payload


class ContentPublishedData(Payload):
    """Where and as what a content item went out."""

    content_id: str
    channel: str
    platform_post_id: str
    url: str | None = None
    platform: str | None = Field(default=None, description="Connector used: mastodon, webhook.")
    version: int | None = Field(default=None, description="The content version published.")
    in_reply_to: str | None = Field(default=None, description="Platform id replied to.")
    attempt: int | None = Field(default=None, description="Which publication attempt landed.")
    reconciled: bool = Field(
        default=False, description="True when the id was found by asking the platform."
    )


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


class ScheduleData(Payload):
    """Where and when a content item is planned to go out."""

    content_id: str
    channel: str
    slot_at: datetime
    sequence: int = Field(description="1 for the first scheduling, +1 for each reschedule.")
    by: str
    previous_slot_at: datetime | None = None
    title: str | None = None


class ContentScheduledV1(Event):
    """Sent by scheduler when a content item gets its first publishing slot."""

    type: Literal["content.scheduled.v1"] = "content.scheduled.v1"
    data: ScheduleData


class ContentRescheduledV1(Event):
    """Sent by scheduler when a scheduled content item moves to another slot."""

    type: Literal["content.rescheduled.v1"] = "content.rescheduled.v1"
    data: ScheduleData


class PublishFailureData(Payload):
    """Why a content item did not go out at its slot."""

    content_id: str
    channel: str
    code: Literal["not_approved", "refused", "no_connector", "not_scheduled"]
    reason: str
    slot_at: datetime | None = None
    attempt: int | None = None


class ContentPublishFailedV1(Event):
    """Sent by scheduler when publishing at the slot was refused (by the approval gate or by
    the platform, for good). An unknown outcome is reconciled, not reported here."""

    type: Literal["content.publish_failed.v1"] = "content.publish_failed.v1"
    data: PublishFailureData


class HoldData(Payload):
    """A scheduled item held back (crisis) or let go again."""

    content_id: str
    hold_id: str
    crisis_id: str
    channel: str
    slot_at: datetime | None = None
    reason: str | None = None
    by: str | None = Field(default=None, description="Who released it (schedule.released).")


class ScheduleHeldV1(Event):
    """Sent by scheduler when a scheduled item is held (a negative mention spike); it needs
    communication + legal approval before it may go out."""

    type: Literal["schedule.held.v1"] = "schedule.held.v1"
    data: HoldData


class ScheduleReleasedV1(Event):
    """Sent by scheduler when the approval that releases a held item is complete."""

    type: Literal["schedule.released.v1"] = "schedule.released.v1"
    data: HoldData
