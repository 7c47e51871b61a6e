"""Notify's answers, as the console's pages read them."""

from __future__ import annotations

from datetime import datetime, time

from pydantic import BaseModel, ConfigDict


class Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class UnsubscribeLink(Answer):
    """What a person's unsubscribe link turns off (notify's `GET /unsubscribe/link`)."""

    workspace: str
    person: str
    event: str  # an event type, or "*" for every notification
    channel: str


class LinkedPreferences(Answer):
    """A person's channels from their preferences link (notify's `GET /preferences/link`)."""

    workspace: str
    person: str
    channels: dict[str, bool]


class Unsubscribed(Answer):
    event: str
    channel: str

    @property
    def what(self) -> str:
        """What the confirmation names."""
        return self.event


class InboxLink(Answer):
    action: str
    label: str
    url: str


class InboxEntry(Answer):
    """One of my in-app notifications (notify's `GET /inbox`)."""

    id: str
    title: str
    body: str
    event_type: str
    created_at: datetime
    read_at: datetime | None = None
    links: list[InboxLink] = []


class InboxPage(Answer):
    items: list[InboxEntry]
    next_cursor: str | None = None


class PreferenceRule(Answer):
    event: str = "*"
    channel: str = "*"
    enabled: bool = True
    delivery: str = "immediate"
    email_if_unread_minutes: int | None = None


class QuietHours(Answer):
    start: time
    end: time
    enabled: bool = True


class Preferences(Answer):
    rules: list[PreferenceRule] = []
    quiet_hours: QuietHours | None = None


class SigningSecret(Answer):
    id: str
    created_at: datetime
    expires_at: datetime | None = None


class Endpoint(Answer):
    """An integrator's webhook or a chat channel (notify's `GET /endpoints`)."""

    id: str
    url: str
    kind: str
    events: list[str]
    description: str | None = None
    enabled: bool
    created_at: datetime
    secrets: list[SigningSecret] = []


class Breaker(Answer):
    """An endpoint's circuit breaker, as every replica of notify sees it."""

    state: str
    since: datetime | None = None  # None: it never moved
    until: datetime | None = None  # open: deliveries wait until then; half_open: the probe's
    reason: str | None = None
    transitions: int = 0


class EndpointDetail(Endpoint):
    """Notify's `GET /endpoints/{id}`: the endpoint and its breaker."""

    breaker: Breaker


class EndpointCreated(Endpoint):
    secret: str | None = None  # webhooks only, shown once


class Delivery(Answer):
    """One line of the delivery log (payloads come redacted from notify)."""

    id: str
    channel: str
    recipient: str
    address: str
    event_type: str
    created_at: datetime
    status: str
    attempts: int
    last_status_code: int | None = None
    last_error: str | None = None
    replay_of: str | None = None


class Attempt(Answer):
    """One attempt of a delivery (None outcome: in flight)."""

    attempt: int
    outcome: str | None = None
    status_code: int | None = None  # HTTP status or SMTP reply code
    latency_ms: float | None = None
    error: str | None = None
    claimed_at: datetime | None = None
    finished_at: datetime | None = None


class DeliveryDetail(Delivery):
    """Notify's `GET /deliveries/{id}`: the delivery, every attempt, the replays made of it."""

    payload: str = ""  # the message as sent, capabilities redacted by notify
    finished_at: datetime | None = None
    next_attempt_at: datetime | None = None
    held: str | None = None  # why it waits without spending an attempt (an open breaker)
    attempt_log: list[Attempt] = []
    replays: list[Delivery] = []


class Replay(Answer):
    id: str
    status: str
    total: int | None = None
    queued: int = 0
    done: int = 0
    failed: int = 0
    skipped: int = 0


class RoutingRule(Answer):
    """Which events (type or glob) reach which recipients (specs such as `team:legal`)."""

    event: str
    recipients: tuple[str, ...]
    channels: tuple[str, ...] | None = None  # None: every address the recipient has
    urgent: bool = False
    description: str | None = None


class RoutingRules(Answer):
    """A workspace's routing (notify's `GET /routing/rules`); `defaults` until it has its own."""

    rules: list[RoutingRule]
    on_call_team: str | None = None
    defaults: bool = False
    version: int = 0


class PendingAddress(Answer):
    """An address set and not yet proven by its owner: it gets nothing but its proof."""

    channel: str
    address: str
    requested_at: datetime
    expires_at: datetime
    error: str | None = None


class Person(Answer):
    """A directory entry (notify's `GET /people/{id}`); `email`, `slack_webhook_url` and
    `teams_webhook_url` are the addresses in use, each proven by the person."""

    id: str
    name: str
    email: str | None = None
    slack_webhook_url: str | None = None
    teams_webhook_url: str | None = None
    pending: tuple[PendingAddress, ...] = ()
    language: str = "en"
    time_zone: str = "UTC"
    roles: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    origin: str = "manual"  # identity: name, language and roles change only in identity

    @property
    def addresses(self) -> dict[str, str | None]:
        """The addresses in use, as `PUT /people/{id}` takes them: sent back unchanged, they
        change nothing (a new one goes through the person's own proof)."""
        return {
            "email": self.email,
            "slack_webhook_url": self.slack_webhook_url,
            "teams_webhook_url": self.teams_webhook_url,
        }


class AddressChange(Answer):
    """One change of a person's addresses (notify's insert-only audit): requested (pending
    its proof), confirmed (through its link) or removed, and by whom."""

    id: str
    channel: str
    change: str
    address: str | None = None
    by: str
    at: datetime


class Shift(Answer):
    person: str
    starts_at: datetime
    ends_at: datetime


class Team(Answer):
    """A notify team: its members and who is on call (shifts, else the current field, else
    every member)."""

    name: str
    members: tuple[str, ...] = ()
    on_call: tuple[Shift, ...] = ()
    on_call_person: str | None = None
    description: str | None = None
    updated_at: datetime | None = None
