"""Replays against a real receiver: same payload and webhook-id, new attempts, exactly once
per replay request; and the CLI's progress bar following a replay job in a real process."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import pytest

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_devtools.paths import repo_root
from ensemble_shared.events import NotificationSentV1, utcnow
from ensemble_shared.signatures import verify
from support.mentions import a_mention
from support.notify import NotifyDriver, running_notify
from support.notify_events import an_assignment
from support.receiver import Receiver
from support.waiting import eventually


@pytest.fixture
async def notify(
    infra: Infra, unique_name: Callable[[str], str], issuer: LocalIssuer
) -> AsyncIterator[NotifyDriver]:
    async with running_notify(infra, unique_name("notify"), issuer) as driver:
        yield driver


async def replay(notify: NotifyDriver, path: str, key: str | None = None, **body: Any) -> Any:
    headers = {**notify.admin, **({"idempotency-key": key} if key else {})}
    return await notify.http.post(path, json=body or None, headers=headers)


async def progress(notify: NotifyDriver, job_id: str) -> dict[str, Any]:
    response = await notify.http.get(f"/replays/{job_id}", headers=notify.admin)
    assert response.status_code == 200, response.text
    job: dict[str, Any] = response.json()
    return job


async def test_one_delivery_is_replayed_once_per_request_with_the_same_webhook_id(
    notify: NotifyDriver,
) -> None:
    with Receiver() as receiver:
        endpoint = await notify.endpoint(url=receiver.url, events=["mention.received.v1"])
        event = a_mention()
        await notify.publish(event)
        [original] = await eventually(
            lambda: notify.deliveries("delivered"), lambda d: len(d) == 1, what="delivered"
        )
        first = await replay(notify, f"/deliveries/{original['id']}/replay", key="retry-me")
        again = await replay(notify, f"/deliveries/{original['id']}/replay", key="retry-me")
        assert (first.status_code, again.status_code) == (202, 202), first.text
        assert first.json()["id"] == again.json()["id"]  # a retried request: the same job
        job = await eventually(
            lambda: progress(notify, first.json()["id"]),
            lambda j: j["status"] == "finished",
            what="replay finished",
        )
        await asyncio.sleep(1)  # room for a wrong second replay
        received = list(receiver.received)

    assert (job["total"], job["done"], job["failed"], job["kind"]) == (1, 1, 0, "delivery")
    assert len(received) == 2
    assert received[0].body == received[1].body  # the same payload...
    assert received[0].headers["webhook-id"] == received[1].headers["webhook-id"] == event.id
    assert verify([endpoint["secret"]], received[1].headers, received[1].body) == event.id
    # ...recorded as a new attempt series beside the original, whose log is unchanged
    detail = (await notify.http.get(f"/deliveries/{original['id']}", headers=notify.admin)).json()
    assert len(detail["attempt_log"]) == 1
    [copy] = detail["replays"]
    assert (copy["replay_of"], copy["replay"], copy["status"], copy["attempts"]) == (
        original["id"],
        job["id"],
        "delivered",
        1,
    )
    sent = await eventually(notify.notifications, lambda n: len(n) == 2, what="two sent")
    replayed = [n.data.replay_of for n in sent if isinstance(n, NotificationSentV1)]
    assert Counter(replayed) == Counter([None, original["id"]])


async def test_a_dead_letter_is_replayed_after_the_receiver_is_fixed(
    notify: NotifyDriver,
) -> None:
    with Receiver([410]) as receiver:
        await notify.endpoint(url=receiver.url)
        await notify.publish(a_mention())
        [dead] = await eventually(
            lambda: notify.deliveries("failed"), lambda d: len(d) == 1, what="dead letter"
        )
        assert dead["last_error"] == "the receiver answered 410 Gone"
        response = await replay(notify, f"/deliveries/{dead['id']}/replay")
        job = await eventually(
            lambda: progress(notify, response.json()["id"]),
            lambda j: j["status"] == "finished",
            what="replay finished",
        )
        assert [r.status for r in receiver.received] == [410, 204]
    assert (job["done"], job["failed"]) == (1, 0)
    # the dead letter stays a dead letter: the replay is its own delivery
    assert [d["id"] for d in await notify.deliveries("failed")] == [dead["id"]]


async def test_every_delivery_to_an_endpoint_since_a_time_is_replayed_once(
    notify: NotifyDriver,
) -> None:
    with Receiver() as receiver, Receiver() as other:
        endpoint = await notify.endpoint(url=receiver.url, events=["mention.received.v1"])
        await notify.endpoint(url=other.url, events=["mention.received.v1"])
        old = a_mention()
        await notify.publish(old)
        await eventually(
            lambda: notify.deliveries("delivered"), lambda d: len(d) == 2, what="first two"
        )
        await asyncio.sleep(0.05)
        since = utcnow()
        events = [a_mention() for _ in range(5)]
        await notify.publish(*events)
        await eventually(
            lambda: notify.deliveries("delivered"), lambda d: len(d) == 12, what="all twelve"
        )
        path = f"/endpoints/{endpoint['id']}/replay"
        started = await replay(notify, path, key="k-1", since=since.isoformat())
        retried = await replay(notify, path, key="k-1", since=since.isoformat())
        assert started.status_code == 202, started.text
        assert retried.json()["id"] == started.json()["id"]
        misused = await replay(
            notify, path, key="k-1", since=(since - timedelta(hours=1)).isoformat()
        )
        assert misused.status_code == 409
        job = await eventually(
            lambda: progress(notify, started.json()["id"]),
            lambda j: j["status"] == "finished",
            what="replay finished",
        )
        await asyncio.sleep(1)
        ids = Counter(r.headers["webhook-id"] for r in receiver.received)
        others = len(other.received)

    assert (job["total"], job["done"], job["failed"], job["skipped"]) == (5, 5, 0, 0)
    assert ids == Counter({old.id: 1, **{e.id: 2 for e in events}})  # once each, since `since`
    assert others == 6  # the other endpoint is not replayed to


async def test_replays_are_refused_where_they_would_duplicate_or_leak(
    notify: NotifyDriver,
) -> None:
    await notify.put_person("camille", name="Camille")
    await notify.publish(an_assignment("camille"))
    [in_app] = await eventually(
        lambda: notify.deliveries("delivered"), lambda d: len(d) == 1, what="in-app"
    )
    response = await replay(notify, f"/deliveries/{in_app['id']}/replay")
    assert response.status_code == 409  # it is in the inbox already
    assert (await replay(notify, "/deliveries/nope/replay")).status_code == 404
    other_workspace = notify.person("x", workspace="globex")
    response = await notify.http.get("/replays/rp_nope", headers=notify.admin)
    assert response.status_code == 404
    endpoint = await notify.endpoint(url="http://127.0.0.1:9/hook")
    response = await notify.http.post(
        f"/endpoints/{endpoint['id']}/replay",
        json={"since": utcnow().isoformat()},
        headers=other_workspace,
    )
    assert response.status_code == 403  # an approver is not an admin
    response = await replay(
        notify, f"/endpoints/{endpoint['id']}/replay", since="2026-01-01T00:00:00"
    )
    assert response.status_code == 422  # a time without a zone
    response = await replay(
        notify, f"/endpoints/{endpoint['id']}/replay", since=utcnow().isoformat(), total=5
    )
    assert response.status_code == 422


async def test_the_cli_starts_a_replay_and_follows_it_to_the_end(notify: NotifyDriver) -> None:
    with Receiver() as receiver:
        endpoint = await notify.endpoint(url=receiver.url)
        since = utcnow() - timedelta(seconds=1)
        await notify.publish(*(a_mention() for _ in range(4)))
        await eventually(
            lambda: notify.deliveries("delivered"), lambda d: len(d) == 4, what="delivered"
        )
        token = notify.admin["authorization"].removeprefix("Bearer ")
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "ensemble_notify.cli",
            "replay",
            "--endpoint",
            endpoint["id"],
            "--since",
            since.isoformat().replace("+00:00", "Z"),
            "--url",
            notify.url,
            "--interval",
            "0.1",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env={**os.environ, "ENSEMBLE_TOKEN": token, "PYTHONPATH": str(repo_root())},
        )
        output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
        text = output.decode()
        assert process.returncode == 0, text
        assert len(receiver.received) == 8
    assert "4/4" in text
    assert text.strip().splitlines()[-1].endswith("4 delivered, 0 failed, 0 skipped, of 4")
    job_id = text.split()[1]
    assert (await progress(notify, job_id))["done"] == 4
    assert json.loads(receiver.received[-1].body)["type"] == "mention.received.v1"
