"""Publishing events: serialize once, send many, then wait for every acknowledgement."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from faststream.kafka import KafkaBroker
from faststream.kafka.publisher import DefaultPublisher

from ensemble_shared.events import Event
from ensemble_shared.kafka.broker import raw_producer
from ensemble_shared.metrics import PUBLISHED
from ensemble_shared.topics import Stream, Topics


@dataclass(frozen=True)
class OutgoingRecord:
    """A serialized event on its way to a topic (also the shape kept in an outbox)."""

    topic: str
    key: str
    value: bytes
    headers: dict[str, str] = field(default_factory=dict)


def event_headers(event: Event) -> dict[str, str]:
    """CloudEvents Kafka-binding style headers, so tools can route without parsing the body."""
    return {
        "content-type": "application/json",
        "ce_id": event.id,
        "ce_type": event.type,
        "ce_source": event.source,
        "correlation_id": event.correlation_id,
    }


def record_for(event: Event, topics: Topics) -> OutgoingRecord:
    return OutgoingRecord(
        topic=topics.for_event(event),
        key=event.subject,
        value=event.model_dump_json().encode(),
        headers=event_headers(event),
    )


class EventPublisher:
    """Publishes to the streams a service produces (declared here, so AsyncAPI documents them)."""

    def __init__(self, broker: KafkaBroker, topics: Topics, streams: Iterable[Stream]) -> None:
        self._broker = broker
        self._topics = topics
        self._publishers: dict[str, DefaultPublisher] = {}
        for stream in streams:
            name = topics.topic(stream)
            self._publishers[name] = broker.publisher(
                name,
                title=f"{name}:publish",
                description=f"The {stream.name} stream; key: {stream.key}.",
                schema=stream.payload_type,
            )

    async def publish(self, events: Sequence[Event]) -> None:
        await self.publish_records([record_for(event, self._topics) for event in events])

    async def publish_records(self, records: Sequence[OutgoingRecord]) -> None:
        """Send every record, then await all acks: one round of waiting, not one per record.

        The declared FastStream publishers document the streams (AsyncAPI); the bytes go through
        the producer they wrap, without their per-message middleware.
        """
        if not records:
            return
        producer = raw_producer(self._broker)
        pending = []
        for record in records:
            if record.topic not in self._publishers:
                raise LookupError(f"this service does not publish to {record.topic!r}")
            pending.append(
                await producer.send(
                    record.topic,
                    record.value,
                    key=record.key.encode(),
                    headers=[(name, value.encode()) for name, value in record.headers.items()],
                )
            )
        await asyncio.gather(*pending)
        for record in records:
            PUBLISHED.labels(record.topic).inc()
