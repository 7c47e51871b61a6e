"""Batch ingest (with triage) against its raw parts, measured in one run on one broker and store.

Arms, interleaved every round after a warm-up round:
- produce_raw: aiokafka with ingest's producer settings, pre-serialized events, send + gather;
- insert_mention_raw / insert_mention_pymongo: `insert_many` of the mention documents ingest
  stores (same index; motor, then PyMongo's AsyncMongoClient for the driver comparison);
- insert_payload_raw: `insert_many` of the raw payload documents ingest archives;
- insert_small_raw / delete_small_raw: the small documents ingest inserts and deletes (outbox
  and raw-archive pointers, raw outcomes, spike observations): `insert_many`, `delete_many`;
- ingest: `IngestPipeline.ingest_items` on ~1 KB mentions — archive, validate, triage with 20
  rules, dedup, store, announce with acks, settle, count for spikes — in batches;
- ingest_no_triage: the same with triage replaced by a constant, to price triage;
- per_item: the same pipeline fed one mention at a time (the per-item design of this work);
- per_item_naive: the skeleton's naive design, `insert_one` + `send_and_wait` per mention,
  which does far less (no archive, triage or second event): reported, not a target here.

Per mention ingest inserts 5 small documents (raw pointer, 2 outbox pointers, raw outcome, spike
observation), deletes 3 small documents, inserts 1 payload and 1 mention and publishes 2 events,
so X_max = 1 / (5/small_in + 3/small_out + 1/payload + 1/mention + 2/produce).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from importlib.metadata import version
from typing import Any

from aiokafka import AIOKafkaProducer
from pymongo import AsyncMongoClient

from bench.report import Arm, Target, show, write
from bench.triage import QUERIES
from ensemble_devtools.infra import Infra
from ensemble_ingest.connectors.base import MentionChange, MentionUpsert
from ensemble_ingest.models.mentions import GenericWebhook, Mention
from ensemble_ingest.models.raw import RawPayload
from ensemble_ingest.models.sources import GenericConfig, Source
from ensemble_ingest.models.triage import TriageResult
from ensemble_ingest.services.pipeline import IngestPipeline, _arrival_events, _triaged
from ensemble_ingest.services.spikes import SpikeDetection
from ensemble_ingest.services.triage import TriageProvider
from ensemble_ingest.storage import INDEXES, MentionRepository, RawArchive
from ensemble_ingest.storage.mentions import _document
from ensemble_ingest.storage.raw import payload_document
from ensemble_ingest.storage.spikes import SpikeStore
from ensemble_ingest.triage import Rule, RuleActions, Triage, TriageSettings
from ensemble_shared.events import new_id
from ensemble_shared.kafka import EventPublisher, OutgoingRecord, create_broker, record_for
from ensemble_shared.outbox import Outbox
from ensemble_shared.settings import KafkaSettings, MongoSettings
from ensemble_shared.storage import Client, Database, create_client, ensure_indexes
from ensemble_shared.topics import MENTIONS, Topics, ensure_topics
from support.mentions import mention_body

BATCH = 500
IN_FLIGHT = 2
RULES = TriageSettings(
    rules=[
        Rule(name=f"rule {i}", query=q, actions=RuleActions(tags=[f"t{i}"]))
        for i, q in enumerate(QUERIES)
    ]
)


class ConstantTriage(Triage):
    """Triage priced at zero: what ingest would cost if triage were free."""

    def __init__(self) -> None:
        super().__init__(TriageSettings())
        self._result = TriageResult(
            language="en",
            sentiment="neutral",
            sentiment_score=0.0,
            tags=[],
            priority="normal",
            team=None,
            kind=None,
            vip=False,
            matched_rules=[],
        )

    def apply(self, text: str, *, platform: str, author_handle: str) -> TriageResult:
        return self._result


class FixedTriage(TriageProvider):
    def __init__(self, triage: Triage) -> None:
        self._triage = triage

    async def for_workspace(self, workspace: str) -> Triage:
        return self._triage


def _parse(source: Source, raw: RawPayload) -> list[MentionChange]:
    return [MentionUpsert(mention=GenericWebhook.model_validate(raw.item).data)]


# ~1 KB posts as customers write them: one subject each, in English and French.
POSTS = [
    "@AcmeHelp I have been a loyal customer for six years and I really want to like the new app, "
    "but since the last update it keeps logging me out every time I switch to another app. I "
    "reinstalled it twice, cleared the cache, tried on my partner's phone as well, same thing. "
    "Your support chat told me to wait for a fix but that was two weeks ago and nothing changed. "
    "Meanwhile my order from Tuesday still shows as processing although the courier says it was "
    "delivered to a neighbour I do not know. I am not asking for much: tell me where my parcel "
    "is, and make the app usable again. Until then I will keep ordering from the shop in town, "
    "which is a shame because your prices are usually better and the staff in store are lovely. "
    "Please sort this out, and maybe test updates on older phones before shipping them. I have "
    "screenshots of the error and the tracking page if your team needs them, just ask. "
    "Order number and account email in DM if that helps you find it faster. "
    "https://t.co/Xy12AbC",
    "Bonjour @AcmeFrance, je voulais simplement vous remercier pour l'accueil hier soir au "
    "magasin de Lyon. La vendeuse a pris le temps de m'expliquer les différences entre les deux "
    "modèles, sans jamais essayer de me pousser vers le plus cher, et elle m'a même conseillé "
    "d'attendre les soldes pour l'accessoire dont je n'avais pas besoin tout de suite. C'est "
    "rare aujourd'hui. J'ai ensuite testé l'application pour suivre ma commande et tout était "
    "clair, avec des notifications au bon moment. Seul petit bémol : le parking est toujours "
    "aussi compliqué le samedi, mais ce n'est pas de votre faute. Bravo à toute l'équipe, je "
    "reviendrai avec plaisir et je parlerai de vous autour de moi. Continuez comme ça, vraiment, "
    "c'est agréable d'être traité comme une personne et pas comme un numéro. Merci encore ! "
    "Et merci aussi au livreur, ponctuel et souriant malgré la pluie battante de ce matin. "
    "Je recommande sans hésiter à mes collègues. "
    "https://t.co/Ab34Cd",
]


def _items(count: int, tag: str) -> list[dict[str, Any]]:
    return [
        json.loads(mention_body(f"{tag}-{n}", text=POSTS[n % len(POSTS)])) for n in range(count)
    ]


async def _timed(count: int, run: Callable[[], Awaitable[object]]) -> float:
    started = time.perf_counter()
    await run()
    return count / (time.perf_counter() - started)


async def run(infra: Infra, *, rounds: int, mentions: int, per_item: int) -> bool:
    kafka = KafkaSettings(
        bootstrap_servers=infra.kafka_bootstrap, topic_prefix=f"bench{new_id()[:8]}."
    )
    topics = Topics(kafka.topic_prefix)
    await ensure_topics(infra.kafka_bootstrap, topics)
    client: Client = create_client(MongoSettings(url=infra.mongodb_url))
    pymongo_client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        infra.mongodb_url, tz_aware=True
    )
    broker = create_broker(kafka, client_id="bench")
    publisher = EventPublisher(broker, topics, [MENTIONS])
    producer = AIOKafkaProducer(
        bootstrap_servers=infra.kafka_bootstrap,
        enable_idempotence=True,
        acks="all",
        linger_ms=kafka.linger_ms,
        max_batch_size=kafka.max_batch_size,
        compression_type=kafka.compression_type,
    )
    source = Source(workspace="bench", name="bench", config=GenericConfig(secrets=["whsec_AA=="]))
    topic = topics.topic(MENTIONS)
    triage = Triage(RULES)
    databases: list[str] = []

    arms = {
        "produce_raw": Arm("produce_raw", "events: aiokafka send()+gather, acks=all, idempotent"),
        "insert_mention_raw": Arm("insert_mention_raw", "mention docs: insert_many (motor)"),
        "insert_mention_pymongo": Arm(
            "insert_mention_pymongo", "mention docs: insert_many (PyMongo async)"
        ),
        "insert_payload_raw": Arm("insert_payload_raw", "raw payload docs: insert_many"),
        "insert_small_raw": Arm("insert_small_raw", "pointer-sized docs: insert_many"),
        "delete_small_raw": Arm("delete_small_raw", "pointer-sized docs: delete_many by _id"),
        "ingest": Arm(
            "ingest", f"IngestPipeline.ingest_items, triage with 20 rules, batches of {BATCH}"
        ),
        "ingest_no_triage": Arm("ingest_no_triage", "the same, triage replaced by a constant"),
        "per_item": Arm("per_item", "the same pipeline fed one mention at a time"),
        "per_item_naive": Arm("per_item_naive", "insert_one + send_and_wait per mention"),
    }

    async def fresh_database(name: str) -> Database:
        database_name = f"bench_{new_id()[:8]}_{name}"
        databases.append(database_name)
        database = client[database_name]
        await ensure_indexes(database, INDEXES)
        return database

    def pipeline(database: Database, with_triage: Triage) -> IngestPipeline:
        outbox = Outbox(publisher, topics, database)
        provider = FixedTriage(with_triage)
        spikes = SpikeDetection(
            SpikeStore(database["spike_observations"], database["spikes"], outbox),
            bucket=timedelta(minutes=5),
            window=12,
            k=3.0,
            min_count=10,
        )
        return IngestPipeline(
            raws=RawArchive(
                database["raw_payloads"], database["raw_outcomes"], database["raw_pending"]
            ),
            mentions=MentionRepository(database["mentions"], outbox),
            triage=provider,
            parse=_parse,
            observers=[spikes],
        )

    async def one_round(tag: str, record: bool) -> None:
        items = _items(mentions, tag)
        staged = [
            _triaged(
                Mention.from_incoming("bench", source.id, GenericWebhook.model_validate(i).data),
                triage,
            )
            for i in items
        ]
        events = [e for m in staged for e in _arrival_events(m)]
        records: list[OutgoingRecord] = [record_for(e, topics) for e in events]
        raw_database = await fresh_database(f"raw_{tag}")
        outbox = Outbox(publisher, topics, raw_database)
        mention_docs = [outbox.stage(_document(m), _arrival_events(m)) for m in staged]
        payload_docs = [
            payload_document(
                RawPayload(
                    workspace="bench", source_id=source.id, platform="generic", kind="item", item=i
                )
            )
            for i in items
        ]
        small_docs = [
            {"_id": new_id(), "collection": "mentions", "doc_id": m.id, "at": m.received_at}
            for m in staged
        ]

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

        async def insert(collection: str, documents: Sequence[dict[str, Any]]) -> None:
            await raw_database[collection].insert_many([dict(d) for d in documents], ordered=False)

        async def insert_pymongo() -> None:
            target = pymongo_client[raw_database.name]["mentions_pymongo"]
            await target.insert_many([dict(d) for d in mention_docs], ordered=False)

        async def delete_small() -> None:
            await raw_database["small"].delete_many(
                {"_id": {"$in": [d["_id"] for d in small_docs]}}
            )

        def ingest_with(triaging: Triage, database: Database) -> Callable[[], Awaitable[None]]:
            line = pipeline(database, triaging)

            async def go() -> None:
                # Two batches in flight, as with concurrent sources or webhook requests: one
                # batch's Python work overlaps the other's wait on the store and the broker.
                slots = asyncio.Semaphore(IN_FLIGHT)

                async def one(batch: list[dict[str, Any]]) -> None:
                    async with slots:
                        await line.ingest_items(source, batch, correlation_id=new_id())

                batches = [items[s : s + BATCH] for s in range(0, len(items), BATCH)]
                await asyncio.gather(*(one(b) for b in batches))

            return go

        ingest_db, plain_db = (
            await fresh_database(f"ingest_{tag}"),
            await fresh_database(f"plain_{tag}"),
        )
        naive_db = await fresh_database(f"naive_{tag}")
        single_db = await fresh_database(f"single_{tag}")
        single = pipeline(single_db, triage)

        async def one_by_one() -> None:
            for item in items[:per_item]:
                await single.ingest_items(source, [item], correlation_id=new_id())

        async def naive() -> None:
            for m in staged[:per_item]:
                entry = record_for(_arrival_events(m)[0], topics)
                await naive_db["mentions"].insert_one(_document(m))
                await producer.send_and_wait(topic, entry.value, key=entry.key.encode())

        measured = {
            "produce_raw": await _timed(len(records), produce),
            "insert_mention_raw": await _timed(mentions, lambda: insert("mentions", mention_docs)),
            "insert_mention_pymongo": await _timed(mentions, insert_pymongo),
            "insert_payload_raw": await _timed(
                mentions, lambda: insert("raw_payloads", payload_docs)
            ),
            "insert_small_raw": await _timed(mentions, lambda: insert("small", small_docs)),
            "delete_small_raw": await _timed(mentions, delete_small),
            "ingest": await _timed(mentions, ingest_with(triage, ingest_db)),
            "ingest_no_triage": await _timed(mentions, ingest_with(ConstantTriage(), plain_db)),
            "per_item": await _timed(per_item, one_by_one),
            "per_item_naive": await _timed(per_item, naive),
        }
        stored = await ingest_db["mentions"].count_documents({})
        assert stored == mentions, (
            f"{stored} mentions stored of {mentions}"
        )  # nothing lost or twice
        if record:
            for name, rate in measured.items():
                arms[name].rates.append(rate)
        for name in databases:
            await client.drop_database(name)
        databases.clear()

    await producer.start()
    async with broker:
        await broker.start()
        try:
            await one_round("warmup", record=False)
            for n in range(rounds):
                await one_round(f"r{n}", record=True)
        finally:
            await producer.stop()
            for name in databases:
                await client.drop_database(name)
            client.close()
            await pymongo_client.close()

    m = {name: arm.median for name, arm in arms.items()}
    tags_per_mention = sum(
        len(triage.apply(p, platform="forum", author_handle="camille").tags) for p in POSTS
    ) / len(POSTS)
    small_inserts = 5  # raw pointer, 2 outbox pointers, raw outcome, spike observation
    x_max = 1 / (
        small_inserts / m["insert_small_raw"]
        + 3 / m["delete_small_raw"]
        + 1 / m["insert_payload_raw"]
        + 1 / m["insert_mention_raw"]
        + 2 / m["produce_raw"]
    )
    derived = {
        "X_max mentions/s (1 / sum of k_i/R_i over the operations above)": x_max,
        "ingest / per_item_naive (reported)": m["ingest"] / m["per_item_naive"],
    }
    targets = [
        Target("ingest / X_max", m["ingest"] / x_max, 0.75),
        Target(
            "ingest / per_item (the same work, one at a time)", m["ingest"] / m["per_item"], 10.0
        ),
        Target(
            "ingest / ingest_no_triage (triage adds <= 20%)",
            m["ingest"] / m["ingest_no_triage"],
            1 / 1.2,
        ),
    ]
    build = await _store_version(infra)
    sample = _items(2, "size")
    settings_shown: dict[str, Any] = {
        "store": f"{infra.store} ({build})",
        "store write concern": "default (w:1)",
        "kafka": f"{infra.kafka_bootstrap} ({infra.mode})",
        "producer": (
            f"acks=all, idempotent, linger_ms={kafka.linger_ms}, "
            f"max_batch_size={kafka.max_batch_size}, compression={kafka.compression_type}"
        ),
        "mentions per round": mentions,
        "per_item mentions per round": per_item,
        "ingest batch": BATCH,
        "rounds (after 1 warm-up)": rounds,
        "mention text bytes": len(sample[0]["data"]["text"].encode()),
        "triage": f"{len(RULES.rules)} rules, FR/EN language and sentiment",
        "tags per mention (spike topics)": tags_per_mention,
        "ingest batches in flight": IN_FLIGHT,
        "versions": ", ".join(
            f"{n} {version(n)}" for n in ("faststream", "aiokafka", "motor", "pymongo")
        ),
    }
    listed = list(arms.values())
    show("Batch ingest with triage vs its raw parts", settings_shown, listed, derived, targets)
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
