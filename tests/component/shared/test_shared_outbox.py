"""The outbox on the real store and broker: state and event written together, published once."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta

from faststream.kafka import KafkaBroker

from ensemble_devtools.infra import Infra
from ensemble_shared.events import parse_event, utcnow
from ensemble_shared.kafka import EventPublisher
from ensemble_shared.kafka.publisher import OutgoingRecord
from ensemble_shared.outbox import Outbox, OutboxRelay
from ensemble_shared.storage import Database
from ensemble_shared.storage.idempotency import insert_new
from ensemble_shared.topics import MENTIONS, Topics
from support.kafka import read_topic
from support.mentions import a_mention
from support.waiting import eventually


async def published(infra: Infra, topics: Topics) -> list[str]:
    return [
        parse_event(r.value or b"").id
        for r in await read_topic(infra.kafka_bootstrap, topics.topic(MENTIONS))
    ]


async def test_a_write_and_its_event_go_together_and_only_new_writes_are_announced(
    infra: Infra, database: Database, broker: KafkaBroker, topics: Topics
) -> None:
    outbox = Outbox(EventPublisher(broker, topics, [MENTIONS]), topics, database)
    items = database["items"]
    await items.insert_one({"_id": "seen-before"})
    new, repeat = a_mention(), a_mention()
    documents = [
        outbox.stage({"_id": "m-1"}, [new]),
        outbox.stage({"_id": "seen-before"}, [repeat]),
    ]
    async with broker:
        await broker.start()
        written = await outbox.write(items, documents, lambda: insert_new(items, documents))
    assert written == {"m-1"}
    stored = await items.find_one({"_id": "m-1"})
    assert stored is not None
    assert new.id in stored["_outbox"]  # the event lives with the state
    # Nothing left for the relay (a cold broker may take the fast path past its bound: it
    # then finishes after the write returned).
    await eventually(lambda: outbox.pointers.count_documents({}), lambda n: n == 0)
    assert await published(infra, topics) == [new.id]


async def test_when_kafka_refuses_the_relay_publishes_later_exactly_what_was_written(
    infra: Infra, database: Database, broker: KafkaBroker, topics: Topics
) -> None:
    publisher = EventPublisher(broker, topics, [MENTIONS])
    outbox = Outbox(publisher, topics, database)
    items = database["items"]
    event = a_mention()
    # The broker is not started: publishing fails like an unreachable Kafka.
    documents = [outbox.stage({"_id": "m"}, [event])]
    written = await outbox.insert(items, documents)
    assert written == {"m"}
    assert await outbox.pointers.count_documents({}) == 1
    relay = OutboxRelay(outbox, publisher, grace=timedelta(0))
    async with broker:
        await broker.start()
        assert await relay.sweep_once() == 1
        assert await relay.sweep_once() == 0  # pointer gone: the relay never publishes it twice
    assert await published(infra, topics) == [event.id]


async def test_pointers_of_writes_that_never_happened_are_dropped_after_the_orphan_grace(
    database: Database, broker: KafkaBroker, topics: Topics
) -> None:
    publisher = EventPublisher(broker, topics, [MENTIONS])
    outbox = Outbox(publisher, topics, database)
    young, old = a_mention(), a_mention()
    await outbox.pointers.insert_many(
        [
            {
                "_id": young.id,
                "collection": "items",
                "doc_id": "x",
                "at": utcnow() - timedelta(seconds=30),
            },
            {
                "_id": old.id,
                "collection": "items",
                "doc_id": "y",
                "at": utcnow() - timedelta(hours=1),
            },
        ]
    )
    relay = OutboxRelay(
        outbox, publisher, grace=timedelta(seconds=5), orphan_grace=timedelta(minutes=10)
    )
    assert await relay.sweep_once() == 0
    assert [p["_id"] for p in await outbox.pointers.find().to_list(None)] == [young.id]


class SlowBroker(EventPublisher):
    """The real publisher behind a broker that takes `delay` seconds to acknowledge."""

    delay = 1.0

    async def publish_records(self, records: Sequence[OutgoingRecord]) -> None:
        await asyncio.sleep(self.delay)
        await super().publish_records(records)


async def test_a_publish_slower_than_the_bound_answers_at_once_and_finishes_in_the_background(
    infra: Infra, database: Database, broker: KafkaBroker, topics: Topics
) -> None:
    publisher = SlowBroker(broker, topics, [MENTIONS])
    outbox = Outbox(publisher, topics, database, fast_path_seconds=0.1, fast_path_rest_seconds=30)
    items = database["items"]
    late, resting = a_mention(), a_mention()
    async with broker:
        await broker.start()
        assert await outbox.insert(items, [outbox.stage({"_id": "late"}, [late])]) == {"late"}
        # Written and answered before Kafka acknowledged: the pointer still guards the event.
        assert await outbox.pointers.count_documents({}) == 1
        # The fast path rests after a slow publish: the next write leaves its event to the relay.
        await outbox.insert(items, [outbox.stage({"_id": "resting"}, [resting])])
        pointers = await eventually(
            lambda: outbox.pointers.distinct("_id"), lambda ids: late.id not in ids
        )
        assert pointers == [resting.id]
        assert await OutboxRelay(outbox, publisher, grace=timedelta(0)).sweep_once() == 1
    assert sorted(await published(infra, topics)) == sorted([late.id, resting.id])
