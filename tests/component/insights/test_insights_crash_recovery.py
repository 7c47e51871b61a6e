"""The projector crashing at every step of a round, on the real store: each event still counts
once (FerretDB has no transactions; the journal, the markers and the rollups' round stamps
make each step safe to redo)."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any, cast

import pytest

from ensemble_devtools.infra import Infra
from ensemble_insights.models.api import Period
from ensemble_insights.models.facts import Fact
from ensemble_insights.models.rollups import Content, Ref
from ensemble_insights.models.settings import WorkspaceSettings
from ensemble_insights.services.facts import facts_of
from ensemble_insights.services.folder import Folder, FolderConfig, Stores
from ensemble_insights.services.leader import Leadership
from ensemble_insights.services.queries import Queries
from ensemble_insights.services.reading import Reader
from ensemble_insights.storage import journal
from ensemble_insights.storage.journal import Journal
from ensemble_insights.storage.progress import Leases, Progress
from ensemble_insights.storage.rollups import Rollups
from ensemble_insights.storage.seen import Seen
from ensemble_insights.storage.settings import SettingsRepository, Views
from ensemble_insights.storage.staging import Staging
from ensemble_shared.settings import MongoSettings
from ensemble_shared.storage import Database, create_client
from support.insights import compare_series
from support.insights_history import ZONE, deliveries, expected, history, period_days


class Crash(Exception):
    """A process dying at a chosen point (what the folder sees is the same: an exception)."""


class Faults:
    """Which call of which step fails: {step: set of call numbers}."""

    def __init__(self, plan: dict[str, set[int]]) -> None:
        self.plan = plan
        self.calls: dict[str, int] = {}
        self.fired: list[str] = []

    def hit(self, step: str) -> None:
        self.calls[step] = self.calls.get(step, 0) + 1
        if self.calls[step] in self.plan.get(step, set()):
            self.fired.append(f"{step}#{self.calls[step]}")
            raise Crash(step)


class HalfInserts:
    """A collection whose `insert_many` can die after half its documents went in (a chunked
    commit cut short)."""

    def __init__(self, faults: Faults, collection: Any) -> None:
        self._faults, self._collection = faults, collection

    def __getattr__(self, name: str) -> Any:
        return getattr(self._collection, name)

    async def insert_many(self, documents: list[dict[str, Any]]) -> Any:
        try:
            self._faults.hit("mid_commit")
        except Crash:
            await self._collection.insert_many(documents[: len(documents) // 2])
            raise
        return await self._collection.insert_many(documents)


class CrashingJournal(Journal):
    def __init__(self, faults: Faults, rounds: Any, commits: Any, *args: Any) -> None:
        super().__init__(rounds, cast(Any, HalfInserts(faults, commits)), *args)
        self.faults = faults

    async def commit(self, number: int, payload: dict[str, Any]) -> None:
        self.faults.hit("before_commit")
        await super().commit(number, payload)
        self.faults.hit("after_commit")


class CrashingRollups(Rollups):
    def __init__(self, faults: Faults, database: Database) -> None:
        super().__init__(database, 1)
        self.faults = faults

    async def write(self, contents: Any, round_: int) -> None:
        items = list(contents.items())
        half = dict(items[: len(items) // 2])
        try:
            self.faults.hit("mid_apply")
        except Crash:
            await super().write(half, round_)  # half the documents made it
            raise
        await super().write(contents, round_)


class CrashingStaging(Staging):
    def __init__(self, faults: Faults, *args: Any) -> None:
        super().__init__(*args)
        self.faults = faults

    async def remove(self, ids: Sequence[str]) -> None:
        self.faults.hit("before_cleanup")
        await super().remove(ids)


@pytest.fixture
async def databases(
    infra: Infra, unique_name: Callable[[str], str]
) -> AsyncIterator[tuple[Database, Database]]:
    client = create_client(MongoSettings(url=infra.mongodb_url))
    names = unique_name("main"), unique_name("log")
    yield client[names[0]], client[names[1]]
    for name in names:
        await client.drop_database(name)
    client.close()


def batches_of(facts: list[Fact], rng: random.Random) -> list[list[Fact]]:
    """Consumed batches of random sizes, some redelivered with other boundaries."""
    found: list[list[Fact]] = []
    start = 0
    while start < len(facts):
        size = rng.randint(5, 40)
        found.append(facts[start : start + size])
        if rng.random() < 0.2:  # the consumer crashed before committing: read again, longer
            found.append(facts[start : start + size + rng.randint(1, 20)])
        start += size
    return found


@pytest.mark.parametrize("chunk_bytes", [journal.CHUNK_BYTES, 2048])
async def test_a_crash_at_every_step_of_a_round_still_counts_each_event_once(
    databases: tuple[Database, Database], chunk_bytes: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With commits of one document, and with every commit cut into chunks (as a round over a
    long history is, past the store's 16 MB), one of them cut short by a crash."""
    monkeypatch.setattr(journal, "CHUNK_BYTES", chunk_bytes)
    main, log = databases
    events = history(seed=21)
    facts = facts_of(deliveries(events, seed=4))
    plan = {
        "before_commit": {2, 7},
        "after_commit": {3, 8},
        "mid_apply": {4, 9},
        "before_cleanup": {5, 10},
    }
    if chunk_bytes < journal.CHUNK_BYTES:
        plan["mid_commit"] = {6}
    faults = Faults(plan)
    settings = SettingsRepository(main["settings"])
    assert await settings.replace(
        WorkspaceSettings(workspace="acme", time_zone=ZONE, version=1), version=0
    )
    staging = CrashingStaging(faults, log["staged"])
    for batch in batches_of(facts, random.Random(9)):
        await staging.stage(batch)
    rollups = CrashingRollups(faults, main)
    stores = Stores(
        staging=staging,
        seen=Seen(log["seen"]),
        journal=CrashingJournal(faults, log["rounds"], log["commits"], log["snaps"], log["meta"]),
        rollups=rollups,
        settings=settings,
        views=Views(main["views"]),
        progress=Progress(log["meta"]),
    )
    # A clock stopped mid-slot: the lease is this process's for the whole test.
    leadership = Leadership(
        Leases(log["leases"]), "me", slot_seconds=3600, margin_seconds=1, clock=lambda: 5400.0
    )
    config = FolderConfig(batches_per_round=3, snapshot_rounds=2)
    folder, replaced = Folder(stores, leadership, config), False
    for _ in range(500):
        waited = await folder.tick()
        if len(faults.fired) >= 4 and not replaced:  # a fresh process, nothing in memory
            folder, replaced = Folder(stores, leadership, config), True
        if waited > 0 and await staging.backlog() == 0:
            break
    assert await staging.backlog() == 0
    assert len(faults.fired) == len([n for calls in plan.values() for n in calls]), faults.fired

    start, end = period_days()
    queries = Queries(Reader(Rollups(main, 1)), Views(main["views"]), settings)
    mismatches = await compare_series(
        queries, "acme", expected(events), Period(start=start, end=end)
    )
    assert mismatches == []


async def test_reading_a_rollup_finds_what_the_projector_wrote(
    databases: tuple[Database, Database],
) -> None:
    main, _ = databases
    rollups = Rollups(main, 7)
    docs: dict[Ref, Content] = {
        Ref("d", "acme", "listening", "2026-10", ZONE): {"c": {"mentions": {"01": 3}}, "e": {}},
        Ref("d", "acme", "authors", "2026-10", ZONE): {"c": {"x": {"02": 1}}, "e": {}},
        Ref("q", "acme", "listening", "2026-10-01"): {"c": {"mentions": {"5": 3}}, "e": {}},
        Ref("now", "acme", "now", ""): {"c": {"ideas_now|status=open": {"now": 2}}, "e": {}},
    }
    await rollups.write(docs, 3)
    found = await rollups.read([*docs, Ref("d", "other", "listening", "2026-10", ZONE)])
    assert found == {ref: (3, content) for ref, content in docs.items()}
    names = {rollups.location(ref)[0] for ref in docs}
    assert len(names) == 4  # heavy families and layers live apart
