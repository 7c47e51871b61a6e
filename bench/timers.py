"""10,000 timers due in the same minute, fired by 3 scheduler replicas (separate processes,
each its own TimerService and MongoDB client) racing on one store.

Counts every handler call in every replica (each occurrence must fire exactly once), and
reports the firing lag (fired - due) distribution and whether all fired within 10 s of due.
The raw baseline, measured in the same run: inserting the same number of documents in batches
(the store's plain write speed), against which the firing throughput is a ratio.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import statistics
import time
from collections import Counter
from datetime import timedelta
from typing import Any

from bench.report import Arm, Target, show, write
from ensemble_devtools.infra import Infra
from ensemble_scheduler.models.timers import Timer, occurrence_id
from ensemble_scheduler.services.timers import TimerService
from ensemble_scheduler.storage.timers import TimerRepository
from ensemble_shared.events import new_id, utcnow
from ensemble_shared.settings import MongoSettings
from ensemble_shared.storage import Database, create_client, ensure_indexes

REPLICAS = 3
WINDOW = timedelta(seconds=60)  # "the same minute"
LEAD = timedelta(seconds=20)  # time for the replicas to start before the first is due
WITHIN = 10.0


def _repository(database: Database) -> TimerRepository:
    return TimerRepository(
        database["timers"],
        database["timer_claims"],
        database["timer_results"],
        database["timer_cancellations"],
    )


async def _replica(url: str, name: str, owner: str, stop: Any, out: Any) -> None:
    client = create_client(MongoSettings(url=url))
    database = client[name]
    fired: list[tuple[str, float]] = []

    async def count(timer: Timer) -> None:
        fired.append((occurrence_id(timer.timer_id, timer.due_at), time.time()))

    service = TimerService(_repository(database), owner=owner, poll_seconds=0.5)
    service.on("bench", count)
    loop = asyncio.create_task(service.run())
    await asyncio.to_thread(stop.wait)
    loop.cancel()
    await asyncio.gather(loop, return_exceptions=True)
    client.close()
    out.put((owner, fired))


def _replica_process(url: str, name: str, owner: str, stop: Any, out: Any) -> None:
    asyncio.run(_replica(url, name, owner, stop, out))


async def _baseline(database: Database, n: int) -> float:
    """Plain batched inserts of n small documents: the store's raw write rate."""
    documents = [{"_id": f"raw{i}", "due_at": utcnow(), "kind": "bench"} for i in range(n)]
    started = time.perf_counter()
    for start in range(0, n, 200):
        await database["baseline"].insert_many(documents[start : start + 200], ordered=False)
    return n / (time.perf_counter() - started)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def run(infra: Infra, *, timers: int = 10_000, rounds: int = 1) -> bool:
    met = True
    for round_ in range(rounds):
        met &= await _round(infra, timers, round_)
    return met


async def _round(infra: Infra, n: int, round_: int) -> bool:
    name = f"bench_timers_{new_id()[:8]}"
    client = create_client(MongoSettings(url=infra.mongodb_url))
    database = client[name]
    try:
        await ensure_indexes(database, TimerRepository.INDEXES)
        baseline = await _baseline(database, n)
        start = utcnow() + LEAD
        spread = WINDOW.total_seconds() / n
        due = [start + timedelta(seconds=i * spread) for i in range(n)]
        scheduler = TimerService(_repository(database), owner="scheduler")
        for first in range(0, n, 1_000):
            await scheduler.schedule_many(
                [
                    Timer(workspace="bench", timer_id=f"t{i}", kind="bench", due_at=due[i])
                    for i in range(first, min(n, first + 1_000))
                ]
            )
        context = multiprocessing.get_context("spawn")
        stop, out = context.Event(), context.Queue()
        processes = [
            context.Process(
                target=_replica_process,
                args=(infra.mongodb_url, name, f"replica-{r}", stop, out),
                daemon=True,
            )
            for r in range(REPLICAS)
        ]
        for process in processes:
            process.start()
        deadline = time.monotonic() + LEAD.total_seconds() + WINDOW.total_seconds() + 120
        results = database["timer_results"]
        while time.monotonic() < deadline:
            if await results.count_documents({}) >= n:
                break
            await asyncio.sleep(1)
        await asyncio.sleep(2)  # a late duplicate would land now
        stop.set()
        per_replica: dict[str, list[tuple[str, float]]] = {}
        for _ in processes:
            owner, fired = await asyncio.to_thread(out.get, True, 60)
            per_replica[owner] = fired
        for process in processes:
            process.join(timeout=30)
        calls = Counter(key for fired in per_replica.values() for key, _ in fired)
        expected = {occurrence_id(f"t{i}", due[i]) for i in range(n)}
        due_of = {occurrence_id(f"t{i}", due[i]): due[i] for i in range(n)}
        lags = [
            at - due_of[key].timestamp()
            for fired in per_replica.values()
            for key, at in fired
            if key in due_of
        ]
        missing = len(expected - set(calls))
        duplicates = sum(c - 1 for c in calls.values() if c > 1)
        stored = await results.count_documents({"outcome": "fired"})
        span = max(at for fired in per_replica.values() for _, at in fired) - min(
            at for fired in per_replica.values() for _, at in fired
        )
    finally:
        await client.drop_database(name)
        client.close()
    within = sum(1 for lag in lags if lag <= WITHIN) / n
    firing_rate = n / max(span, 1e-9)
    arms = [
        Arm("raw_insert", "batched inserts of n documents (store baseline)", [baseline]),
        Arm(
            "firing", "occurrences fired per second across 3 replicas, first to last", [firing_rate]
        ),
    ]
    derived = {
        "lag p50 s": statistics.median(lags),
        "lag p90 s": _percentile(lags, 0.90),
        "lag p99 s": _percentile(lags, 0.99),
        "lag max s": max(lags),
        "missing": float(missing),
        "duplicate firings": float(duplicates),
        "results stored": float(stored),
        **{f"fired by {o}": float(len(f)) for o, f in sorted(per_replica.items())},
    }
    targets = [
        Target("fraction fired within 10 s of due", within, 1.0),
        Target(
            "fired exactly once (1 = none missing or doubled)",
            1.0 - (missing + duplicates) / n,
            1.0,
        ),
    ]
    settings: dict[str, Any] = {
        "store": infra.store,
        "timers": n,
        "due": f"spread evenly over {WINDOW.total_seconds():.0f} s",
        "replicas": f"{REPLICAS} processes, one TimerService and one client each",
        "poll": "0.5 s, look-ahead 15 s, batch 200, lease 30 s",
        "round": round_ + 1,
    }
    show("Durable timers: 10k due in one minute, 3 replicas", settings, arms, derived, targets)
    path = write("timers", settings, arms, derived, targets)
    print(f"written: {path}")
    return all(t.met for t in targets)


if __name__ == "__main__":
    import sys
    import tempfile
    from pathlib import Path

    from ensemble_devtools.infra import resolve

    with tempfile.TemporaryDirectory(prefix="ensemble-bench-") as data:
        infra = resolve(Path(data))
        try:
            ok = asyncio.run(run(infra, timers=int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))
        finally:
            infra.stop()
    sys.exit(0 if ok else 1)
