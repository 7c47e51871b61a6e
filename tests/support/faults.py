"""Killing a service mid-flow in fault tests: kill -9 once enough has reached a receiver,
then start it again and wait until it answers."""

from __future__ import annotations

import asyncio
from collections import Counter

from ensemble_devtools.stack import Stack
from ensemble_shared.settings import MongoSettings
from ensemble_shared.storage import create_client
from support.receiver import Receiver
from support.waiting import eventually


async def kill_and_restart_after(
    stack: Stack, service: str, receiver: Receiver, *, at_least: int, env: dict[str, str]
) -> int:
    """How many requests the receiver had got when `service` was killed."""

    async def delivered() -> int:
        return len(receiver.delivered())

    await eventually(delivered, lambda n: n >= at_least, timeout=300, what=f"{at_least} delivered")
    stack.services[service].process.kill9()
    killed_after = len(receiver.delivered())
    await asyncio.sleep(1)
    stack.start(service, env=env)
    await asyncio.to_thread(stack.wait_ready, service)
    return killed_after


async def notify_records(stack: Stack) -> Counter[str]:
    """Notify's own bookkeeping: deliveries, their outcomes by status, and what is still
    queued (zeros kept)."""
    client = create_client(MongoSettings(url=stack.infra.mongodb_url))
    try:
        database = client[f"{stack.database_prefix}notify"]
        counts = Counter(
            d["status"]
            for d in await database["delivery_outcomes"].find({}, {"status": 1}).to_list(None)
        )
        counts["queued"] = await database["delivery_queue"].count_documents({})
        counts["deliveries"] = await database["deliveries"].count_documents({})
        return counts
    finally:
        client.close()
