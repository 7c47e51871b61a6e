"""The outbox on the real store and broker: state and event written together, published once."""

from __future__ import annotations

from datetime import timedelta

from faststream.kafka import KafkaBroker

from ensemble_devtools.infra import Infra
from ensemble_shared.events import parse_event
from ensemble_shared.kafka import EventPublisher
from ensemble_shared.storage import Database
from ensemble_shared.storage.outbox import PENDING, Outbox, OutboxRelay
from ensemble_shared.topics import MENTIONS, Topics
from support.kafka import read_topic
from unit.test_envelope import a_mention


async def test_a_write_and_its_event_go_together_and_the_fast_path_clears_it(
    infra: Infra, database: Database, broker: KafkaBroker, topics: Topics
) -> None:
    publisher = EventPublisher(broker, topics, [MENTIONS])
    outbox = Outbox(publisher, topics)
    items = database["items"]
    event = a_mention()
    await items.insert_one(outbox.stage({"_id": "m-1", "text": "hello"}, [event]))
    assert await items.count_documents(PENDING) == 1  # the event is stored with the state
    async with broker:
        await broker.start()
        assert await outbox.dispatch(items, {"m-1": [event]})
    assert await items.count_documents(PENDING) == 0
    on_topic = await read_topic(infra.kafka_bootstrap, topics.topic(MENTIONS))
    assert [parse_event(r.value or b"").id for r in on_topic] == [event.id]
    assert on_topic[0].key == b"m-1"


async def test_events_a_crash_left_behind_are_published_by_the_relay_after_the_grace(
    infra: Infra, database: Database, broker: KafkaBroker, topics: Topics
) -> None:
    publisher = EventPublisher(broker, topics, [MENTIONS])
    outbox = Outbox(publisher, topics)
    items = database["items"]
    left_behind, fresh = a_mention(), a_mention()
    await items.insert_one(outbox.stage({"_id": "old"}, [left_behind]))
    await items.update_one({"_id": "old"}, {"$set": {f"_outbox.{left_behind.id}.at": left_behind.time - timedelta(minutes=1)}})
    await items.insert_one(outbox.stage({"_id": "new"}, [fresh]))  # its writer may still publish it
    relay = OutboxRelay(publisher, [items], grace=timedelta(seconds=30))
    async with broker:
        await broker.start()
        assert await relay.sweep_once() == 1
        assert await relay.sweep_once() == 0  # cleared: never published twice by the relay
    on_topic = await read_topic(infra.kafka_bootstrap, topics.topic(MENTIONS))
    assert [parse_event(r.value or b"").id for r in on_topic] == [left_behind.id]
    assert await items.count_documents(PENDING) == 1  # the fresh one waits for its writer


async def test_when_kafka_refuses_the_fast_path_leaves_the_events_for_the_relay(
    database: Database, broker: KafkaBroker, topics: Topics
) -> None:
    publisher = EventPublisher(broker, topics, [MENTIONS])
    outbox = Outbox(publisher, topics)
    items = database["items"]
    event = a_mention()
    await items.insert_one(outbox.stage({"_id": "m"}, [event]))
    # The broker was never started: publishing fails like an unreachable Kafka.
    assert not await outbox.dispatch(items, {"m": [event]})
    assert await items.count_documents(PENDING) == 1
