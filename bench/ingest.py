"""Batch ingest against its raw parts, measured in one run on the same broker and store.

Arms (interleaved every round, after a warm-up round):
- produce_raw: aiokafka, the producer settings ingest uses, pre-serialized events, send + gather;
- insert_raw_motor / insert_raw_pymongo: `insert_many` of the documents ingest stores, same index;
- pointer_insert_raw / pointer_delete_raw: the outbox pointers written before and deleted after
  publishing (`insert_many`, then one `delete_many` by `_id`);
- ingest: the service layer from raw webhook bodies — validate, dedup, store with outbox, publish
  with acks — in batches;
- per_item: the naive design, `insert_one` + `send_and_wait` per mention.

X_max = 1 / (1/insert + 1/produce + 1/pointer_insert + 1/pointer_delete): the most a mention can
go at if ingest did nothing but the four I/O operations it needs, each at its raw rate.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from importlib.metadata import version
from typing import Any

from aiokafka import AIOKafkaProducer
from pymongo import AsyncMongoClient

from bench.report import Arm, Target, show, write
from ensemble_devtools.infra import Infra
from ensemble_ingest.models.mentions import GenericWebhook, Mention
from ensemble_ingest.models.sources import Source
from ensemble_ingest.services.mentions import SOURCE, MentionService
from ensemble_ingest.storage import INDEXES, MentionRepository
from ensemble_ingest.storage.mentions import _document
from ensemble_shared.events import MentionReceivedV1, new_id
from ensemble_shared.kafka import EventPublisher, create_broker, record_for
from ensemble_shared.settings import KafkaSettings, MongoSettings
from ensemble_shared.storage import Collection, Database, create_client, ensure_indexes
from ensemble_shared.storage.outbox import INDEXES as OUTBOX_INDEXES
from ensemble_shared.storage.outbox import Outbox
from ensemble_shared.topics import MENTIONS, Topics, ensure_topics
from support.mentions import mention_body

BATCH = 500


def _bodies(count: int, tag: str) -> list[bytes]:
    return [
        mention_body(f"{tag}-{n}", text=f"Mention {n}: the new app is great, merci !")
        for n in range(count)
    ]


def _staged(bodies: list[bytes], source: Source) -> list[tuple[Mention, MentionReceivedV1]]:
    staged = []
    for body in bodies:
        mention = Mention.from_incoming(
            source.workspace, source.id, GenericWebhook.model_validate_json(body).data
        )
        event = MentionReceivedV1(
            source=SOURCE,
            subject=mention.id,
            workspace=mention.workspace,
            data=mention.event_data(),
        )
        staged.append((mention, event))
    return staged


async def _timed(count: int, run: Callable[[], Awaitable[None]]) -> float:
    started = time.perf_counter()
    await run()
    return count / (time.perf_counter() - started)


async def run(infra: Infra, *, rounds: int, mentions: int, per_item: int) -> bool:
    settings = KafkaSettings(
        bootstrap_servers=infra.kafka_bootstrap, topic_prefix=f"bench{new_id()[:8]}."
    )
    topics = Topics(settings.topic_prefix)
    await ensure_topics(infra.kafka_bootstrap, topics)
    motor_client = create_client(MongoSettings(url=infra.mongodb_url))
    pymongo_client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        infra.mongodb_url, tz_aware=True
    )
    database_name = f"bench_{new_id()[:8]}"
    database: Database = motor_client[database_name]
    broker = create_broker(settings, client_id="bench")
    publisher = EventPublisher(broker, topics, [MENTIONS])
    producer = AIOKafkaProducer(
        bootstrap_servers=infra.kafka_bootstrap,
        enable_idempotence=True,
        acks="all",
        linger_ms=settings.linger_ms,
        max_batch_size=settings.max_batch_size,
        compression_type=settings.compression_type,
    )
    source = Source(workspace="bench", name="bench", platform="generic", secrets=["whsec_AA=="])
    outbox = Outbox(publisher, topics, database)
    topic = topics.topic(MENTIONS)

    arms = {
        "produce_raw": Arm("produce_raw", "aiokafka send()+gather, acks=all, idempotent"),
        "insert_raw_motor": Arm("insert_raw_motor", "insert_many (motor), unordered, same index"),
        "insert_raw_pymongo": Arm("insert_raw_pymongo", "insert_many (PyMongo AsyncMongoClient)"),
        "pointer_insert_raw": Arm("pointer_insert_raw", "outbox pointers: insert_many"),
        "pointer_delete_raw": Arm("pointer_delete_raw", "outbox pointers: delete_many by _id"),
        "ingest": Arm("ingest", f"MentionService.ingest from raw bodies, batches of {BATCH}"),
        "per_item": Arm("per_item", "insert_one + send_and_wait per mention"),
    }

    await ensure_indexes(database, OUTBOX_INDEXES)

    async def fresh(name: str) -> Collection:
        collection = database[name]
        await ensure_indexes(database, {name: INDEXES["mentions"]})
        return collection

    async def one_round(tag: str, record: bool) -> None:
        bodies = _bodies(mentions, tag)
        staged = _staged(bodies, source)
        records = [record_for(event, topics) for _, event in staged]
        documents = [outbox.stage(_document(m), [e]) for m, e in staged]

        async def produce() -> None:
            futures = [
                await producer.send(
                    topic,
                    r.value,
                    key=r.key.encode(),
                    headers=[(k, v.encode()) for k, v in r.headers.items()],
                )
                for r in records
            ]
            await asyncio.gather(*futures)

        motor_target = await fresh(f"raw_motor_{tag}")
        pymongo_target = pymongo_client[database_name][f"raw_pymongo_{tag}"]
        await ensure_indexes(database, {f"raw_pymongo_{tag}": INDEXES["mentions"]})
        ingest_target = await fresh(f"ingest_{tag}")
        service = MentionService(MentionRepository(ingest_target, outbox))
        per_item_target = await fresh(f"per_item_{tag}")
        per_item_staged = staged[:per_item]

        async def insert_motor() -> None:
            await motor_target.insert_many([dict(d) for d in documents], ordered=False)

        async def insert_pymongo() -> None:
            await pymongo_target.insert_many([dict(d) for d in documents], ordered=False)

        pointer_target = database[f"raw_pointers_{tag}"]
        pointers = [
            {"_id": e.id, "collection": "mentions", "doc_id": m.id, "at": e.time} for m, e in staged
        ]

        async def insert_pointers() -> None:
            await pointer_target.insert_many([dict(p) for p in pointers], ordered=False)

        async def delete_pointers() -> None:
            await pointer_target.delete_many({"_id": {"$in": [p["_id"] for p in pointers]}})

        async def ingest() -> None:
            for start in range(0, len(bodies), BATCH):
                items = [
                    GenericWebhook.model_validate_json(b).data
                    for b in bodies[start : start + BATCH]
                ]
                await service.ingest(source, items, correlation_id=new_id())

        async def naive() -> None:
            for mention, event in per_item_staged:
                entry = record_for(event, topics)
                await per_item_target.insert_one(_document(mention))
                await producer.send_and_wait(topic, entry.value, key=entry.key.encode())

        measured = {
            "produce_raw": await _timed(mentions, produce),
            "insert_raw_motor": await _timed(mentions, insert_motor),
            "insert_raw_pymongo": await _timed(mentions, insert_pymongo),
            "pointer_insert_raw": await _timed(mentions, insert_pointers),
            "pointer_delete_raw": await _timed(mentions, delete_pointers),
            "ingest": await _timed(mentions, ingest),
            "per_item": await _timed(len(per_item_staged), naive),
        }
        assert await ingest_target.count_documents({}) == mentions  # nothing lost, nothing twice
        if record:
            for name, rate in measured.items():
                arms[name].rates.append(rate)
        for name in (
            f"raw_motor_{tag}",
            f"raw_pymongo_{tag}",
            f"ingest_{tag}",
            f"per_item_{tag}",
            f"raw_pointers_{tag}",
        ):
            await database.drop_collection(name)

    await producer.start()
    async with broker:
        await broker.start()
        try:
            await one_round("warmup", record=False)
            for n in range(rounds):
                await one_round(f"r{n}", record=True)
        finally:
            await producer.stop()
            await motor_client.drop_database(database_name)
            motor_client.close()
            await pymongo_client.close()

    insert = arms["insert_raw_motor"].median
    produce = arms["produce_raw"].median
    pointer_in = arms["pointer_insert_raw"].median
    pointer_out = arms["pointer_delete_raw"].median
    x_max = 1 / (1 / insert + 1 / produce + 1 / pointer_in + 1 / pointer_out)
    derived = {
        "X_max per second (1 / Σ 1/R_i over insert, produce, pointer in, pointer out)": x_max
    }
    targets = [
        Target("ingest / X_max", arms["ingest"].median / x_max, 0.75),
        Target("ingest / per_item", arms["ingest"].median / arms["per_item"].median, 10.0),
    ]
    build = await _store_version(infra)
    settings_shown: dict[str, Any] = {
        "store": f"{infra.store} ({build})",
        "store write concern": "default (w:1)",
        "kafka": f"{infra.kafka_bootstrap} ({infra.mode})",
        "producer": (
            f"acks=all, idempotent, linger_ms={settings.linger_ms}, "
            f"max_batch_size={settings.max_batch_size}, compression={settings.compression_type}"
        ),
        "mentions per round": mentions,
        "per_item mentions per round": per_item,
        "ingest batch": BATCH,
        "rounds (after 1 warm-up)": rounds,
        "payload bytes (event, median)": sorted(
            len(record_for(e, topics).value) for _, e in _staged(_bodies(50, "size"), source)
        )[25],
        "versions": ", ".join(
            f"{name} {version(name)}" for name in ("faststream", "aiokafka", "motor", "pymongo")
        ),
    }
    listed = list(arms.values())
    show("Batch ingest vs its raw parts", settings_shown, listed, derived, targets)
    path = write("ingest", settings_shown, listed, derived, targets)
    print(f"written: {path}")
    return all(t.met for t in targets)


async def _store_version(infra: Infra) -> str:
    client = create_client(MongoSettings(url=infra.mongodb_url))
    try:
        info = await client.admin.command("buildInfo")
        return str(info.get("ferretdbVersion") or info.get("version"))
    finally:
        client.close()
