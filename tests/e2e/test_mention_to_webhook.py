"""A signed mention in at ingest, a signed webhook out of notify, through real Kafka and store."""

from __future__ import annotations

import asyncio
import json

from e2e.conftest import System
from ensemble_devtools.infra import Infra
from ensemble_shared.signatures import verify
from ensemble_shared.topics import MENTIONS, Topics
from support.kafka import header, read_topic
from support.mentions import mention_body, signed
from support.receiver import Receiver
from support.waiting import eventually


async def test_a_signed_mention_becomes_exactly_one_signed_webhook(system: System) -> None:
    with Receiver() as receiver:
        endpoint = await system.endpoint(receiver.url)
        source = await system.source()
        body = mention_body("e2e-1", text="The new loyalty app is great")
        first = await system.webhook(source, body, signed(source["secret"], body))
        again = await system.webhook(source, body, signed(source["secret"], body))
        assert (first.status_code, again.status_code) == (202, 202)
        assert [m["result"] for m in again.json()["mentions"]] == ["unchanged"]

        async def received() -> int:
            return len(receiver.received)

        await eventually(received, lambda n: n >= 1, what="the webhook")
        await asyncio.sleep(2)  # room for a duplicate to arrive, were there one
        assert len(receiver.received) == 1
        got = receiver.received[0]
    verify([endpoint["secret"]], got.headers, got.body)
    payload = json.loads(got.body)
    assert payload["type"] == "mention.received.v1"
    assert payload["data"]["mention_id"] == first.json()["mentions"][0]["mention_id"]
    assert payload["data"]["text"] == "The new loyalty app is great"


async def test_a_forged_mention_is_refused_and_nothing_moves_downstream(
    system: System, infra: Infra
) -> None:
    with Receiver() as receiver:
        await system.endpoint(receiver.url)
        source = await system.source()
        body = mention_body("e2e-forged")
        forged = {**signed(source["secret"], body), "webhook-signature": "v1,Zm9yZ2Vk"}
        response = await system.webhook(source, body, forged)
        assert response.status_code == 401
        await asyncio.sleep(2)
        assert receiver.received == []
    mentions = (await system.get("ingest", "/mentions", system.admin)).json()
    assert mentions["items"] == []
    topic = Topics(system.stack.topic_prefix).topic(MENTIONS)
    assert await read_topic(infra.kafka_bootstrap, topic, idle_ms=300) == []


async def test_four_consumer_groups_read_the_same_stream(system: System) -> None:
    with Receiver() as receiver:
        await system.endpoint(receiver.url)
        source = await system.source()
        body = mention_body("e2e-groups")
        created = await system.webhook(source, body, signed(source["secret"], body))
        mention_id = created.json()["mentions"][0]["mention_id"]

        async def projections() -> tuple[list[str], list[str], int]:
            social = (await system.get("feedback", "/social-mentions", system.manager)).json()
            targets = (await system.get("scheduler", "/reply-targets", system.manager)).json()
            return (
                [s["mention_id"] for s in social],
                [t["mention_id"] for t in targets],
                len(receiver.received),
            )

        await eventually(
            projections, lambda p: p == ([mention_id], [mention_id], 1), what="all consumers"
        )


async def test_a_poison_message_is_dead_lettered_by_every_group_and_the_stream_goes_on(
    system: System, infra: Infra
) -> None:
    from aiokafka import AIOKafkaProducer

    topics = Topics(system.stack.topic_prefix)
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        await producer.send_and_wait(
            topics.topic(MENTIONS), b'{"type": "mention.received.v1"}', key=b"poison"
        )
    finally:
        await producer.stop()
    with Receiver() as receiver:
        await system.endpoint(receiver.url)
        source = await system.source()
        body = mention_body("after-poison")
        accepted = await system.webhook(source, body, signed(source["secret"], body))
        assert accepted.status_code == 202

        async def received() -> int:
            return len(receiver.received)

        await eventually(received, lambda n: n == 1, what="the mention after the poison")
    readers = (
        "feedback",
        "feedback-handle-proofs",
        "feedback-suggestions",
        "insights.g1.mentions",
        "notify",
        "scheduler",
        "scheduler-crisis",
    )
    dead = await eventually(
        lambda: read_topic(infra.kafka_bootstrap, topics.dead_letter(MENTIONS), idle_ms=300),
        lambda records: len(records) >= len(readers),
        what="one dead letter per consumer group",
    )
    groups = sorted(header(r, "dlt_group") or "" for r in dead)
    assert groups == sorted(f"{topics.prefix}{g}" for g in readers)
    assert all((header(r, "dlt_reason") or "").startswith("malformed event") for r in dead)


async def test_every_service_serves_its_documents_health_and_metrics(system: System) -> None:
    for name in ("ingest", "feedback", "scheduler", "notify"):
        assert (await system.get(name, "/healthz")).json() == {"status": "ok", "service": name}
        assert (await system.get(name, "/readyz")).json()["status"] == "ready"
        openapi = (await system.get(name, "/openapi.json")).json()
        assert openapi["info"]["title"] == f"Ensemble {name}"
        asyncapi = (await system.get(name, "/asyncapi.json")).json()
        assert asyncapi["info"]["title"] == f"Ensemble {name}"
        assert asyncapi["channels"], name
        assert "ensemble_http_request_seconds" in (await system.get(name, "/metrics")).text
