"""The in-app inbox as a channel: sending is inserting the item under its delivery id.

The channel writes through `Inbox`, a port the inbox repository fills (wired in `wiring.py`),
so no channel reaches the store by itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Protocol

from ensemble_notify.channels.templates import Templates
from ensemble_notify.models.deliveries import AttemptResult, ChannelName, Delivery
from ensemble_notify.models.inbox import InAppMessage, InboxItem
from ensemble_notify.models.notifications import Notification


class Inbox(Protocol):
    """Where in-app items go: inserts keyed by the item id, a duplicate left as it is."""

    async def add(self, item: InboxItem) -> bool: ...

    async def add_many(self, items: Sequence[InboxItem]) -> list[str]: ...


class InAppChannel:
    name = ChannelName.IN_APP

    def __init__(
        self,
        templates: Templates,
        inbox: Inbox,
        delivered: Callable[[str, str], None] = lambda workspace, person: None,
    ) -> None:
        self._templates = templates
        self._inbox = inbox
        self._delivered = delivered

    def render(self, notification: Notification) -> str:
        message = self._templates.render(notification, html=False)
        return InAppMessage(
            title=message.subject, body=message.text.strip(), links=list(notification.links)
        ).model_dump_json()

    async def send(self, delivery: Delivery, secrets: Sequence[str]) -> AttemptResult:
        """Idempotent: the item's `_id` is the delivery id, so a retried attempt adds nothing."""
        started = time.perf_counter()
        await self._inbox.add(_item(delivery))
        self._delivered(delivery.workspace, delivery.recipient)
        return AttemptResult(accepted=True, latency_ms=(time.perf_counter() - started) * 1000)

    async def send_many(self, deliveries: Sequence[Delivery]) -> AttemptResult:
        """A consumed batch's items in one unordered insert, idempotent as `send` is."""
        started = time.perf_counter()
        await self._inbox.add_many([_item(delivery) for delivery in deliveries])
        for workspace, person in sorted({(d.workspace, d.recipient) for d in deliveries}):
            self._delivered(workspace, person)
        return AttemptResult(accepted=True, latency_ms=(time.perf_counter() - started) * 1000)


def _item(delivery: Delivery) -> InboxItem:
    message = InAppMessage.model_validate_json(delivery.payload)
    return InboxItem(
        **message.model_dump(),
        id=delivery.id,
        workspace=delivery.workspace,
        person=delivery.recipient,
        event_id=delivery.event_id,
        event_type=delivery.event_type,
    )
