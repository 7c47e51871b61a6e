"""kill -9 notify (a real process) while it fans approval steps out to a webhook and to
people's inboxes; restart it; count every (event, recipient, channel) like Kafka's system
tests count: missing = 0, in-app items exactly once, webhook resends only with the same id."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Callable

import httpx
import pytest

from ensemble_devtools.issuer import LocalIssuer
from ensemble_devtools.stack import Stack
from ensemble_shared.auth import Role
from ensemble_shared.kafka import EventPublisher, create_broker
from ensemble_shared.settings import KafkaSettings, MongoSettings
from ensemble_shared.storage import create_client
from ensemble_shared.topics import APPROVALS, Topics, ensure_topics
from support.apps import bearer
from support.faults import kill_and_restart_after, notify_records
from support.notify_events import a_step_opened
from support.receiver import Receiver
from support.waiting import eventually

EVENTS = 300
PEOPLE = [f"approver-{n}" for n in range(4)]
CONCURRENCY = 32  # deliveries in flight: the most a crash can leave half-done


@pytest.mark.timeout(900)
async def test_kill_9_notify_mid_fan_out_delivers_every_channel_once(
    stack_factory: Callable[..., Stack], issuer: LocalIssuer
) -> None:
    stack = stack_factory(
        env={
            "NOTIFY_SWEEP_INTERVAL_SECONDS": "0.5",
            "NOTIFY_LEASE_SECONDS": "3",
            "NOTIFY_CONCURRENCY": str(CONCURRENCY),
        }
    )
    topics = Topics(stack.topic_prefix)
    await ensure_topics(stack.infra.kafka_bootstrap, topics)
    stack.start("notify")
    await asyncio.to_thread(stack.wait_ready, "notify")
    admin = bearer(issuer, "acme", Role.ADMIN)
    events = [a_step_opened(*PEOPLE, external_email=None) for _ in range(EVENTS)]
    producer = create_broker(
        KafkaSettings(bootstrap_servers=stack.infra.kafka_bootstrap), client_id="scheduler-stand-in"
    )
    publisher = EventPublisher(producer, topics, [APPROVALS])

    with Receiver() as receiver:
        async with httpx.AsyncClient(timeout=30) as client, producer:
            await producer.start()
            notify = stack.services["notify"].url
            created = await client.post(
                f"{notify}/endpoints",
                json={"url": receiver.url, "events": ["approval.step_opened.v1"]},
                headers=admin,
            )
            assert created.status_code == 201, created.text
            endpoint = created.json()["id"]
            for person in PEOPLE:
                response = await client.put(
                    f"{notify}/people/{person}", json={"name": person}, headers=admin
                )
                assert response.status_code == 200, response.text
            for start in range(0, EVENTS, 50):
                await publisher.publish(events[start : start + 50])

            killed_after = await kill_and_restart_after(
                stack,
                "notify",
                receiver,
                at_least=EVENTS // 4,
                env={"NOTIFY_CONCURRENCY": str(CONCURRENCY)},
            )

            expected = EVENTS * (1 + len(PEOPLE))
            outcomes = await eventually(
                lambda: notify_records(stack),
                lambda s: s["delivered"] == expected and s["queued"] == 0,
                timeout=300,
                what="every delivery recorded as delivered",
            )

    webhook_ids = Counter(r.headers["webhook-id"] for r in receiver.delivered())
    by_event = Counter(json.loads(r.body)["data"]["event_id"] for r in receiver.delivered())
    inbox = await inbox_items(stack)
    wanted_inbox = {(e.id, p) for e in events for p in PEOPLE}
    raw_duplicates = sum(n - 1 for n in by_event.values())
    print(
        f"\nevents={EVENTS} deliveries={expected} killed_after={killed_after} webhooks "
        f"webhook_missing={EVENTS - len(by_event)} webhook_resends={raw_duplicates} "
        f"inbox_items={sum(inbox.values())} inbox_missing={len(wanted_inbox - set(inbox))}"
    )
    # webhooks: every event reached the endpoint; a resend only for an attempt in flight at
    # the kill, and always under the same webhook-id, so a receiver's dedupe makes it once.
    assert set(by_event) == {e.id for e in events}
    assert set(webhook_ids) == {e.id for e in events}
    assert webhook_ids == by_event
    assert raw_duplicates <= CONCURRENCY
    # in-app: every (event, person) exactly once, nothing else
    assert set(inbox) == wanted_inbox
    assert all(n == 1 for n in inbox.values())
    # notify's own records: one delivery and one outcome each, nothing left queued
    assert outcomes == {"delivered": expected, "deliveries": expected, "queued": 0}
    assert endpoint


async def inbox_items(stack: Stack) -> Counter[tuple[str, str]]:
    client = create_client(MongoSettings(url=stack.infra.mongodb_url))
    try:
        database = client[f"{stack.database_prefix}notify"]
        items = await database["inbox"].find({}, {"event_id": 1, "person": 1}).to_list(None)
        return Counter((d["event_id"], d["person"]) for d in items)
    finally:
        client.close()
