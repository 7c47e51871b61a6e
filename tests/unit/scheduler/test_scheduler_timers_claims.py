"""Timer claim logic against an in-memory store: attempts, leases, results, cancellations."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from ensemble_scheduler.models.timers import (
    ClaimView,
    Finished,
    Occurrence,
    Timer,
    claim_id,
    latest_attempts,
    normalized,
    occurrence_id,
)
from ensemble_scheduler.services.timers import TimerService

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


class MemoryTimers:
    """The repository's contract, in memory: unique keys decide as the store's `_id` does."""

    def __init__(self) -> None:
        self.pending: dict[str, Occurrence] = {}
        self.claims: dict[str, dict[str, Any]] = {}
        self.results: dict[str, Finished] = {}
        self.cancels: list[tuple[str, str, datetime]] = []
        self.tried: list[tuple[str, str, int]] = []  # (owner, occurrence, attempt) inserted
        self.deletes: list[list[str]] = []  # each forget call: one delete on the store

    async def insert(self, occurrences: Sequence[Occurrence]) -> list[str]:
        added = []
        for o in occurrences:
            if o.id not in self.pending and o.id not in self.results:
                self.pending[o.id] = o
                added.append(o.id)
        return added

    async def cancel(self, workspace: str, timer_id: str, *, at: datetime) -> None:
        self.cancels.append((workspace, timer_id, at))

    async def cancelled_since(self, occurrences: Sequence[Occurrence]) -> set[str]:
        return {
            o.id
            for o in occurrences
            for ws, tid, at in self.cancels
            if (ws, tid) == (o.workspace, o.timer_id) and o.scheduled_at <= at
        }

    async def due(self, now: datetime, *, limit: int, skip: int = 0) -> list[Occurrence]:
        due = sorted((o for o in self.pending.values() if o.due_at <= now), key=lambda o: o.due_at)
        return due[skip : skip + limit]

    async def next_due(self) -> datetime | None:
        return min((o.due_at for o in self.pending.values()), default=None)

    async def finished_among(self, ids: Iterable[str]) -> set[str]:
        return {i for i in ids if i in self.results}

    async def latest_claims(self, ids: Iterable[str]) -> dict[str, ClaimView]:
        wanted = set(ids)
        return latest_attempts(
            ClaimView.model_validate(doc)
            for doc in self.claims.values()
            if doc["occurrence"] in wanted
        )

    async def claim(
        self,
        attempts: Sequence[tuple[Occurrence, int]],
        *,
        owner: str,
        lease: timedelta,
        now: datetime,
    ) -> list[tuple[Occurrence, int]]:
        won = []
        for o, attempt in attempts:
            self.tried.append((owner, o.id, attempt))
            key = claim_id(o.id, attempt)
            if key not in self.claims:
                self.claims[key] = {
                    "occurrence": o.id,
                    "attempt": attempt,
                    "owner": owner,
                    "lease_until": max(now, o.due_at) + lease,
                }
                won.append((o, attempt))
        return won

    async def finish(self, records: Sequence[Finished]) -> list[str]:
        stored = []
        for r in records:
            if r.occurrence not in self.results:
                self.results[r.occurrence] = r
                stored.append(r.occurrence)
        return stored

    async def forget(self, ids: Sequence[str]) -> None:
        self.deletes.append(list(ids))
        for i in ids:
            self.pending.pop(i, None)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def service(store: MemoryTimers, clock: Clock, owner: str, fired: list[str]) -> TimerService:
    timers = TimerService(
        store,  # type: ignore[arg-type]
        owner=owner,
        lease=timedelta(seconds=30),
        clock=clock,
    )

    async def record(timer: Timer) -> None:
        fired.append(f"{owner}:{timer.timer_id}")

    timers.on("k", record)
    return timers


def timer(name: str, due: datetime) -> Timer:
    return Timer(workspace="acme", timer_id=name, kind="k", due_at=due)


async def test_an_occurrence_key_is_the_timer_and_its_due_time_to_the_millisecond() -> None:
    due = datetime(2026, 6, 1, 8, 0, 0, 123456, tzinfo=UTC)
    assert occurrence_id("publish:c1", due) == "publish:c1@2026-06-01T08:00:00.123+00:00"
    assert normalized(due).microsecond == 123000


async def test_nothing_fires_before_its_time_and_each_fires_once_when_due() -> None:
    store, clock, fired = MemoryTimers(), Clock(), list[str]()
    a, b = service(store, clock, "a", fired), service(store, clock, "b", fired)
    await a.schedule(timer("x", T0 + timedelta(seconds=10)))
    assert await a.fire_due() == 0
    clock.now += timedelta(seconds=10)
    assert await b.fire_due() == 1
    assert await a.fire_due() == 0
    assert fired == ["b:x"]


async def test_a_live_claim_is_left_alone_and_an_expired_one_is_retaken_as_the_next_attempt() -> (
    None
):
    store, clock, fired = MemoryTimers(), Clock(), list[str]()
    survivor = service(store, clock, "survivor", fired)
    await survivor.schedule(timer("x", T0))
    [occurrence] = await store.due(T0, limit=1)
    await store.claim([(occurrence, 1)], owner="dead", lease=timedelta(seconds=30), now=T0)
    clock.now = T0 + timedelta(seconds=29)
    assert await survivor.fire_due() == 0
    clock.now = T0 + timedelta(seconds=31)
    assert await survivor.fire_due() == 1
    assert store.results[occurrence.id].attempt == 2
    assert fired == ["survivor:x"]


async def test_a_cancel_stops_occurrences_scheduled_before_it_only() -> None:
    store, clock, fired = MemoryTimers(), Clock(), list[str]()
    timers = service(store, clock, "a", fired)
    await timers.schedule(timer("x", T0))
    clock.now += timedelta(seconds=1)
    await timers.cancel("acme", "x")
    clock.now += timedelta(seconds=1)
    await timers.schedule(timer("x", T0 + timedelta(seconds=2)))
    assert await timers.fire_due() == 2
    assert fired == ["a:x"]
    outcomes = sorted(r.outcome for r in store.results.values())
    assert outcomes == ["cancelled", "fired"]


async def test_an_occurrence_another_replica_finished_is_not_fired_again() -> None:
    store, clock, fired = MemoryTimers(), Clock(), list[str]()
    timers = service(store, clock, "a", fired)
    await timers.schedule(timer("x", T0))
    [occurrence] = await store.due(T0, limit=1)
    # Replica b claimed and fired it; it died before dropping the pending entry.
    await store.claim([(occurrence, 1)], owner="b", lease=timedelta(seconds=30), now=T0)
    store.results[occurrence.id] = Finished(
        occurrence=occurrence.id,
        workspace="acme",
        timer_id="x",
        kind="k",
        due_at=T0,
        outcome="fired",
        attempt=1,
        owner="b",
        at=T0,
    )
    assert await timers.fire_due() == 0  # attempt 1 is b's
    clock.now = T0 + timedelta(minutes=5)  # b's lease is long over: still not again
    assert await timers.fire_due() == 0
    assert fired == []
    assert store.pending == {}  # the stale pending entry is dropped


async def test_a_lost_claim_is_not_inserted_again_until_its_lease_may_have_run_out() -> None:
    store, clock, fired = MemoryTimers(), Clock(), list[str]()
    a = service(store, clock, "a", fired)
    await a.schedule(timer("x", T0))
    [occurrence] = await store.due(T0, limit=1)
    await store.claim([(occurrence, 1)], owner="b", lease=timedelta(seconds=30), now=T0)
    assert await a.fire_due() == 0  # lost to b
    clock.now = T0 + timedelta(seconds=20)
    assert await a.fire_due() == 0  # read again, not claimed again
    assert [(o, n) for o, _, n in store.tried if o == "a"] == [("a", 1)]
    clock.now = T0 + timedelta(seconds=31)  # b's lease is over and it left no result
    assert await a.fire_due() == 1
    assert [(o, n) for o, _, n in store.tried if o == "a"] == [("a", 1), ("a", 2)]
    assert fired == ["a:x"]


async def test_occurrences_finished_in_one_pass_leave_the_pending_set_in_one_delete() -> None:
    store, clock, fired = MemoryTimers(), Clock(), list[str]()
    timers = service(store, clock, "a", fired)
    await timers.schedule_many([timer(f"x{i}", T0) for i in range(3)])
    assert await timers.fire_due() == 3
    assert len(store.deletes) == 1
    assert len(store.deletes[0]) == 3
    assert store.pending == {}


async def test_a_timer_scheduled_here_of_a_kind_handled_elsewhere_is_left_to_others() -> None:
    store, clock = MemoryTimers(), Clock()
    other = TimerService(store, owner="other", clock=clock)  # type: ignore[arg-type]
    await other.schedule(Timer(workspace="acme", timer_id="y", kind="elsewhere", due_at=T0))
    assert await other.fire_due() == 0
    assert store.tried == []
    assert len(store.pending) == 1
