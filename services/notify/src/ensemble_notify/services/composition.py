"""Composing messages: each resolved notification rendered once by its channel, as a delivery.

Rendering happens here, before anything is stored, so every attempt sends the same bytes and
a notification that cannot be rendered fails alone, with its reason, never its batch.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ensemble_notify.channels.base import Renderer, RenderError
from ensemble_notify.models.deliveries import ChannelName, Delivery, delivery_id
from ensemble_notify.models.notifications import Notification

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Composed:
    """Deliveries to queue, and deliveries that failed before any attempt (with why)."""

    ready: list[Delivery]
    refused: list[tuple[Delivery, str]]


def compose(
    notifications: Sequence[Notification], channels: Mapping[ChannelName, Renderer]
) -> Composed:
    """Render each notification; one that cannot be rendered fails alone, with its reason."""
    ready: list[Delivery] = []
    refused: list[tuple[Delivery, str]] = []
    seen: set[str] = set()
    for notification in notifications:
        event = notification.event
        key = delivery_id(
            event.id, notification.recipient, notification.channel, notification.recipient_kind
        )
        if key in seen:
            continue  # one person named twice by an event still gets one notification
        seen.add(key)
        reason: str | None = None
        payload = ""
        channel = channels.get(notification.channel)
        if channel is None:
            reason = f"no {notification.channel.value} channel is configured"
        else:
            try:
                payload = channel.render(notification)
            except RenderError as exc:
                reason = str(exc)
            except Exception as exc:  # a template bug must not stall the consumer
                log.exception("rendering %s for %s failed", event.type, key)
                reason = f"render error: {type(exc).__name__}: {exc}"
        delivery = Delivery(
            id=key,
            workspace=event.workspace,
            channel=notification.channel,
            recipient_kind=notification.recipient_kind,
            recipient=notification.recipient,
            address=notification.address,
            event_id=event.id,
            event_type=event.type,
            correlation_id=event.correlation_id,
            payload=payload,
        )
        if reason is None:
            ready.append(delivery)
        else:
            refused.append((delivery, reason[:500]))
    return Composed(ready, refused)
