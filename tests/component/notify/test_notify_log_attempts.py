"""The delivery log: every attempt with its status code and latency; dead letters with why."""

from __future__ import annotations

from typing import Any

from ensemble_shared.auth import Role
from support.apps import bearer
from support.mentions import a_mention
from support.notify import NotifyDriver
from support.receiver import Receiver
from support.waiting import eventually


async def test_each_attempt_is_logged_with_its_status_code_and_latency(
    notify: NotifyDriver,
) -> None:
    with Receiver([503, 429], headers={"retry-after": "0"}) as receiver:
        await notify.endpoint(url=receiver.url)
        await notify.publish(a_mention())
        [delivery] = await eventually(
            lambda: notify.deliveries("delivered"), lambda d: len(d) == 1, what="delivered"
        )

    async def detail() -> dict[str, Any]:
        response = await notify.http.get(f"/deliveries/{delivery['id']}", headers=notify.admin)
        assert response.status_code == 200
        found: dict[str, Any] = response.json()
        return found

    # The outcome is written before the last attempt's own result (with its latency).
    shown = await eventually(
        detail, lambda d: all(a["finished_at"] for a in d["attempt_log"]), what="results"
    )
    log = shown["attempt_log"]
    assert [(a["attempt"], a["status_code"], a["outcome"]) for a in log] == [
        (1, 503, "retry"),
        (2, 429, "retry"),
        (3, 204, "delivered"),
    ]
    assert all(a["latency_ms"] > 0 for a in log)
    assert all(a["claimed_at"] <= a["finished_at"] for a in log)
    assert shown["replays"] == []


async def test_dead_letters_are_listed_with_their_reason(notify: NotifyDriver) -> None:
    with Receiver([500] * 5) as broken:
        await notify.endpoint(url=broken.url)
        await notify.publish(a_mention())
        [dead] = await eventually(
            lambda: notify.deliveries("failed"), lambda d: len(d) == 1, what="dead letter"
        )
    assert dead["last_error"] == "gave up after 3 attempts; last: HTTP 500"
    assert (dead["attempts"], dead["last_status_code"]) == (3, 500)
    detail = (await notify.http.get(f"/deliveries/{dead['id']}", headers=notify.admin)).json()
    assert [a["outcome"] for a in detail["attempt_log"]] == ["retry", "retry", "failed"]
    assert [a["status_code"] for a in detail["attempt_log"]] == [500, 500, 500]
    other = notify.person("bob", workspace="globex")
    response = await notify.http.get(f"/deliveries/{dead['id']}", headers=other)
    assert response.status_code == 403  # not an admin; and another workspace sees a 404:
    globex = bearer(notify.issuer, "globex", Role.ADMIN)
    response = await notify.http.get(f"/deliveries/{dead['id']}", headers=globex)
    assert response.status_code == 404
