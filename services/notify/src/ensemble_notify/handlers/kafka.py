"""Notify's subscribers."""

from __future__ import annotations

from ensemble_notify.services.deliveries import DeliveryService
from ensemble_shared.kafka import RetryPolicy, subscribe_reliably
from ensemble_shared.runtime import Infrastructure
from ensemble_shared.topics import MENTIONS


def register(infra: Infrastructure, deliveries: DeliveryService) -> None:
    subscribe_reliably(
        infra.broker,
        topics=infra.topics,
        stream=MENTIONS,
        group=f"{infra.topics.prefix}notify",
        handler=deliveries.accept,
        retry=RetryPolicy.from_settings(infra.settings.kafka),
        description="Each mention becomes one signed webhook delivery per subscribed endpoint.",
    )
