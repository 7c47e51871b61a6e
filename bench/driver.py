"""The MongoDB driver: Motor (a thread pool under asyncio) against PyMongo's native
`AsyncMongoClient` (Motor's successor by the same maintainers), on the same store in one run.

Arms, interleaved every round after a warm-up, each on a fresh collection:
- small_ops_*: IN_FLIGHT tasks each doing `insert_one` then `find_one` by `_id` for its share
  of the documents — the shape of a webhook burst or a consumer's per-event work, many small
  concurrent operations (concurrent `update_one`s mostly measure FerretDB's SQLite lock:
  "database is locked" retries);
- insert_many_*: the same documents in batches of 500 (the batched paths).
Rates are operations (or documents) per second. The services use the driver these figures
favour; the targets say whether Motor still is that one.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from motor.motor_asyncio import AsyncIOMotorClient
from pymongo import AsyncMongoClient

from bench.report import Arm, Target, show, write
from ensemble_devtools.infra import Infra
from ensemble_shared.events import new_id
from ensemble_shared.storage import through_brownouts

IN_FLIGHT = 64
BATCH = 500

Collection = Any  # either driver's collection: the calls used are the same


def _documents(count: int) -> list[dict[str, Any]]:
    return [
        {"_id": new_id(), "workspace": "bench", "text": "x" * 900, "n": n, "tags": ["a", "b"]}
        for n in range(count)
    ]


async def _retried(call: Callable[[], Awaitable[object]]) -> None:
    """As the services do: SQLite busy behind FerretDB (concurrent writers) is waited out."""
    await through_brownouts(call, budget_seconds=60, what="bench")


async def _three(collection: Collection, document: dict[str, Any]) -> None:
    key = {"_id": document["_id"]}
    await _retried(lambda: collection.insert_one(document))
    await _retried(lambda: collection.find_one(key))


async def _small_ops(collection: Collection, documents: list[dict[str, Any]]) -> float:
    queue = list(documents)

    async def worker() -> None:
        while queue:
            await _three(collection, queue.pop())

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(IN_FLIGHT)))
    return 2 * len(documents) / (time.perf_counter() - started)


async def _insert_many(collection: Collection, documents: list[dict[str, Any]]) -> float:
    started = time.perf_counter()
    for start in range(0, len(documents), BATCH):
        await collection.insert_many(documents[start : start + BATCH], ordered=False)
    return len(documents) / (time.perf_counter() - started)


async def run(infra: Infra, *, rounds: int, operations: int) -> bool:
    motor: AsyncIOMotorClient[dict[str, Any]] = AsyncIOMotorClient(infra.mongodb_url)
    native: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongodb_url)
    database = f"bench_driver_{new_id()[:8]}"
    clients: dict[str, Any] = {"motor": motor[database], "pymongo": native[database]}
    arms = {
        f"{kind}_{driver}": Arm(f"{kind}_{driver}", description)
        for driver in clients
        for kind, description in (
            ("small_ops", f"{driver}: insert_one + find_one, {IN_FLIGHT} tasks"),
            ("insert_many", f"{driver}: insert_many, {BATCH} per call"),
        )
    }
    measures: dict[str, Callable[[Collection, list[dict[str, Any]]], Awaitable[float]]] = {
        "small_ops": _small_ops,
        "insert_many": _insert_many,
    }
    try:
        for round_ in range(rounds + 1):
            for kind, measure in measures.items():
                for driver, db in clients.items():
                    collection = db[f"{kind}_{driver}_{round_}"]
                    rate = await measure(collection, _documents(operations))
                    await collection.drop()
                    if round_:  # round 0 warms both up
                        arms[f"{kind}_{driver}"].rates.append(rate)
    finally:
        await native.drop_database(database)
        motor.close()
        await native.close()

    m = {name: arm.median for name, arm in arms.items()}
    # The services stay on the driver that serves them better here (see the storage package).
    targets = [
        Target(
            "motor / pymongo, small concurrent ops",
            m["small_ops_motor"] / m["small_ops_pymongo"],
            1.0,
        ),
        Target(
            "motor / pymongo, insert_many", m["insert_many_motor"] / m["insert_many_pymongo"], 0.9
        ),
    ]
    settings: dict[str, Any] = {
        "store": infra.store,
        "documents per arm and round": operations,
        "rounds (after 1 warm-up)": rounds,
    }
    listed = list(arms.values())
    show("MongoDB driver: Motor vs PyMongo's AsyncMongoClient", settings, listed, {}, targets)
    print(f"written: {write('driver', settings, listed, {}, targets)}")
    return all(t.met for t in targets)
