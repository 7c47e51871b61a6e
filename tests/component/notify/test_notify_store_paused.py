"""The store frozen (SIGSTOP) for 20 s while mentions flow into notify: the consumer waits the
brownout out — nothing dead-lettered, nothing missing, each notification under one id."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_devtools.local_ferretdb import LocalFerretDB
from ensemble_devtools.processes import Managed, free_port
from ensemble_shared.events import Event
from ensemble_shared.topics import MENTIONS, Topics
from support.infra_faults import pause, resume
from support.kafka import read_topic
from support.mentions import a_mention
from support.notify import running_notify
from support.receiver import Receiver
from support.waiting import eventually

EVENTS = 200
PAUSE_SECONDS = 20


@pytest.fixture
def own_store(tmp_path: Path) -> Iterator[tuple[LocalFerretDB, Managed]]:
    """A FerretDB of this test's own: the session's is shared with other tests."""
    store = LocalFerretDB(tmp_path / "ferretdb", port=free_port())
    process = store.start()
    yield store, process
    resume(process)
    process.stop()


def mention(n: int) -> Event:
    event = a_mention()
    data = event.data.model_copy(update={"mention_id": f"m{n}"})
    return event.model_copy(update={"subject": f"m{n}", "data": data})


@pytest.mark.timeout(300)
async def test_a_store_paused_for_20_s_loses_nothing_and_dead_letters_nothing(
    infra: Infra, own_store: tuple[LocalFerretDB, Managed], issuer: LocalIssuer
) -> None:
    store, process = own_store
    on_own_store = Infra(infra.mode, infra.kafka_bootstrap, store.url, "ferretdb")
    prefix = f"paused{time.monotonic_ns() % 10**8}"
    with Receiver() as receiver:
        async with running_notify(on_own_store, prefix, issuer) as notify:
            await notify.endpoint(url=receiver.url, events=["mention.received.v1"])
            events = [mention(n) for n in range(EVENTS)]

            async def flow() -> None:  # ten a second, before, during and after the pause
                for n in range(0, EVENTS, 5):
                    await notify.publish(*events[n : n + 5])
                    await asyncio.sleep(0.5)

            flowing = asyncio.create_task(flow())
            await asyncio.sleep(3)
            pause(process)
            await asyncio.sleep(PAUSE_SECONDS)
            resume(process)
            await flowing

            def receipts() -> Counter[str]:
                return Counter(
                    json.loads(r.body)["data"]["mention_id"] for r in receiver.delivered()
                )

            async def consumed() -> int:
                return len(receipts())

            await eventually(consumed, lambda n: n >= EVENTS, timeout=180, what="all notified")
            topic = Topics(notify.settings.kafka.topic_prefix).dead_letter(MENTIONS)
            dead = await read_topic(infra.kafka_bootstrap, topic, idle_ms=500)
    got = receipts()
    ids = Counter(r.headers["webhook-id"] for r in receiver.delivered())
    missing = EVENTS - len(got)
    resends = sum(n - 1 for n in got.values())
    print(
        f"\nstore paused {PAUSE_SECONDS}s: published={EVENTS} consumed={len(got)} "
        f"missing={missing} dead_lettered={len(dead)} raw_resends={resends}"
    )
    assert (missing, len(dead)) == (0, 0)
    assert len(ids) == EVENTS  # a resend (an attempt the freeze cut short) keeps its id
