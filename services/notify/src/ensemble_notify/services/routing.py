"""From resolved notifications to deliveries: each rendered once by its channel."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ensemble_notify.channels.base import Renderer, RenderError
from ensemble_notify.channels.webhook import webhook_payload
from ensemble_notify.models.deliveries import ChannelName, Delivery, delivery_id
from ensemble_notify.models.endpoints import Endpoint
from ensemble_notify.models.notifications import Notification
from ensemble_notify.services.recipients import endpoint_notifications
from ensemble_shared.events import Event

log = logging.getLogger(__name__)

__all__ = ["Planned", "compose", "plan_deliveries", "webhook_payload"]


@dataclass(frozen=True)
class Planned:
    """Deliveries to queue, and deliveries that failed before any attempt (with why)."""

    ready: list[Delivery]
    refused: list[tuple[Delivery, str]]


def compose(
    notifications: Sequence[Notification], channels: Mapping[ChannelName, Renderer]
) -> Planned:
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
    return Planned(ready, refused)


def plan_deliveries(
    events: Sequence[Event], endpoints: Mapping[str, Sequence[Endpoint]]
) -> list[Delivery]:
    """Webhook deliveries only: one per (event, endpoint of its workspace that wants it)."""
    webhooks = {ChannelName.WEBHOOK: _WebhookBodies()}
    notifications = [
        n
        for event in events
        for n in endpoint_notifications(event, endpoints.get(event.workspace, ()))
        if n.channel is ChannelName.WEBHOOK
    ]
    return compose(notifications, webhooks).ready


class _WebhookBodies:
    def render(self, notification: Notification) -> str:
        return webhook_payload(notification.event)
