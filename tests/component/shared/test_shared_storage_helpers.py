"""Idempotent inserts and leased claims on the real MongoDB-wire store."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from ensemble_shared.events import utcnow
from ensemble_shared.storage import ASCENDING, Database, Index, ensure_indexes
from ensemble_shared.storage.claims import Claims, ClaimState
from ensemble_shared.storage.idempotency import insert_new
from ensemble_shared.storage.lookups import find_owned


async def test_insert_new_stores_each_key_once_and_says_which_were_new(database: Database) -> None:
    things = database["things"]
    assert await insert_new(things, [{"_id": "a"}, {"_id": "b"}]) == ["a", "b"]
    assert await insert_new(things, [{"_id": "b"}, {"_id": "c"}, {"_id": "a"}]) == ["c"]
    assert await insert_new(things, []) == []
    assert sorted(d["_id"] for d in await things.find().to_list(10)) == ["a", "b", "c"]


async def test_insert_new_respects_declared_natural_keys(database: Database) -> None:
    declared = {"pairs": [Index([("w", ASCENDING), ("k", ASCENDING)], name="natural", unique=True)]}
    await ensure_indexes(database, declared)
    await ensure_indexes(database, declared)  # twice: start-up must be idempotent
    pairs = database["pairs"]
    assert await insert_new(pairs, [{"_id": 1, "w": "x", "k": 1}]) == [1]
    assert await insert_new(
        pairs, [{"_id": 2, "w": "x", "k": 1}, {"_id": 3, "w": "y", "k": 1}]
    ) == [3]


async def test_exactly_one_of_many_concurrent_claimers_wins(database: Database) -> None:
    claims = Claims(database["claims"], database["claim_results"])
    results = await asyncio.gather(
        *(claims.take("job#1", owner=f"r{i}", lease=timedelta(seconds=30)) for i in range(20))
    )
    assert results.count(True) == 1
    assert await claims.claims.count_documents({}) == 1


async def test_a_claim_is_taken_over_only_once_its_lease_ran_out_unfinished(
    database: Database,
) -> None:
    claims = Claims(database["claims"], database["claim_results"])
    assert await claims.take("live", owner="a", lease=timedelta(seconds=30))
    assert await claims.state("live") is ClaimState.LIVE
    long_ago = utcnow() - timedelta(seconds=5)
    assert await claims.take("dead", owner="a", lease=timedelta(seconds=1), now=long_ago)
    assert await claims.state("dead") is ClaimState.EXPIRED
    assert await claims.finish("dead", outcome="done")
    assert not await claims.finish("dead", outcome="done again")  # an outcome is written once
    assert await claims.state("dead") is ClaimState.FINISHED
    assert await claims.state("never-claimed") is ClaimState.ABSENT


async def test_a_keyed_read_answers_only_within_its_workspace(database: Database) -> None:
    items = database["owned"]
    await items.insert_one(
        {"_id": "m1", "workspace": "acme", "person": "lea", "text": "hi", "log": {"e": 1}}
    )
    found = await find_owned(items, "m1", "acme")
    assert found is not None
    assert found["text"] == "hi"
    assert await find_owned(items, "m1", "other") is None  # another workspace: not found
    assert await find_owned(items, "nope", "acme") is None
    assert await find_owned(items, "m1", "acme", person="lea") is not None
    assert await find_owned(items, "m1", "acme", person="max") is None
    excluded = await find_owned(items, "m1", "acme", {"log": 0})
    assert excluded is not None
    assert "log" not in excluded
    included = await find_owned(items, "m1", "acme", {"log": 1})
    assert included is not None
    assert set(included) == {"_id", "workspace", "log"}
    assert await find_owned(items, "m1", "other", {"log": 1}) is None
