"""Polling for a condition that the system reaches asynchronously; never a fixed sleep."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T]],
    accept: Callable[[T], bool],
    *,
    timeout: float = 60.0,  # noqa: ASYNC109 - a polling deadline, not a cancel scope
    interval: float = 0.2,
    what: str = "condition",
) -> T:
    """The first value of `probe()` that `accept` takes; AssertionError with the last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = await probe()
        if accept(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached in {timeout:.0f}s; last value: {value!r}")
        await asyncio.sleep(interval)
