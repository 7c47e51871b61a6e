"""Sequential request rates for the page-versus-API benches (console, portal): each arm is
an async call made N times in a row, every round, the arms interleaved after a warm-up."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping

import httpx

from bench.report import Arm

Call = Callable[[], Awaitable[None]]


async def rate(call: Call, n: int) -> float:
    started = time.perf_counter()
    for _ in range(n):
        await call()
    return n / (time.perf_counter() - started)


def ok(response: httpx.Response) -> httpx.Response:
    if response.status_code >= 400:
        raise RuntimeError(f"{response.request.url.path}: {response.status_code} {response.text}")
    return response


async def measure(
    arms: Mapping[str, tuple[Call, str]], *, rounds: int, requests: int
) -> dict[str, Arm]:
    """Each arm's requests per second, once per round; five calls each first warm up
    connections and caches."""
    measured = {name: Arm(name, f"{what} (requests/s)") for name, (_, what) in arms.items()}
    for call, _ in arms.values():
        await rate(call, 5)
    for _ in range(rounds):
        for name, (call, _) in arms.items():
            measured[name].rates.append(await rate(call, requests))
    return measured
