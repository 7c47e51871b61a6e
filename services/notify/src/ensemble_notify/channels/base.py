"""The channel contract: render a notification once, then send it, attempt after attempt."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from ensemble_notify.models.deliveries import AttemptResult, ChannelName, Delivery
from ensemble_notify.models.notifications import Notification


class RenderError(Exception):
    """The notification cannot be made (a template fails, an address is invalid): retrying
    would fail the same way, so the notification fails at once with this reason."""


class Renderer(Protocol):
    def render(self, notification: Notification) -> str:
        """The delivery's payload; raises RenderError."""
        ...


class Channel(Renderer, Protocol):
    """Rendering happens when the delivery is recorded, so every attempt sends the same bytes
    (and a failure to render fails that one notification, never the consumer). `send` reports
    a failure as retryable unless `AttemptResult.permanent` says retrying cannot help."""

    name: ChannelName

    async def send(self, delivery: Delivery, secrets: Sequence[str]) -> AttemptResult:
        """One attempt; `secrets` are the endpoint's active signing secrets (webhooks)."""
        ...


@runtime_checkable
class BulkChannel(Protocol):
    """A channel whose sending is an idempotent store write keyed by the delivery id (the
    in-app inbox): a whole batch goes in one write, and doing it again changes nothing, so it
    needs no attempt claims, queue or retries — a failed write fails the consumed batch, which
    Kafka redelivers."""

    async def send_many(self, deliveries: Sequence[Delivery]) -> AttemptResult:
        """Deliver them all (those already delivered stay as they are); raises on failure."""
        ...
