"""Kafka on FastStream: the broker factory, the batch publisher and the reliable consumer."""

from ensemble_shared.kafka.broker import create_broker
from ensemble_shared.kafka.consumer import (
    RetryPolicy,
    TransientError,
    subscribe_reliably,
)
from ensemble_shared.kafka.publisher import EventPublisher, OutgoingRecord, record_for

__all__ = [
    "EventPublisher",
    "OutgoingRecord",
    "RetryPolicy",
    "TransientError",
    "create_broker",
    "record_for",
    "subscribe_reliably",
]
