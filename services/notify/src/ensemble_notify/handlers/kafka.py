"""Notify's subscribers."""

from __future__ import annotations

from faststream.kafka import KafkaBroker

from ensemble_notify.services.deliveries import DeliveryService
from ensemble_shared.kafka import RetryPolicy, subscribe_reliably
from ensemble_shared.topics import MENTIONS, Topics


def register(
    broker: KafkaBroker, topics: Topics, deliveries: DeliveryService, retry: RetryPolicy
) -> None:
    subscribe_reliably(
        broker,
        topics=topics,
        stream=MENTIONS,
        group=f"{topics.prefix}notify",
        handler=deliveries.accept,
        retry=retry,
        description="Each mention becomes one signed webhook delivery per subscribed endpoint.",
    )
