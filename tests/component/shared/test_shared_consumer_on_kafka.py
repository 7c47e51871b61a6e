"""The reliable consumer on a real broker: dead letters, commits, resuming after a restart."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from aiokafka import AIOKafkaProducer
from faststream.kafka import KafkaBroker

from ensemble_devtools.infra import Infra
from ensemble_shared.events import Event
from ensemble_shared.kafka import EventPublisher, RetryPolicy, create_broker, subscribe_reliably
from ensemble_shared.settings import KafkaSettings
from ensemble_shared.topics import MENTIONS, Topics
from support.kafka import header, read_topic
from support.mentions import a_mention
from support.waiting import eventually

FAST = RetryPolicy(attempts=2, backoff_seconds=0.01)


class Seen:
    def __init__(self, fail_subject: str | None = None) -> None:
        self.subjects: list[str] = []
        self._fail = fail_subject

    async def __call__(self, events: Sequence[Event]) -> None:
        if any(e.subject == self._fail for e in events):
            raise RuntimeError(f"cannot handle {self._fail}")
        self.subjects.extend(e.subject for e in events)

    async def count(self) -> int:
        return len(self.subjects)


async def produce_raw(bootstrap: str, topic: str, value: bytes, key: bytes = b"poison") -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=key, headers=[("bad-header", b"\xff\xfe")])
    finally:
        await producer.stop()


def mentions(n: int, subject_prefix: str = "m") -> list[Event]:
    return [a_mention().model_copy(update={"subject": f"{subject_prefix}{i}"}) for i in range(n)]


async def test_poison_and_failing_events_are_parked_with_their_reason_and_the_stream_goes_on(
    infra: Infra, broker: KafkaBroker, topics: Topics
) -> None:
    seen = Seen(fail_subject="m1")
    subscribe_reliably(
        broker, topics=topics, stream=MENTIONS, group=f"{topics.prefix}g", handler=seen, retry=FAST
    )
    publisher = EventPublisher(broker, topics, [MENTIONS])
    async with broker:
        await broker.start()
        await produce_raw(infra.kafka_bootstrap, topics.topic(MENTIONS), b"\x00 not an event")
        await publisher.publish(mentions(3))
        await eventually(seen.count, lambda n: n == 2, what="m0 and m2 handled")
        dead = await eventually(
            lambda: read_topic(infra.kafka_bootstrap, topics.dead_letter(MENTIONS), idle_ms=300),
            lambda records: len(records) == 2,
            what="two dead letters",
        )
    assert sorted(seen.subjects) == ["m0", "m2"]
    reasons = sorted(header(r, "dlt_reason") or "" for r in dead)
    assert reasons[0] == "RuntimeError: cannot handle m1"
    assert reasons[1].startswith("malformed event: not JSON")
    assert {header(r, "dlt_group") for r in dead} == {f"{topics.prefix}g"}
    assert {header(r, "dlt_topic") for r in dead} == {topics.topic(MENTIONS)}
    poison = next(r for r in dead if r.key == b"poison")
    assert poison.value == b"\x00 not an event"  # parked as it came, nothing lost


async def test_a_restarted_consumer_resumes_after_what_it_committed(
    infra: Infra, topics: Topics
) -> None:
    settings = KafkaSettings(bootstrap_servers=infra.kafka_bootstrap)
    group = f"{topics.prefix}resume"
    first_seen, second_seen = Seen(), Seen()

    first = create_broker(settings, client_id="first")
    subscribe_reliably(
        first, topics=topics, stream=MENTIONS, group=group, handler=first_seen, retry=FAST
    )
    publisher = EventPublisher(first, topics, [MENTIONS])
    async with first:
        await first.start()
        await publisher.publish(mentions(5, "a"))
        await eventually(first_seen.count, lambda n: n == 5, what="first five")

    second = create_broker(settings, client_id="second")
    subscribe_reliably(
        second, topics=topics, stream=MENTIONS, group=group, handler=second_seen, retry=FAST
    )
    publisher = EventPublisher(second, topics, [MENTIONS])
    async with second:
        await second.start()
        await publisher.publish(mentions(3, "b"))
        await eventually(second_seen.count, lambda n: n >= 3, what="the three new ones")
        await asyncio.sleep(1)  # room for a wrong redelivery of the first five to show up
    assert sorted(second_seen.subjects) == ["b0", "b1", "b2"]
