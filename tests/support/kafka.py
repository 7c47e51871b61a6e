"""Reading what really is on a topic, from the beginning, without a consumer group."""

from __future__ import annotations

import asyncio
import time

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from ensemble_shared.outbox import POINTERS
from ensemble_shared.storage import Database


async def outbox_settled(database: Database, *, timeout: float = 15.0) -> None:  # noqa: ASYNC109
    """Wait until a service's outbox holds no pointer: every event its writes staged is on
    Kafka (a fast path that outlived its request, or the relay, publishes it late on a busy
    machine). Returns after `timeout` regardless (past the relay's grace): a test with the
    broker down, or a pointer whose write failed, reads what is."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not await database[POINTERS].count_documents({}, limit=1):
            return
        await asyncio.sleep(0.1)


async def read_topic(
    bootstrap: str, topic: str, *, idle_ms: int = 1500
) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record of `topic`, stopping once `idle_ms` passes with nothing new."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        (description,) = await admin.describe_topics([topic])
    finally:
        await admin.close()
    tps = [TopicPartition(topic, p["partition"]) for p in description["partitions"]]
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        end = await consumer.end_offsets(tps)
        records: list[ConsumerRecord[bytes, bytes]] = []
        while True:
            batch = await consumer.getmany(timeout_ms=idle_ms)
            for part in batch.values():
                records.extend(part)
            positions = {tp: await consumer.position(tp) for tp in tps}
            if not batch and all(positions[tp] >= end[tp] for tp in tps):
                return records
    finally:
        await consumer.stop()


def header(record: ConsumerRecord[bytes, bytes], name: str) -> str | None:
    for key, value in record.headers:
        if key == name:
            return str(value.decode())
    return None
