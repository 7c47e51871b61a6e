"""Notify's subscribers: every stream whose events can reach a person or an endpoint."""

from __future__ import annotations

from ensemble_notify.services.deliveries import DeliveryService
from ensemble_shared.kafka import RetryPolicy, subscribe_reliably
from ensemble_shared.runtime import Infrastructure
from ensemble_shared.topics import APPROVALS, MENTIONS


def register(infra: Infrastructure, deliveries: DeliveryService) -> None:
    for stream, description in (
        (MENTIONS, "Mentions to endpoints; assignments to the assignee."),
        (APPROVALS, "Approval events to endpoints; opened steps to their approvers."),
    ):
        subscribe_reliably(
            infra.broker,
            topics=infra.topics,
            stream=stream,
            group=f"{infra.topics.prefix}notify",
            handler=deliveries.accept,
            retry=RetryPolicy.from_settings(infra.settings.kafka),
            description=description,
        )
