"""Idempotent inserts and leased claims on the real MongoDB-wire store."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from ensemble_shared.events import utcnow
from ensemble_shared.storage import ASCENDING, Database, Index, ensure_indexes
from ensemble_shared.storage.claims import ClaimState, claim_state, finish_claim, try_claim
from ensemble_shared.storage.idempotency import insert_new


async def test_insert_new_stores_each_key_once_and_says_which_were_new(database: Database) -> None:
    things = database["things"]
    assert await insert_new(things, [{"_id": "a"}, {"_id": "b"}]) == ["a", "b"]
    assert await insert_new(things, [{"_id": "b"}, {"_id": "c"}, {"_id": "a"}]) == ["c"]
    assert await insert_new(things, []) == []
    assert sorted(d["_id"] for d in await things.find().to_list(10)) == ["a", "b", "c"]


async def test_insert_new_respects_declared_natural_keys(database: Database) -> None:
    await ensure_indexes(
        database, {"pairs": [Index([("w", ASCENDING), ("k", ASCENDING)], name="natural", unique=True)]}
    )
    await ensure_indexes(  # twice: start-up must be idempotent
        database, {"pairs": [Index([("w", ASCENDING), ("k", ASCENDING)], name="natural", unique=True)]}
    )
    pairs = database["pairs"]
    assert await insert_new(pairs, [{"_id": 1, "w": "x", "k": 1}]) == [1]
    assert await insert_new(pairs, [{"_id": 2, "w": "x", "k": 1}, {"_id": 3, "w": "y", "k": 1}]) == [3]


async def test_exactly_one_of_many_concurrent_claimers_wins(database: Database) -> None:
    claims = database["claims"]
    results = await asyncio.gather(
        *(try_claim(claims, "job#1", owner=f"r{i}", lease=timedelta(seconds=30)) for i in range(20))
    )
    assert results.count(True) == 1
    assert await claims.count_documents({}) == 1


async def test_a_claim_is_taken_over_only_once_its_lease_ran_out_unfinished(database: Database) -> None:
    claims = database["claims"]
    assert await try_claim(claims, "live", owner="a", lease=timedelta(seconds=30))
    assert await claim_state(claims, "live") is ClaimState.LIVE
    assert await try_claim(claims, "dead", owner="a", lease=timedelta(seconds=1), now=utcnow() - timedelta(seconds=5))
    assert await claim_state(claims, "dead") is ClaimState.EXPIRED
    await finish_claim(claims, "dead", outcome="done")
    assert await claim_state(claims, "dead") is ClaimState.FINISHED
    assert await claim_state(claims, "never-claimed") is ClaimState.ABSENT
