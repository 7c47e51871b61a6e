"""Durable timers on the real store: replicas racing, recovery, leases, cancellation."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest

from ensemble_scheduler.models.timers import Finished, Timer, occurrence_id
from ensemble_scheduler.services.timers import TimerService
from ensemble_scheduler.storage.timers import TimerRepository
from ensemble_shared.events import utcnow
from ensemble_shared.storage import Database, ensure_indexes
from support.waiting import eventually


def repository(database: Database) -> TimerRepository:
    return TimerRepository(
        database["timers"],
        database["timer_claims"],
        database["timer_results"],
        database["timer_cancellations"],
    )


async def results_of(database: Database, timer_id: str) -> list[Finished]:
    """How the occurrences of `timer_id` ended, read from the store."""
    cursor = database["timer_results"].find({"timer_id": timer_id})
    return [Finished.model_validate({**d, "occurrence": d["_id"]}) async for d in cursor]


@pytest.fixture
async def store(database: Database) -> Database:
    await ensure_indexes(database, TimerRepository.INDEXES)
    return database


class Recorder:
    """A handler that counts each firing (the side effect whose duplicates we look for)."""

    def __init__(self) -> None:
        self.fired: Counter[str] = Counter()
        self.by: dict[str, list[str]] = {}

    def handler(self, owner: str):  # type: ignore[no-untyped-def]
        async def fire(timer: Timer) -> None:
            key = occurrence_id(timer.timer_id, timer.due_at)
            self.fired[key] += 1
            self.by.setdefault(key, []).append(owner)

        return fire


def replica(database: Database, name: str, recorder: Recorder, **options: object) -> TimerService:
    service = TimerService(repository(database), owner=name, poll_seconds=0.1, **options)  # type: ignore[arg-type]
    service.on("test", recorder.handler(name))
    return service


@contextlib.asynccontextmanager
async def running(*services: TimerService) -> AsyncIterator[None]:
    tasks = [asyncio.create_task(s.run()) for s in services]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def timers(n: int, due: datetime, prefix: str = "t") -> list[Timer]:
    return [
        Timer(workspace="acme", timer_id=f"{prefix}{i}", kind="test", due_at=due) for i in range(n)
    ]


async def test_three_replicas_racing_fire_each_occurrence_exactly_once(store: Database) -> None:
    recorder = Recorder()
    replicas = [replica(store, f"r{i}", recorder, batch=25) for i in range(3)]
    due = utcnow() + timedelta(seconds=1)
    await replicas[0].schedule_many(timers(300, due))
    async with running(*replicas):
        await eventually(
            lambda: asyncio.sleep(0, len(recorder.fired)),
            lambda n: n >= 300,
            timeout=60,
            what="all 300 fired",
        )
        await asyncio.sleep(1)  # a double firing would show up now
    assert len(recorder.fired) == 300
    assert set(recorder.fired.values()) == {1}
    results = await store["timer_results"].count_documents({"outcome": "fired"})
    assert results == 300
    assert await store["timers"].count_documents({}) == 0  # the pending set drained
    owners = Counter(owner for names in recorder.by.values() for owner in names)
    assert sum(owners.values()) == 300


async def test_scheduling_the_same_occurrence_twice_fires_it_once(store: Database) -> None:
    recorder = Recorder()
    service = replica(store, "r", recorder)
    due = utcnow() - timedelta(seconds=1)
    timer = Timer(workspace="acme", timer_id="once", kind="test", due_at=due)
    assert await service.schedule_many([timer, timer]) == 1
    assert await service.fire_due() == 1
    await service.schedule(timer)  # after it fired: still not again
    assert await service.fire_due() == 0
    assert recorder.fired[occurrence_id("once", due)] == 1


async def test_timers_due_while_every_replica_was_down_fire_on_recovery(store: Database) -> None:
    recorder = Recorder()
    # Scheduled by a replica that then went away; due long before anyone comes back.
    gone = replica(store, "gone", Recorder())
    await gone.schedule_many(timers(20, utcnow() - timedelta(hours=3), prefix="late"))
    await gone.schedule_many(timers(5, utcnow() + timedelta(hours=3), prefix="future"))
    back = replica(store, "back", recorder)
    async with running(back):
        await eventually(
            lambda: asyncio.sleep(0, len(recorder.fired)), lambda n: n >= 20, what="late fired"
        )
    assert len(recorder.fired) == 20
    assert all(key.startswith("late") for key in recorder.fired)
    assert await store["timers"].count_documents({}) == 5  # the future ones wait


async def test_a_claim_whose_owner_died_is_fired_by_another_replica_after_its_lease(
    store: Database,
) -> None:
    repo = repository(store)
    due = utcnow() - timedelta(seconds=1)
    recorder = Recorder()
    survivor = replica(store, "survivor", recorder, lease=timedelta(seconds=1))
    await survivor.schedule(Timer(workspace="acme", timer_id="held", kind="test", due_at=due))
    # A replica claims attempt 1, then dies before firing (nothing else happens).
    [occurrence] = await repo.due(utcnow(), limit=10)
    won = await repo.claim(
        [(occurrence, 1)], owner="dead", lease=timedelta(seconds=1), now=utcnow()
    )
    assert won
    assert await survivor.fire_due() == 0  # the dead replica's lease still runs
    assert not recorder.fired
    await asyncio.sleep(1.2)
    assert await survivor.fire_due() == 1
    [result] = await results_of(store, "held")
    assert (result.outcome, result.attempt, result.owner) == ("fired", 2, "survivor")
    assert recorder.fired[occurrence.id] == 1


async def test_a_failing_handler_is_retried_after_the_lease_then_given_up(store: Database) -> None:
    calls: list[int] = []

    async def broken(timer: Timer) -> None:
        calls.append(1)
        raise RuntimeError("platform down")

    service = TimerService(
        repository(store), owner="r", lease=timedelta(milliseconds=200), max_attempts=2
    )
    service.on("test", broken)
    await service.schedule(Timer(workspace="acme", timer_id="flaky", kind="test", due_at=utcnow()))
    assert await service.fire_due() == 0
    assert await service.fire_due() == 0  # lease running: not retried at once
    await asyncio.sleep(0.3)
    assert await service.fire_due() == 1
    [result] = await results_of(store, "flaky")
    assert (result.outcome, result.attempt, len(calls)) == ("failed", 2, 2)
    assert "platform down" in (result.error or "")


async def test_a_cancelled_timer_does_not_fire_but_a_later_schedule_does(store: Database) -> None:
    recorder = Recorder()
    service = replica(store, "r", recorder)
    past = utcnow() - timedelta(seconds=1)
    await service.schedule(Timer(workspace="acme", timer_id="c", kind="test", due_at=past))
    await service.cancel("acme", "c")
    await service.cancel("other", "c2")  # another workspace's cancel changes nothing here
    assert await service.fire_due() == 1
    assert not recorder.fired
    [result] = await results_of(store, "c")
    assert result.outcome == "cancelled"
    again = past + timedelta(milliseconds=5)
    await service.schedule(Timer(workspace="acme", timer_id="c", kind="test", due_at=again))
    assert await service.fire_due() == 1
    assert recorder.fired[occurrence_id("c", again)] == 1


async def test_a_replica_without_the_handler_leaves_the_timer_to_one_that_has_it(
    store: Database,
) -> None:
    recorder = Recorder()
    old = TimerService(repository(store), owner="old")  # knows no "test" handler
    new = replica(store, "new", recorder)
    await old.schedule(Timer(workspace="acme", timer_id="u", kind="test", due_at=utcnow()))
    assert await old.fire_due() == 0
    assert await new.fire_due() == 1
    assert len(recorder.fired) == 1


async def test_timers_read_ahead_fire_once_and_never_before_their_due_time(store: Database) -> None:
    """The running replica learns of some timers by its look-ahead scan (scheduled by another
    process) and of others as it schedules them itself; it holds both in memory before they
    are due, and must still fire each at or after its due time, once."""
    fired_at: dict[str, list[datetime]] = {}

    async def record(timer: Timer) -> None:
        fired_at.setdefault(occurrence_id(timer.timer_id, timer.due_at), []).append(utcnow())

    running_replica = TimerService(
        repository(store), owner="r", poll_seconds=0.1, lookahead=timedelta(seconds=15)
    )
    running_replica.on("test", record)
    elsewhere = TimerService(repository(store), owner="elsewhere")
    start = utcnow() + timedelta(seconds=1)
    due = {f"e{i}": start + timedelta(milliseconds=37 * i) for i in range(40)}
    due |= {f"h{i}": start + timedelta(milliseconds=41 * i) for i in range(40)}
    async with running(running_replica):
        await elsewhere.schedule_many(
            [
                Timer(workspace="acme", timer_id=k, kind="test", due_at=v)
                for k, v in due.items()
                if k[0] == "e"
            ]
        )
        await running_replica.schedule_many(
            [
                Timer(workspace="acme", timer_id=k, kind="test", due_at=v)
                for k, v in due.items()
                if k[0] == "h"
            ]
        )
        await eventually(
            lambda: asyncio.sleep(0, len(fired_at)), lambda n: n >= 80, what="all 80 fired"
        )
        await asyncio.sleep(0.5)  # a double firing would show up now
    expected = {occurrence_id(k, v): v for k, v in due.items()}
    assert set(fired_at) == set(expected)
    assert all(len(times) == 1 for times in fired_at.values())
    early = {
        k: (expected[k] - t[0]).total_seconds() for k, t in fired_at.items() if t[0] < expected[k]
    }
    assert not early, f"fired before due: {early}"
