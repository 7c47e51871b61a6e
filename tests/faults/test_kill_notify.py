"""kill -9 notify while 1,000 mentions flow; restart it; count like Kafka's system tests do."""

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
from support.apps import bearer
from support.faults import kill_and_restart_after, notify_records
from support.mentions import mention_body, signed
from support.receiver import Receiver
from support.waiting import eventually

MENTIONS = 1000
SENDERS = 16
CONCURRENCY = 32  # notify's deliveries in flight: the most a crash can leave half-done


@pytest.mark.timeout(900)
async def test_kill_9_notify_mid_stream_loses_nothing_and_sends_each_once(
    stack_factory: Callable[..., Stack], issuer: LocalIssuer
) -> None:
    stack = stack_factory(
        env={
            "NOTIFY_SWEEP_INTERVAL_SECONDS": "0.5",
            "NOTIFY_LEASE_SECONDS": "3",
            "NOTIFY_CONCURRENCY": str(CONCURRENCY),
        }
    )
    stack.start_all()
    admin = bearer(issuer, "acme", Role.ADMIN)
    ingest, notify = (
        stack.services["ingest"].url,
        stack.services["notify"].url,
    )  # notify's moves on restart

    with Receiver() as receiver:
        async with httpx.AsyncClient(timeout=30) as client:
            endpoint = await client.post(
                f"{notify}/endpoints",
                json={"url": receiver.url, "events": ["mention.received.v1"]},
                headers=admin,
            )
            source = (
                await client.post(f"{ingest}/sources", json={"name": "load"}, headers=admin)
            ).json()
            assert endpoint.status_code == 201

            acked: set[str] = set()
            queue: asyncio.Queue[int] = asyncio.Queue()
            for n in range(MENTIONS):
                queue.put_nowait(n)

            async def sender() -> None:
                while not queue.empty():
                    n = queue.get_nowait()
                    body = mention_body(f"load-{n}")
                    while True:  # a sender retries until ingest acknowledges, like a platform does
                        try:
                            response = await client.post(
                                f"{ingest}{source['webhook_path']}",
                                content=body,
                                headers=signed(source["secret"], body),
                            )
                        except httpx.TransportError:
                            continue
                        if response.status_code == 202:
                            acked.add(response.json()["mentions"][0]["mention_id"])
                            break
                        # 503 means "store busy, retry"; anything else is a real failure.
                        assert response.status_code == 503, response.text

            senders = [asyncio.create_task(sender()) for _ in range(SENDERS)]

            killed_at = await kill_and_restart_after(
                stack,
                "notify",
                receiver,
                at_least=MENTIONS // 4,
                env={"NOTIFY_CONCURRENCY": str(CONCURRENCY)},
            )
            await asyncio.gather(*senders)

            def distinct() -> set[str]:
                return {json.loads(r.body)["data"]["mention_id"] for r in receiver.delivered()}

            async def consumed() -> int:
                return len(distinct())

            await eventually(
                consumed,
                lambda n: n >= len(acked),
                timeout=300,
                what="every acked mention delivered",
            )
            # Attempts cut short by the kill are retaken once their lease lapses: wait for them.
            statuses = await eventually(
                lambda: notify_records(stack),
                lambda s: s == {"delivered": MENTIONS, "deliveries": MENTIONS, "queued": 0},
                timeout=120,
                what="every delivery recorded as delivered",
            )

    receipts = Counter(json.loads(r.body)["data"]["mention_id"] for r in receiver.delivered())
    by_webhook_id = Counter(r.headers["webhook-id"] for r in receiver.delivered())
    missing = len(acked - set(receipts))
    duplicates = sum(count - 1 for count in receipts.values())
    print(
        f"\nacked={len(acked)} consumed={len(receipts)} missing={missing} "
        f"duplicate_receipts={duplicates} killed_after={killed_at} delivered"
    )
    assert len(acked) == MENTIONS
    assert missing == 0
    assert set(receipts) == acked
    # A receiver dedupes on webhook-id (Standard Webhooks): a resend after a crash carries the
    # same id, so the effect happens once. Raw resends can only come from attempts in flight at
    # the kill: at most the delivery concurrency.
    assert len(by_webhook_id) == len(receipts)
    assert duplicates <= CONCURRENCY
    # Notify's own side effects: one delivery and one outcome per event, nothing left queued.
    assert statuses == {"delivered": MENTIONS, "deliveries": MENTIONS, "queued": 0}
