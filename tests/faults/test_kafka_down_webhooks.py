"""Kafka killed (kill -9) while platforms deliver: ingest still answers each signed webhook
with the mention stored, and once Kafka is back every mention is announced and notified once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest

from ensemble_devtools.issuer import LocalIssuer
from ensemble_devtools.stack import Stack
from ensemble_shared.auth import Role
from ensemble_shared.settings import MongoSettings
from ensemble_shared.storage import create_client
from support.apps import bearer
from support.infra_faults import OwnInfra
from support.mention_flow import MentionFlow
from support.receiver import Receiver
from support.waiting import eventually

BEFORE, DURING = 5, 10
FAST = {
    "INGEST_OUTBOX_GRACE_SECONDS": "1",
    "INGEST_OUTBOX_INTERVAL_SECONDS": "0.5",
}
# Far above the in-request publish bound, far below the unbounded wait (> 90 s) it replaces:
# a webhook that has not answered by then is a sender timing out and redelivering.
SENDER_TIMEOUT = 30


@pytest.mark.timeout(600)
async def test_webhooks_answer_while_kafka_is_down_and_nothing_is_lost_when_it_returns(
    own_stack: Callable[..., Stack], own_infra: OwnInfra, issuer: LocalIssuer
) -> None:
    stack = own_stack(env=FAST)
    stack.start("ingest")
    stack.start("notify")
    await asyncio.to_thread(stack.wait_ready)
    admin = bearer(issuer, "acme", Role.ADMIN)
    with Receiver() as receiver:
        async with httpx.AsyncClient(timeout=SENDER_TIMEOUT) as client:
            flow = MentionFlow(client, receiver)
            await flow.set_up(stack.services["ingest"].url, stack.services["notify"].url, admin)
            await flow.send_many([f"before-{n}" for n in range(BEFORE)], senders=BEFORE)
            await eventually(flow.consumed, lambda n: n == BEFORE, timeout=60, what="warm-up")

            await asyncio.to_thread(own_infra.kill9_kafka)
            answers = await asyncio.gather(
                *(flow.send(f"during-{n}") for n in range(DURING)), return_exceptions=True
            )
            statuses = [a.status_code if isinstance(a, httpx.Response) else a for a in answers]
            assert statuses == [202] * DURING
            stored = await client.get(
                f"{stack.services['ingest'].url}/mentions",
                params={"limit": 100},
                headers=admin,
            )
            assert len(stored.json()["items"]) == BEFORE + DURING

            await asyncio.to_thread(own_infra.start_kafka)
            await eventually(
                flow.consumed,
                lambda n: n >= BEFORE + DURING,
                timeout=180,
                what="every acked mention notified",
            )
            await eventually(
                lambda: _pointers_left(stack),
                lambda n: n == 0,
                timeout=60,
                what="the outbox relay done",
            )
            await asyncio.sleep(3)  # a late duplicate would arrive now
    counts = flow.counts()
    print(f"\nkafka kill -9 during webhooks: {counts.line()}")
    assert counts.acked == BEFORE + DURING
    assert (counts.missing, counts.duplicates) == (0, 0)


async def _pointers_left(stack: Stack) -> int:
    client = create_client(MongoSettings(url=stack.infra.mongodb_url))
    try:
        return int(await client[f"{stack.database_prefix}ingest"]["outbox"].count_documents({}))
    finally:
        client.close()
