"""Killing a service mid-flow in fault tests: kill -9 once enough has reached a receiver,
then start it again and wait until it answers."""

from __future__ import annotations

import asyncio

from ensemble_devtools.stack import Stack
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
