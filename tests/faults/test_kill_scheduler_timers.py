"""kill -9 a scheduler replica while it holds timer claims: another replica fires each of its
timers once the lease has run out; every timer has one result and one effect.

The timers are occurrences of a real periodic job (a digest request per run): each firing
writes the run under its run id with its event (outbox), so effects are countable on Kafka.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta

import httpx
import pytest

from ensemble_devtools.issuer import LocalIssuer
from ensemble_devtools.stack import Stack
from ensemble_scheduler.models.timers import occurrence_id
from ensemble_shared.auth import Role
from ensemble_shared.events import utcnow
from ensemble_shared.settings import MongoSettings
from ensemble_shared.storage import Database, create_client
from support.apps import bearer
from support.kafka import read_topic
from support.waiting import eventually

TIMERS = 1500
LEASE_SECONDS = 3


@pytest.mark.timeout(900)
async def test_kill_9_a_replica_holding_timer_claims_fires_its_timers_once_elsewhere(
    stack_factory: Callable[..., Stack], issuer: LocalIssuer
) -> None:
    stack = stack_factory(
        env={
            "SCHEDULER_TIMER_LEASE_SECONDS": str(LEASE_SECONDS),
            "SCHEDULER_TIMER_POLL_SECONDS": "0.2",
            "SCHEDULER_TIMER_BATCH": "50",
        }
    )
    first = stack.start("scheduler")
    await asyncio.to_thread(stack.wait_ready, "scheduler")
    admin = bearer(issuer, "acme", Role.ADMIN)
    async with httpx.AsyncClient(timeout=30) as client:
        put = await client.put(
            f"{first.url}/jobs/load",
            json={"action": "digest.daily", "cron": "0 8 * * *"},
            headers=admin,
        )
        assert put.status_code == 200, put.text
        job = put.json()

    mongo = create_client(MongoSettings(url=stack.infra.mongodb_url))
    database = mongo[f"{stack.database_prefix}scheduler"]
    try:
        # Runs missed over the last TIMERS minutes, all due now: one occurrence each.
        now = utcnow()
        due = [now - timedelta(minutes=i + 1) for i in range(TIMERS)]
        timer_id = f"job:acme:load:{job['revision']}"
        await database["timers"].insert_many(
            [
                {
                    "_id": occurrence_id(timer_id, at),
                    "workspace": "acme",
                    "timer_id": timer_id,
                    "kind": "job",
                    "due_at": at,
                    "payload": {"job": "load", "revision": job["revision"]},
                    "scheduled_at": now,
                }
                for at in due
            ]
        )
        ours = {occurrence_id(timer_id, at) for at in due}

        async def finished() -> int:
            return await database["timer_results"].count_documents({"timer_id": timer_id})

        await eventually(finished, lambda n: n >= 100, timeout=120, what="some fired")
        first.process.kill9()
        killed_at = await finished()
        held = await unfinished_claims(database, ours)
        assert held, "the replica held no claims when killed: nothing was tested"
        dead_owner = {owner for owner, _ in held.values()}
        assert len(dead_owner) == 1

        stack.start("scheduler")  # the other replica (a new process)
        await asyncio.to_thread(stack.wait_ready, "scheduler")
        await eventually(finished, lambda n: n >= TIMERS, timeout=540, what="all fired")
        await asyncio.sleep(2 * LEASE_SECONDS)  # a second firing would be recorded by now

        results = await database["timer_results"].find({"timer_id": timer_id}).to_list(None)
        runs = await database["job_runs"].count_documents({"job": "load"})
        records = await read_topic(
            stack.infra.kafka_bootstrap, f"{stack.topic_prefix}schedules", idle_ms=3000
        )
    finally:
        mongo.close()

    by_occurrence = Counter(r["_id"] for r in results)
    retaken = {r["_id"]: r for r in results if r["_id"] in held}
    events: dict[str, set[str]] = defaultdict(set)
    for record in records:
        event = json.loads(record.value)
        events[event["data"]["run_id"]].add(event["id"])
    print(
        f"\ntimers={TIMERS} finished_before_kill={killed_at} held_at_kill={len(held)} "
        f"results={len(results)} runs={runs} requests={len(events)}"
    )
    assert set(by_occurrence) == ours  # none missing
    assert set(by_occurrence.values()) == {1}  # one result each
    assert all(r["outcome"] == "fired" for r in results)
    # What the dead replica held was fired by the other one, as the next attempt.
    assert len(retaken) == len(held)
    assert all(r["attempt"] >= 2 and r["owner"] not in dead_owner for r in retaken.values())
    # One run, one digest request per timer (an event repeated by the relay keeps its id).
    assert runs == TIMERS
    assert len(events) == TIMERS
    assert all(len(ids) == 1 for ids in events.values())


async def unfinished_claims(database: Database, ours: set[str]) -> dict[str, tuple[str, datetime]]:
    """Occurrences claimed and not finished: owner and lease of each."""
    claims = await database["timer_claims"].find({}).to_list(None)
    done = {r["_id"] for r in await database["timer_results"].find({}, {"_id": 1}).to_list(None)}
    return {
        c["occurrence"]: (c["owner"], c["lease_until"])
        for c in claims
        if c["occurrence"] in ours and c["occurrence"] not in done
    }
