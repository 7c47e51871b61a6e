"""Reading what really is on a topic, from the beginning, without a consumer group."""

from __future__ import annotations

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient


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
