"""Events of the mentions stream, produced by ingest."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from ensemble_shared.events.envelope import Event, Payload
from ensemble_shared.inputs import WebUrl


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
    url: WebUrl | None = None
    author: Author
    text: str
    language: str | None = None
    created_at: datetime
    in_reply_to: str | None = Field(default=None, description="External id of the parent post.")
    thread_id: str | None = Field(default=None, description="External id of the thread's root.")
    media: tuple[str, ...] = Field(default=(), description="Links to attached images, videos.")
    source_id: str | None = Field(default=None, description="The configured source it came in by.")


class MentionReceivedV1(Event):
    """Sent by ingest once, when a mention is stored for the first time."""

    type: Literal["mention.received.v1"] = "mention.received.v1"
    data: MentionData


class TriageData(Payload):
    """What triage concluded about a mention."""

    language: str | None = None
    sentiment: Literal["positive", "neutral", "negative"] = "neutral"
    sentiment_score: float = 0.0
    tags: tuple[str, ...] = ()
    priority: Literal["low", "normal", "high", "urgent"] = "normal"
    team: str | None = None
    kind: Literal["request", "feedback"] | None = Field(
        default=None, description="Marked by a rule as a request or feedback for the board."
    )
    vip: bool = False
    matched_rules: tuple[str, ...] = ()


class MentionTriagedData(Payload):
    mention: MentionData
    triage: TriageData


class MentionTriagedV1(Event):
    """Sent by ingest right after a mention is received (and again if an edit changes triage)."""

    type: Literal["mention.triaged.v1"] = "mention.triaged.v1"
    data: MentionTriagedData


class MentionUpdatedV1(Event):
    """Sent by ingest when the platform reports an edit of a stored mention."""

    type: Literal["mention.updated.v1"] = "mention.updated.v1"
    data: MentionData


class MentionDeletedData(Payload):
    mention_id: str
    platform: str
    external_id: str


class MentionDeletedV1(Event):
    """Sent by ingest when the platform deleted a mention; it is tombstoned, not erased."""

    type: Literal["mention.deleted.v1"] = "mention.deleted.v1"
    data: MentionDeletedData


class MentionAssignedData(Payload):
    mention_id: str
    assignee: str | None = Field(description="A person (subject), or None when only a team.")
    team: str | None = None
    by: str


class MentionAssignedV1(Event):
    """Sent by ingest when someone assigns a mention to a person or a team in the inbox."""

    type: Literal["mention.assigned.v1"] = "mention.assigned.v1"
    data: MentionAssignedData


class MentionStatusChangedData(Payload):
    mention_id: str
    status: Literal["new", "assigned", "replied", "closed"]
    previous: Literal["new", "assigned", "replied", "closed"]
    by: str


class MentionStatusChangedV1(Event):
    """Sent by ingest when a mention's inbox status changes."""

    type: Literal["mention.status_changed.v1"] = "mention.status_changed.v1"
    data: MentionStatusChangedData


class MentionNoteAddedData(Payload):
    mention_id: str
    note_id: str
    author: str
    text: str


class MentionNoteAddedV1(Event):
    """Sent by ingest when a staff member adds an internal note to a mention."""

    type: Literal["mention.note_added.v1"] = "mention.note_added.v1"
    data: MentionNoteAddedData


class SpikeData(Payload):
    topic: str = Field(description='"*" for the whole workspace, else a tag.')
    negative_only: bool
    bucket_start: datetime
    bucket_seconds: int
    count: int
    mean: float
    stddev: float
    threshold: float


class MentionSpikeDetectedV1(Event):
    """Sent by ingest when a time bucket's mention count exceeds mean + k * sigma of the window."""

    type: Literal["mention.spike_detected.v1"] = "mention.spike_detected.v1"
    data: SpikeData
