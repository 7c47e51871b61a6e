"""Events of the notifications stream, produced by notify."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from ensemble_shared.events.envelope import Event, Payload

Channel = Literal["webhook", "email", "chat", "in_app"]


class DeliveryData(Payload):
    """One delivery of one event to one recipient over one channel."""

    delivery_id: str
    channel: Channel
    recipient: str
    source_event_id: str
    source_event_type: str
    attempts: int
    status_code: int | None = None
    reason: str | None = None
    chat: Literal["slack", "teams"] | None = Field(
        default=None, description="Which chat service, when the channel is chat."
    )
    replay_of: str | None = Field(
        default=None, description="A replay: the delivery whose payload was sent again."
    )


class NotificationSentV1(Event):
    """Sent by notify when a receiver accepted a delivery."""

    type: Literal["notification.sent.v1"] = "notification.sent.v1"
    data: DeliveryData


class NotificationFailedV1(Event):
    """Sent by notify when a delivery is given up, with the reason."""

    type: Literal["notification.failed.v1"] = "notification.failed.v1"
    data: DeliveryData


class NotificationReadData(Payload):
    """A person opened (marked read) an in-app notification."""

    notification_id: str = Field(description="The in-app delivery's id (the event's subject).")
    person: str
    source_event_id: str
    source_event_type: str
    read_at: datetime


class NotificationReadV1(Event):
    """Sent by notify once per in-app notification, when its person first marks it read."""

    type: Literal["notification.read.v1"] = "notification.read.v1"
    data: NotificationReadData


UnsubscribeVia = Literal["link", "preferences_link", "preferences"]


class UnsubscribedData(Payload):
    """What a staff person turned off; no address (the person id says who)."""

    person: str = Field(description="The staff person's id.")
    event: str = Field(description="An event type, a group (`approval.*`) or `*` for all.")
    channel: str = Field(description="email, in_app, slack, teams, webhook, or `*` for all.")
    via: UnsubscribeVia = Field(
        description="The one-click unsubscribe link (RFC 8058), the preferences link of an "
        "email, or the person's own preferences (signed in)."
    )


class NotificationUnsubscribedV1(Event):
    """Sent by notify once per preference a staff person turns off (a rule for an event type
    or group on a channel that was not off before); turning it off again sends nothing."""

    type: Literal["notification.unsubscribed.v1"] = "notification.unsubscribed.v1"
    data: UnsubscribedData
