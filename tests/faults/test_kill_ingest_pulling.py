"""kill -9 ingest while it pages through a pulled source; restart; no gap and no repeat."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from ensemble_devtools.issuer import LocalIssuer
from ensemble_devtools.stack import Stack
from ensemble_shared.auth import Role
from ensemble_shared.events import parse_event
from ensemble_shared.settings import MongoSettings
from ensemble_shared.storage import create_client
from ensemble_shared.topics import MENTIONS, Topics
from support.apps import bearer
from support.fake_platforms.mastodon import TOKEN, FakeMastodon
from support.kafka import read_topic
from support.waiting import eventually

MENTIONS_SEEDED = 600
FAST = {
    "INGEST_PULL_LEASE_SECONDS": "3",
    "INGEST_PULL_SCAN_SECONDS": "0.3",
    "INGEST_POLL_INTERVAL_SECONDS": "0.3",
    "INGEST_REDRIVE_AFTER_SECONDS": "2",
    "INGEST_REDRIVE_INTERVAL_SECONDS": "1",
    "INGEST_OUTBOX_GRACE_SECONDS": "1",
    "INGEST_OUTBOX_INTERVAL_SECONDS": "0.5",
}


async def count(stack: Stack, collection: str, query: dict[str, Any] | None = None) -> int:
    client = create_client(MongoSettings(url=stack.infra.mongodb_url))
    try:
        return await client[f"{stack.database_prefix}ingest"][collection].count_documents(
            query or {}
        )
    finally:
        client.close()


@pytest.mark.timeout(600)
async def test_kill_9_ingest_mid_page_neither_skips_nor_repeats(
    stack_factory: Callable[..., Stack], issuer: LocalIssuer
) -> None:
    stack = stack_factory(env=FAST)
    stack.start("ingest")
    await asyncio.to_thread(stack.wait_ready, "ingest")
    admin = bearer(issuer, "acme", Role.ADMIN)
    with FakeMastodon(rate_limit=100_000) as fake:
        async with httpx.AsyncClient(timeout=30) as client:
            url = stack.services["ingest"].url
            config = {"platform": "mastodon", "base_url": fake.base_url, "access_token": TOKEN}
            source = (
                await client.post(
                    f"{url}/sources", json={"name": "m", "config": config}, headers=admin
                )
            ).json()

            async def first_read() -> Any:
                return (await client.get(f"{url}/sources/{source['id']}", headers=admin)).json()[
                    "state"
                ]

            await eventually(
                first_read, lambda s: s is not None and s["cursor"] is not None, what="first read"
            )
        for n in range(MENTIONS_SEEDED):
            fake.mention(f"Mention number {n} for @brand")
        await eventually(
            lambda: count(stack, "mentions"), lambda n: n >= 150, timeout=120, what="150 stored"
        )
        stack.services["ingest"].process.kill9()
        killed_at = await count(stack, "mentions")
        stack.start("ingest", env=FAST)
        await asyncio.to_thread(stack.wait_ready, "ingest")
        await eventually(
            lambda: count(stack, "mentions"),
            lambda n: n >= MENTIONS_SEEDED,
            timeout=240,
            what="all stored",
        )
        await eventually(
            lambda: count(stack, "raw_pending"), lambda n: n == 0, timeout=60, what="all settled"
        )
        await eventually(
            lambda: count(stack, "outbox"), lambda n: n == 0, timeout=60, what="all announced"
        )
    stored = await count(stack, "mentions")
    topic = Topics(stack.topic_prefix).topic(MENTIONS)
    received: dict[str, set[str]] = defaultdict(set)
    records = 0
    for record in await read_topic(stack.infra.kafka_bootstrap, topic):
        event = parse_event(record.value or b"")
        if event.type == "mention.received.v1":
            received[event.subject].add(event.id)
            records += 1
    print(
        f"\nseeded={MENTIONS_SEEDED} stored={stored} killed_at={killed_at} "
        f"announced={len(received)} received_records={records}"
    )
    assert stored == MENTIONS_SEEDED  # no gap, no mention twice
    assert len(received) == MENTIONS_SEEDED  # every one announced
    assert all(len(ids) == 1 for ids in received.values())  # never announced as two arrivals
    assert await count(stack, "raw_outcomes", {"status": "rejected"}) == 0
