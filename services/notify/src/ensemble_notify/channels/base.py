"""The channel contract: render a notification once, then send it, attempt after attempt."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

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
