"""Held notifications (digest, quiet hours, email-if-unread) and the digests they become.

A held item is a notification that did not go at once. It is keyed by the delivery id it
would have had, and belongs to one *group* fixed when it is held: a digest period, a quiet
night, or its own unread check. A group goes when it is due, as one message per channel.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from ensemble_notify.models.deliveries import ChannelName
from ensemble_notify.models.preferences import Cadence, QuietHours, wall_clock
from ensemble_shared.events import Event, Payload, utcnow

HoldKind = Literal["digest", "quiet", "unread"]


class HeldItem(BaseModel):
    id: str = Field(description="The delivery id the notification would have had.")
    workspace: str
    person: str
    channel: ChannelName
    kind: HoldKind
    group: str = Field(description="Workspace, person and period: the digest it goes into.")
    due_at: datetime = Field(description="When its group may go (period end, quiet end, check).")
    event: str = Field(description="The source event, as JSON.")
    notification: dict[str, Any] = Field(description="The notification's other fields.")
    cadence: Cadence | None = None
    zone: str = "UTC"
    quiet: QuietHours | None = Field(default=None, description="A digest waits out these too.")
    unread_of: str | None = Field(default=None, description="The in-app delivery to check.")
    title: str | None = Field(default=None, description="One line for the digest.")
    created_at: datetime = Field(default_factory=utcnow)


class DigestRecord(BaseModel):
    """A group that went: the items it carried. Inserted once; its id is the group."""

    id: str
    workspace: str
    person: str
    items: list[str]
    created_at: datetime = Field(default_factory=utcnow)


class DigestEntry(Payload):
    event_id: str
    event_type: str
    title: str
    time: datetime


class DigestData(Payload):
    cadence: Literal["hourly", "daily", "weekly", "quiet"]
    period_start: datetime | None = None
    period_end: datetime | None = None
    count: int
    items: tuple[DigestEntry, ...]


class NotificationDigestV1(Event):
    """Not published: the source of a digest message (one per person, period and channel)."""

    type: Literal["notification.digest.v1"] = "notification.digest.v1"
    data: DigestData


def stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%dT%H%MZ")


def period(
    cadence: Cadence, at: datetime, zone: ZoneInfo, hour: int = 8
) -> tuple[datetime, datetime]:
    """The digest period `at` falls in, in UTC: hours, days from `hour` o'clock, or weeks from
    Monday `hour` o'clock, all on the wall clock of `zone` (a DST day is 23 or 25 hours)."""
    moment = at.astimezone(UTC)
    local = moment.astimezone(zone)
    if cadence == "hourly":
        start = local.replace(minute=0, second=0, microsecond=0).astimezone(UTC)
        return start, start + timedelta(hours=1)
    if cadence not in ("daily", "weekly"):
        raise ValueError(f"{cadence} is not a digest cadence")
    step = 1 if cadence == "daily" else 7
    day = local.date() - timedelta(days=local.weekday() if cadence == "weekly" else 0)
    if moment < wall_clock(day, time(hour), zone):
        day -= timedelta(days=step)
    return wall_clock(day, time(hour), zone), wall_clock(
        day + timedelta(days=step), time(hour), zone
    )
