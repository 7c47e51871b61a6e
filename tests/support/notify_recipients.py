"""Recipient resolution without the store, for notify's unit tests: whom an event names under
the default routing rules, and the webhook deliveries it makes to given endpoints."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from ensemble_notify.channels.webhook import WebhookSender
from ensemble_notify.models.deliveries import ChannelName, Delivery
from ensemble_notify.models.endpoints import Endpoint
from ensemble_notify.models.routing_rules import RoutingRules
from ensemble_notify.services.composition import compose
from ensemble_notify.services.recipients import Named, endpoint_notifications, named
from ensemble_notify.services.routing_rules import targets
from ensemble_shared.events import Event, utcnow


def named_recipients(event: Event) -> list[Named]:
    """The recipients the workspace's default rules name for `event` (no teams, no roles), as
    the resolver hands them on: directory people, and outside approvers with their links."""
    data = event.data.model_dump(mode="json")
    rules = RoutingRules.default(event.workspace)
    return [named(target) for target in targets(event.type, data, rules, {}, utcnow())]


def plan_deliveries(
    events: Sequence[Event], endpoints: Mapping[str, Sequence[Endpoint]]
) -> list[Delivery]:
    """Webhook deliveries only: one per (event, endpoint of its workspace that wants it),
    composed by the real webhook channel (which needs no client to render)."""
    webhooks = {ChannelName.WEBHOOK: WebhookSender(cast(Any, None))}
    notifications = [
        n
        for event in events
        for n in endpoint_notifications(event, endpoints.get(event.workspace, ()))
        if n.channel is ChannelName.WEBHOOK
    ]
    return compose(notifications, webhooks).ready
