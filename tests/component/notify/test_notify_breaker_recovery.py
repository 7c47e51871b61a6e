"""An endpoint's circuit breaker against a real receiver that goes down, then recovers."""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from starlette.requests import Request
from starlette.responses import Response

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from support.mentions import a_mention
from support.notify import NotifyDriver, running_notify
from support.receiver import Received, Receiver
from support.waiting import eventually

EVENTS = 10
COOL_DOWN = 1.0
MAX_ATTEMPTS = 8


class Outage(Receiver):
    """Answers 503 while `down`, 204 after; records when each request came."""

    def __init__(self) -> None:
        super().__init__()
        self.down = True
        self.times: list[tuple[float, int]] = []
        self._times_lock = threading.Lock()

    async def _handle(self, request: Request) -> Response:
        body = await request.body()
        status = 503 if self.down else 204
        with self._times_lock:
            self.received.append(Received(request.url.path, dict(request.headers), body, status))
            self.times.append((time.monotonic(), status))
        return Response(status_code=status)


@pytest.fixture
async def notify(
    infra: Infra, unique_name: Callable[[str], str], issuer: LocalIssuer
) -> AsyncIterator[NotifyDriver]:
    async with running_notify(
        infra,
        unique_name("notify"),
        issuer,
        max_attempts=MAX_ATTEMPTS,
        backoff_base_seconds=0.4,
        backoff_max_seconds=0.8,
        breaker_failure_threshold=3,
        breaker_cool_down_seconds=COOL_DOWN,
        breaker_probe_lease_seconds=COOL_DOWN,
        breaker_refresh_seconds=0.2,
    ) as driver:
        yield driver


async def breaker(notify: NotifyDriver, endpoint_id: str) -> dict[str, Any]:
    response = await notify.http.get(f"/endpoints/{endpoint_id}", headers=notify.admin)
    assert response.status_code == 200, response.text
    state: dict[str, Any] = response.json()["breaker"]
    return state


async def test_an_open_breaker_holds_deliveries_without_spending_attempts_then_closes(
    notify: NotifyDriver,
) -> None:
    receiver = Outage()
    with receiver:
        endpoint = await notify.endpoint(url=receiver.url, events=["mention.received.v1"])
        assert (await breaker(notify, endpoint["id"]))["state"] == "closed"
        await notify.publish(*(a_mention() for _ in range(EVENTS)))

        opened = await eventually(
            lambda: breaker(notify, endpoint["id"]),
            lambda b: b["state"] == "open",
            interval=0.05,
            what="breaker open",
        )
        # the threshold is 3; failures of attempts already in flight may add to the count
        tripped = re.match(r"(\d+) consecutive failures; last: HTTP 503", opened["reason"])
        assert tripped is not None, opened["reason"]
        assert int(tripped.group(1)) >= 3
        held = await eventually(
            lambda: notify.deliveries("pending"),
            lambda d: len(d) == EVENTS and any(x["held"] for x in d),
            what="held deliveries",
        )
        assert {x["held"] for x in held if x["held"]} == {"the endpoint's circuit breaker is open"}

        # Stay down for several cool-downs: without the breaker each delivery would spend
        # its MAX_ATTEMPTS within ~5 s of backoff and fail.
        await asyncio.sleep(6 * COOL_DOWN)
        while_down = len(receiver.received)
        receiver.down = False

        delivered = await eventually(
            lambda: notify.deliveries("delivered"),
            lambda d: len(d) == EVENTS,
            what="every delivery made once the receiver is back",
        )
        closed = await breaker(notify, endpoint["id"])

    assert await notify.deliveries("failed") == []
    assert closed["state"] == "closed"
    assert closed["reason"] == "the probe succeeded"
    # Each probe is one request; everything else waited: 10 first tries + about one probe
    # per cool-down, far fewer than the 10 x 8 attempts retries alone would have made.
    probes = while_down - EVENTS
    assert 1 <= probes <= 6 / COOL_DOWN + 1, receiver.times
    assert max(d["attempts"] for d in delivered) <= MAX_ATTEMPTS
    # Waiting spent no attempt: every attempt the log counts is a request the receiver got.
    assert sum(d["attempts"] for d in delivered) == len(receiver.received)
    # open, then (half_open, open) per failed probe, then (half_open, closed) for the last
    assert closed["transitions"] == 1 + 2 * probes + 2
