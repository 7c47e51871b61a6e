"""Notify's fan-out against a raw baseline of the same inserts and HTTP posts, in one run.

Workload: `events` approval.step_opened events, each reaching `recipients` recipients, where a
recipient is one delivery target: half are people of the directory named as the step's
approvers, reached in-app (an inbox item inserted), half are webhook endpoints subscribed to
the event type, reached by a signed POST to a real local HTTP receiver (uvicorn in a thread).
So 1,000 events x 50 recipients = 25,000 inbox items + 25,000 webhook POSTs.

Arms, measured in the same run on the same broker, store and receiver:
- notify: the real app in-process (`create_app`, its lifespan), consuming the events from real
  Kafka: routing, rendering, one delivery + queue entry + claimed attempt + outcome (with its
  outbox event) per delivery, sent by the channels;
- raw: the same inbox documents inserted with `insert_many` (batches of 500) while the same
  bodies are POSTed to the same receiver with the same concurrency, no routing, no records.
Throughput is deliveries per second from the first publish (or first raw write) to the last
delivery seen. End-to-end latency is from the event's time to the receiver's receipt (webhook)
or to the inbox item's creation (in-app); p50/p99 are reported.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # receiver, events

import httpx
from starlette.requests import Request
from starlette.responses import Response

from bench.report import Arm, Target, show, write
from ensemble_devtools.infra import Infra, resolve
from ensemble_devtools.issuer import LocalIssuer
from ensemble_notify.config import NotifySettings
from ensemble_notify.main import create_app
from ensemble_shared.auth import Role
from ensemble_shared.events import new_id
from ensemble_shared.kafka import EventPublisher, create_broker
from ensemble_shared.settings import KafkaSettings, MongoSettings
from ensemble_shared.storage import create_client
from ensemble_shared.topics import APPROVALS, Topics, ensure_topics
from support.apps import running
from support.notify_events import a_step_opened
from support.receiver import Receiver

CONCURRENCY = 32  # notify's default deliveries in flight; the raw arm posts with as many
PUBLISH_BATCH = 200


class TimedReceiver(Receiver):
    """Answers 204 and keeps only (receipt time, webhook-id) per request."""

    def __init__(self) -> None:
        super().__init__()
        self.receipts: list[tuple[float, str]] = []
        self._receipts_lock = threading.Lock()

    async def _handle(self, request: Request) -> Response:
        await request.body()
        with self._receipts_lock:
            self.receipts.append((time.time(), request.headers.get("webhook-id", "")))
        return Response(status_code=204)

    def count(self) -> int:
        with self._receipts_lock:
            return len(self.receipts)

    def reset(self) -> None:
        with self._receipts_lock:
            self.receipts.clear()


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _notify_arm(
    infra: Infra, receiver: TimedReceiver, *, events: int, people: int, endpoints: int
) -> tuple[float, list[float], list[float]]:
    tag = f"bn{new_id()[:8]}"
    issuer = LocalIssuer()
    settings = NotifySettings(
        kafka=KafkaSettings(bootstrap_servers=infra.kafka_bootstrap, topic_prefix=f"{tag}."),
        mongo=MongoSettings(url=infra.mongodb_url),
        auth=issuer.settings(),
        secret_key="bench-" + new_id() + new_id(),
        database=f"{tag}_notify",
        concurrency=CONCURRENCY,
    )
    topics = Topics(settings.kafka.topic_prefix)
    await ensure_topics(infra.kafka_bootstrap, topics)
    admin = issuer.bearer("acme", Role.ADMIN, subject="bench", ttl=timedelta(hours=2))
    names = [f"approver-{n}" for n in range(people)]
    batch = [a_step_opened(*names, external_email=None) for _ in range(events)]
    store = create_client(MongoSettings(url=infra.mongodb_url))
    producer = create_broker(
        KafkaSettings(bootstrap_servers=infra.kafka_bootstrap), client_id="bench-scheduler"
    )
    publisher = EventPublisher(producer, topics, [APPROVALS])
    try:
        async with running(create_app(settings)) as client, producer:
            logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per POST otherwise
            await producer.start()
            for _ in range(endpoints):
                response = await client.post(
                    "/endpoints",
                    json={"url": receiver.url, "events": ["approval.step_opened.v1"]},
                    headers=admin,
                )
                assert response.status_code == 201, response.text
            for name in names:
                response = await client.put(f"/people/{name}", json={"name": name}, headers=admin)
                assert response.status_code == 200, response.text
            inbox = store[settings.database]["inbox"]
            receiver.reset()
            started = time.time()
            for at in range(0, events, PUBLISH_BATCH):
                await publisher.publish(batch[at : at + PUBLISH_BATCH])
            webhooks_wanted, items_wanted = events * endpoints, events * people
            while True:
                items = await inbox.count_documents({})
                if receiver.count() >= webhooks_wanted and items >= items_wanted:
                    break
                await asyncio.sleep(0.25)
            finished = max(receiver.receipts[-1][0], time.time() - 0.125)
            rate = (webhooks_wanted + items_wanted) / (finished - started)
            times = {e.id: e.time.timestamp() for e in batch}
            webhook_latency = [(at - times[i]) * 1000 for at, i in receiver.receipts if i in times]
            created = await inbox.find({}, {"event_id": 1, "created_at": 1}).to_list(None)
            inbox_latency = [
                (d["created_at"].timestamp() - times[d["event_id"]]) * 1000 for d in created
            ]
            assert len(webhook_latency) == webhooks_wanted, "a webhook went missing or twice"
            return rate, webhook_latency, inbox_latency
    finally:
        await store.drop_database(settings.database)
        store.close()


async def _raw_arm(
    infra: Infra, receiver: TimedReceiver, *, events: int, people: int, endpoints: int
) -> float:
    """The same inbox inserts and the same POSTs, without Kafka, routing or records."""
    store = create_client(MongoSettings(url=infra.mongodb_url))
    database = f"bnraw{new_id()[:8]}"
    inbox = store[database]["inbox"]
    body = b'{"type":"approval.step_opened.v1","timestamp":"2026-11-25T00:00:00Z","data":{}}'
    now = datetime.now(UTC)
    documents = [
        {
            "_id": f"{e}:{p}:in_app",
            "workspace": "acme",
            "person": f"approver-{p}",
            "event_id": str(e),
            "event_type": "approval.step_opened.v1",
            "title": "An approval step is waiting for you",
            "body": "Summer <launch> & co: step legal",
            "links": [],
            "created_at": now,
        }
        for e in range(events)
        for p in range(people)
    ]
    posts = list(range(events * endpoints))
    receiver.reset()
    try:
        limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
        async with httpx.AsyncClient(limits=limits, timeout=60) as client:

            async def poster() -> None:
                while posts:
                    n = posts.pop()
                    response = await client.post(
                        receiver.url,
                        content=body,
                        headers={"content-type": "application/json", "webhook-id": str(n)},
                    )
                    assert response.status_code == 204

            async def inserter() -> None:
                for at in range(0, len(documents), 500):
                    await inbox.insert_many(documents[at : at + 500], ordered=False)

            started = time.perf_counter()
            await asyncio.gather(inserter(), *(poster() for _ in range(CONCURRENCY)))
            elapsed = time.perf_counter() - started
        return (len(documents) + events * endpoints) / elapsed
    finally:
        await store.drop_database(database)
        store.close()


async def run(infra: Infra, *, rounds: int, events: int, recipients: int) -> bool:
    people = recipients // 2
    endpoints = recipients - people
    notify = Arm("notify", f"{events} events x ({people} in-app + {endpoints} webhook), Kafka in")
    raw = Arm("raw", "the same inbox insert_many + POSTs, concurrency 32, no routing")
    webhook_p99: list[float] = []
    inbox_p99: list[float] = []
    webhook_p50: list[float] = []
    receiver = TimedReceiver()
    with receiver:
        for _ in range(rounds):
            raw.rates.append(
                await _raw_arm(infra, receiver, events=events, people=people, endpoints=endpoints)
            )
            rate, webhooks, items = await _notify_arm(
                infra, receiver, events=events, people=people, endpoints=endpoints
            )
            notify.rates.append(rate)
            webhook_p99.append(_percentile(webhooks, 0.99))
            webhook_p50.append(_percentile(webhooks, 0.5))
            inbox_p99.append(_percentile(items, 0.99))
    settings: dict[str, Any] = {
        "store": infra.store,
        "events": events,
        "recipients per event": f"{recipients} ({people} people in-app, {endpoints} endpoints)",
        "deliveries per round": events * recipients,
        "rounds": rounds,
        "notify concurrency": CONCURRENCY,
    }
    derived = {
        "webhook end-to-end p50 ms (event time -> receiver)": statistics.median(webhook_p50),
        "webhook end-to-end p99 ms (event time -> receiver)": statistics.median(webhook_p99),
        "in-app end-to-end p99 ms (event time -> inbox item)": statistics.median(inbox_p99),
    }
    targets = [Target("notify / raw", notify.median / raw.median, 0.5)]
    show("notify fan-out: deliveries per second", settings, [notify, raw], derived, targets)
    path = write("notify", settings, [notify, raw], derived, targets)
    print(f"  written to {path}")
    return all(t.met for t in targets)


def main() -> None:
    """`python -m bench.notify` alone (the lead wires it into `python -m bench`)."""
    parser = argparse.ArgumentParser(prog="bench.notify")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--recipients", type=int, default=50)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="ensemble-bench-") as data:
        infra = resolve(Path(data))
        try:
            asyncio.run(
                run(infra, rounds=args.rounds, events=args.events, recipients=args.recipients)
            )
        finally:
            infra.stop()


if __name__ == "__main__":
    main()
