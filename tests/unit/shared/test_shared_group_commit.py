"""Group commit: callers' items share bulk writes, each caller gets its own result or error."""

from __future__ import annotations

import asyncio

import pytest

from ensemble_shared.group_commit import GroupCommit


async def test_items_arriving_during_a_write_go_together_in_the_next_and_get_their_results() -> (
    None
):
    batches: list[list[int]] = []
    release = asyncio.Event()

    async def flush(items: list[int]) -> list[int]:
        batches.append(items)
        if len(batches) == 1:
            await release.wait()  # the store is busy with the first write
        return [item * 10 for item in items]

    batch: GroupCommit[int, int] = GroupCommit(flush)
    first = asyncio.create_task(batch(1))
    await asyncio.sleep(0)
    rest = [asyncio.create_task(batch(n)) for n in (2, 3, 4)]
    await asyncio.sleep(0)
    release.set()
    assert await first == 10
    assert [await task for task in rest] == [20, 30, 40]
    assert batches == [[1], [2, 3, 4]]


async def test_a_batch_never_exceeds_the_limit() -> None:
    batches: list[list[int]] = []

    async def flush(items: list[int]) -> list[None]:
        batches.append(items)
        await asyncio.sleep(0)
        return [None] * len(items)

    batch: GroupCommit[int, None] = GroupCommit(flush, limit=2)
    await asyncio.gather(*(batch(n) for n in range(5)))
    assert sorted(n for b in batches for n in b) == list(range(5))
    assert max(len(b) for b in batches) == 2


async def test_a_failed_write_fails_its_callers_only_and_the_next_write_goes_on() -> None:
    calls = 0

    async def flush(items: list[str]) -> list[str]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("store down")
        return items

    batch: GroupCommit[str, str] = GroupCommit(flush)
    with pytest.raises(RuntimeError, match="store down"):
        await batch("a")
    assert await batch("b") == "b"


async def test_closing_cancels_the_callers_waiting_instead_of_leaving_them_hanging() -> None:
    started = asyncio.Event()

    async def flush(items: list[int]) -> list[int]:
        started.set()
        await asyncio.sleep(60)
        return items

    batch: GroupCommit[int, int] = GroupCommit(flush)
    waiting = asyncio.create_task(batch(1))
    await started.wait()
    batch.close()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(waiting, timeout=5)
