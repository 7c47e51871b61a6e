"""Notify in-process on the real store and broker, delivering to a real HTTP receiver."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import httpx
import pytest
from faststream.kafka import KafkaBroker

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_notify.config import NotifySettings
from ensemble_notify.main import create_app
from ensemble_shared.auth import Role
from ensemble_shared.events import Event, NotificationFailedV1, NotificationSentV1, parse_event
from ensemble_shared.kafka import EventPublisher, create_broker
from ensemble_shared.settings import KafkaSettings
from ensemble_shared.signatures import verify
from ensemble_shared.topics import MENTIONS, NOTIFICATIONS, Topics
from support.apps import bearer, running, settings_for
from support.kafka import read_topic
from support.mentions import a_mention
from support.receiver import Receiver
from support.waiting import eventually


@dataclass
class Notify:
    client: httpx.AsyncClient
    settings: NotifySettings
    admin: dict[str, str]
    publisher: EventPublisher
    infra: Infra

    async def endpoint(self, url: str, events: list[str] | None = None) -> dict[str, str]:
        body = {"url": url, **({"events": events} if events else {})}
        response = await self.client.post("/endpoints", json=body, headers=self.admin)
        assert response.status_code == 201, response.text
        created: dict[str, str] = response.json()
        return created

    async def deliveries(self, status: str | None = None) -> list[dict[str, object]]:
        params = {"status": status} if status else {}
        response = await self.client.get("/deliveries", params=params, headers=self.admin)
        items: list[dict[str, object]] = response.json()["items"]
        return items

    async def notifications(self) -> list[Event]:
        topic = Topics(self.settings.kafka.topic_prefix).topic(NOTIFICATIONS)
        return [
            parse_event(r.value or b"")
            for r in await read_topic(self.infra.kafka_bootstrap, topic, idle_ms=500)
        ]


@pytest.fixture
async def notify(
    infra: Infra, unique_name: Callable[[str], str], issuer: LocalIssuer
) -> AsyncIterator[Notify]:
    settings = NotifySettings(
        **settings_for(infra, unique_name("notify"), issuer),
        backoff_base_seconds=0.05,
        backoff_max_seconds=0.2,
        max_attempts=4,
        lease_seconds=2,
        sweep_interval_seconds=0.5,
    )
    producer: KafkaBroker = create_broker(
        KafkaSettings(bootstrap_servers=infra.kafka_bootstrap), client_id="ingest-stand-in"
    )
    publisher = EventPublisher(producer, Topics(settings.kafka.topic_prefix), [MENTIONS])
    async with running(create_app(settings)) as client, producer:
        await producer.start()
        yield Notify(client, settings, bearer(issuer, "acme", Role.ADMIN), publisher, infra)


async def test_a_mention_reaches_the_endpoint_once_signed_with_its_secret(notify: Notify) -> None:
    with Receiver() as receiver:
        endpoint = await notify.endpoint(receiver.url)
        event = a_mention()
        await notify.publisher.publish([event])
        await notify.publisher.publish([event])  # Kafka redelivers / a producer retries
        await eventually(
            notify.deliveries,
            lambda d: len(d) == 1 and d[0]["status"] == "delivered",
            what="delivered",
        )
        await asyncio.sleep(1)  # room for a second, wrong, delivery
        assert len(receiver.received) == 1
        got = receiver.received[0]
    assert verify([endpoint["secret"]], got.headers, got.body) == event.id
    body = json.loads(got.body)
    assert (body["type"], body["data"]["mention_id"], body["data"]["event_id"]) == (
        "mention.received.v1",
        "m-1",
        event.id,
    )
    sent = await eventually(notify.notifications, lambda n: len(n) >= 1, what="notification.sent")
    assert [type(n) for n in sent] == [NotificationSentV1]
    assert isinstance(sent[0], NotificationSentV1)
    assert (sent[0].data.source_event_id, sent[0].causation_id, sent[0].data.attempts) == (
        event.id,
        event.id,
        1,
    )


async def test_a_receiver_that_fails_then_recovers_gets_it_exactly_once_more(
    notify: Notify,
) -> None:
    with Receiver([500, 503]) as receiver:
        await notify.endpoint(receiver.url)
        await notify.publisher.publish([a_mention()])
        delivered = await eventually(
            notify.deliveries,
            lambda d: len(d) == 1 and d[0]["status"] == "delivered",
            what="delivered",
        )
        statuses = [r.status for r in receiver.received]
    assert statuses == [500, 503, 204]
    assert delivered[0]["attempts"] == 3
    detail = (
        await notify.client.get(f"/deliveries/{delivered[0]['id']}", headers=notify.admin)
    ).json()
    assert [a["status_code"] for a in detail["attempt_log"]] == [500, 503, 204]
    assert [a["outcome"] for a in detail["attempt_log"]] == ["retry", "retry", "delivered"]


async def test_gone_and_exhausted_deliveries_fail_with_their_reason(notify: Notify) -> None:
    with Receiver([410]) as gone, Receiver([500] * 10) as broken:
        await notify.endpoint(gone.url)
        await notify.endpoint(broken.url)
        await notify.publisher.publish([a_mention()])
        failed = await eventually(
            lambda: notify.deliveries("failed"), lambda d: len(d) == 2, what="both failed"
        )
        assert len(gone.received) == 1
        assert len(broken.received) == notify.settings.max_attempts
    reasons = sorted(str(d["last_error"]) for d in failed)
    assert reasons[0] == "gave up after 4 attempts; last: HTTP 500"
    assert reasons[1] == "the receiver answered 410 Gone"
    events = await eventually(
        notify.notifications, lambda n: len(n) == 2, what="two notification.failed"
    )
    assert all(isinstance(e, NotificationFailedV1) for e in events)


async def test_events_go_only_to_endpoints_of_their_workspace_that_want_them(
    notify: Notify,
) -> None:
    with Receiver() as acme_all, Receiver() as acme_other:
        await notify.endpoint(acme_all.url)
        await notify.endpoint(acme_other.url, events=["submission.created.v1"])
        await notify.publisher.publish(
            [a_mention(), a_mention().model_copy(update={"workspace": "globex"})]
        )
        await eventually(
            lambda: asyncio.sleep(0, len(acme_all.received)), lambda n: n == 1, what="acme delivery"
        )
        await asyncio.sleep(1)
        assert len(acme_all.received) == 1
        assert acme_other.received == []


async def test_endpoint_urls_and_filters_are_validated(notify: Notify) -> None:
    for url in ("ftp://example.org/x", "https://user:secret@example.org/x", "not a url"):
        response = await notify.client.post("/endpoints", json={"url": url}, headers=notify.admin)
        assert response.status_code == 422
        assert "body.url" in response.json()["message"]
    response = await notify.client.post(
        "/endpoints", json={"url": "https://x.org", "events": ["$where"]}, headers=notify.admin
    )
    assert response.status_code == 422
