"""The content calendar: weekly slots per channel, schedule entries and their publish timers,
calendar views."""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ensemble_scheduler.models.content import Channel
from ensemble_scheduler.models.timers import Timer
from ensemble_scheduler.models.zones import zone
from ensemble_shared.inputs import StorableDatetime

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Team = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][\w.-]*$")]


class WeeklySlot(BaseModel):
    """A wall-clock time on some weekdays, e.g. Mon-Fri 09:30 (in the plan's time zone)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    days: tuple[Weekday, ...] = Field(min_length=1, max_length=7)
    at: time = Field(description="Local time, HH:MM.")

    @field_validator("at")
    @classmethod
    def _minutes(cls, value: time) -> time:
        if value.tzinfo is not None:
            raise ValueError("at: a wall-clock time without offset (the plan has the zone)")
        return value.replace(second=0, microsecond=0)


class SlotPlanIn(BaseModel):
    """PUT /calendar/channels/{channel}: the channel's recurring slots and who plans it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    time_zone: str = Field(min_length=1, max_length=64, examples=["Europe/Paris"])
    slots: tuple[WeeklySlot, ...] = Field(min_length=1, max_length=50)
    teams: tuple[Team, ...] = Field(
        default=(), max_length=20, description="Teams whose .ics feed shows this channel."
    )

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        zone(value)
        return value


class SlotPlan(SlotPlanIn):
    model_config = ConfigDict(extra="ignore", frozen=True)

    workspace: str
    channel: Channel
    revision: int = Field(ge=1)
    updated_by: str
    updated_at: datetime


class ScheduleIn(BaseModel):
    """POST /content/{id}/schedule: a precise time, or the channel's next free slot."""

    model_config = ConfigDict(extra="forbid")

    slot: StorableDatetime | Literal["next"] = Field(
        description='An ISO time with offset, or "next" for the next free slot of the channel.'
    )
    after: StorableDatetime | None = Field(
        default=None, description='With "next": the earliest time to consider (default now).'
    )


class ScheduleEntry(BaseModel):
    """One scheduling of an item (insert-only: the highest sequence is the current one)."""

    model_config = ConfigDict(frozen=True)

    content_id: str
    workspace: str
    channel: str
    sequence: int = Field(ge=1)
    slot_at: datetime
    by: str
    at: datetime
    title: str | None = None


PUBLISH = "publish"
"""The timer kind of a scheduling's publish timer (publishing handles it)."""


def publish_timer(entry: ScheduleEntry) -> Timer:
    """One timer per scheduling: a stale one (the item moved since) fires into a no-op."""
    return Timer(
        workspace=entry.workspace,
        timer_id=publish_timer_id(entry.content_id, entry.sequence),
        kind=PUBLISH,
        due_at=entry.slot_at,
        payload={"content_id": entry.content_id, "sequence": entry.sequence},
    )


def publish_timer_id(content_id: str, sequence: int) -> str:
    return f"publish:{content_id}:s{sequence}"


RANGE_LIMIT = 500
"""The most entries one calendar range lists (it is not paged: `truncated` says there is more;
a narrower range shows the rest)."""


EntryStatus = Literal["scheduled", "held", "published", "failed"]


class CalendarEntry(BaseModel):
    content_id: str
    channel: str
    slot_at: datetime
    title: str | None
    status: EntryStatus
    sequence: int
    platform_post_id: str | None = None


class CalendarPage(BaseModel):
    items: list[CalendarEntry]
    truncated: bool = Field(description="True when more entries fall in the range than listed.")


class ScheduleView(BaseModel):
    content_id: str
    channel: str
    slot_at: datetime
    sequence: int
    status: EntryStatus


class QueueItem(BaseModel):
    """An approved item waiting for a slot."""

    content_id: str
    channel: str
    title: str | None
    version: int
    approved: bool


class FeedLinkRecord(BaseModel):
    """A feed link as the workspace knows it: who asked for it, for what, until when. The
    token (in the URL) is never stored; the id inside it is how the link is revoked."""

    id: str
    workspace: str
    team: str | None
    created_by: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    revoked_by: str | None = None


class FeedLink(BaseModel):
    """A new feed link: its URL is shown this once (calendar apps subscribe to it)."""

    id: str = Field(description="Revoke it with DELETE /calendar/feed-links/{id}.")
    url: str
    team: str | None
    expires_at: datetime
