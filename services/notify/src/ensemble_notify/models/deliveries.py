"""Deliveries: one per (source event, recipient, channel), the unit of exactly-once sending.

Stored as facts that are only ever inserted — the delivery itself, each attempt's claim and
result, the one outcome — plus a small queue of the deliveries still to do, the only thing
that is updated. (On FerretDB over SQLite an update scans its whole collection; an insert
does not, so the big collections must never be updated.)
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field

from ensemble_shared.events import utcnow
from ensemble_shared.redaction import redact_secrets


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class ChannelName(StrEnum):
    """How a delivery reaches its recipient."""

    WEBHOOK = "webhook"  # an integrator's endpoint, Standard Webhooks signed
    SLACK = "slack"  # a Slack-compatible incoming webhook (Block Kit)
    TEAMS = "teams"  # a Microsoft Teams incoming webhook (Adaptive Card)
    EMAIL = "email"
    IN_APP = "in_app"


CHAT_CHANNELS = frozenset({ChannelName.SLACK, ChannelName.TEAMS})
"""Channels whose address is an incoming-webhook URL: whoever holds it can post there, so it is
sealed at rest and never shown whole."""


def shown_address(channel: ChannelName, address: str) -> str:
    """The address as the log shows it: a chat webhook's URL only by its host."""
    if channel not in CHAT_CHANNELS:
        return address
    host = urlsplit(address).hostname or "?"
    return f"https://{host}/…"


RecipientKind = Literal["endpoint", "person"]


def delivery_id(
    event_id: str,
    recipient: str,
    channel: ChannelName | None = None,
    kind: RecipientKind = "endpoint",
) -> str:
    """The unique key: one delivery per (event, recipient, channel).

    An endpoint is a recipient with exactly one channel, so its key leaves the channel out
    (`event:endpoint`, the key deliveries had before there were other channels); a person has
    several channels, so theirs names it (`event:person:channel`).
    """
    if kind == "endpoint" or channel is None:
        return f"{event_id}:{recipient}"
    return f"{event_id}:{recipient}:{channel.value}"


class Delivery(BaseModel):
    """What to send where; never changes once stored."""

    id: str
    workspace: str
    channel: ChannelName = ChannelName.WEBHOOK
    recipient_kind: RecipientKind = "endpoint"
    recipient: str = Field(description="The endpoint id, or the person id.")
    address: str = Field(description="Where it goes: a URL, an email address, a person's inbox.")
    event_id: str
    event_type: str
    correlation_id: str
    payload: str = Field(description="The rendered message, sent as is on every attempt.")
    created_at: datetime = Field(default_factory=utcnow)
    replay_of: str | None = Field(
        default=None, description="A replay: the delivery whose payload it sends again."
    )
    replay: str | None = Field(default=None, description="A replay: the replay job it is part of.")


class QueueEntry(BaseModel):
    """A delivery still to be made, and when."""

    id: str
    workspace: str
    next_attempt: int = 1
    due_at: datetime = Field(default_factory=utcnow)
    last_status_code: int | None = None
    last_error: str | None = None
    held: str | None = Field(
        default=None, description="Why it waits without spending an attempt (an open breaker)."
    )


class Outcome(BaseModel):
    """How a delivery ended; recorded once."""

    id: str
    workspace: str
    status: DeliveryStatus
    attempts: int
    status_code: int | None = None
    reason: str | None = None
    finished_at: datetime = Field(default_factory=utcnow)
    replay: str | None = Field(default=None, description="The replay job, for its progress.")


class DeliveryView(Delivery):
    """A delivery with its current state, as the API shows it."""

    status: DeliveryStatus
    attempts: int
    last_status_code: int | None = None
    last_error: str | None = None
    next_attempt_at: datetime | None = None
    held: str | None = None
    finished_at: datetime | None = None

    @classmethod
    def of(
        cls, delivery: Delivery, queued: QueueEntry | None, outcome: Outcome | None
    ) -> DeliveryView:
        """The log shows the message without its capabilities: a person's email or chat
        message carries their own decision and unsubscribe links, which no admin may use."""
        base = {
            **delivery.model_dump(),
            "address": shown_address(delivery.channel, delivery.address),
            "payload": redact_secrets(delivery.payload),
        }
        if outcome is not None:
            return cls(
                **base,
                status=outcome.status,
                attempts=outcome.attempts,
                last_status_code=outcome.status_code,
                last_error=outcome.reason,
                finished_at=outcome.finished_at,
            )
        return cls(
            **base,
            status=DeliveryStatus.PENDING,
            attempts=(queued.next_attempt - 1) if queued else 0,
            last_status_code=queued.last_status_code if queued else None,
            last_error=queued.last_error if queued else None,
            next_attempt_at=queued.due_at if queued else None,
            held=queued.held if queued else None,
        )


class AttemptResult(BaseModel):
    """What one attempt gave, whatever the channel (an HTTP status, an SMTP reply code...)."""

    status_code: int | None = None
    error: str | None = None
    retry_after: float | None = Field(default=None, description="Seconds the receiver asked for.")
    latency_ms: float
    accepted: bool = Field(
        default=False, description="Taken by a non-HTTP receiver (SMTP server, inbox)."
    )
    permanent: bool = Field(
        default=False, description="Retrying cannot help (a refused address, a 410 Gone)."
    )

    @property
    def delivered(self) -> bool:
        if self.accepted:
            return True
        return self.status_code is not None and 200 <= self.status_code < 300

    def describe(self) -> str:
        return self.error or f"HTTP {self.status_code}"


class AttemptEntry(BaseModel):
    """One attempt of a delivery, as the delivery log shows it."""

    attempt: int
    outcome: str | None = Field(
        default=None,
        description="delivered, retry, failed, or abandoned (its process stopped); "
        "None while in flight.",
    )
    status_code: int | None = Field(default=None, description="HTTP status or SMTP reply code.")
    latency_ms: float | None = Field(default=None, description="Time the receiver took.")
    error: str | None = None
    claimed_at: datetime | None = None
    finished_at: datetime | None = None


class DeliveryDetail(DeliveryView):
    """A delivery, every attempt it took, and the replays made of it."""

    attempt_log: list[AttemptEntry]
    replays: list[DeliveryView] = Field(default_factory=list)


class DeliveryPage(BaseModel):
    items: list[DeliveryView]
