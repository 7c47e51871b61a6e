"""The projector: folds staged facts into rollups in rounds, exactly once per event.

Why it is exact without transactions (FerretDB has none):

1. consumers only insert staged batches (a redelivered batch inserts nothing new or a batch
   whose events the next step recognises);
2. a round first records which batches it folds (`open`), then claims each event id with a
   unique insert (`seen`): an id another round claimed is a duplicate and is skipped, so an
   event counts once however often Kafka or the outbox relay delivered it;
3. it folds the new facts in memory and commits the state changes and rollup deltas in one
   inserted document — the round happened, or it did not;
4. it applies the deltas: each rollup document is rewritten with the round number it now
   includes, so applying a committed round again (after a crash) skips the documents that
   already have it;
5. it removes the staged batches it folded.

A crash before 3 leaves an open round: the next leader redoes it from the same batches and
counts the markers stamped with its number as its own (they were claimed, never counted). A
crash after 3 is mended by applying the committed round again. One process folds at a time
(`Leadership`): rollups are rewritten whole, and two writers would lose each other's sums.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ensemble_insights.models.facts import Fact
from ensemble_insights.models.rollups import Content, Ref, add, empty
from ensemble_insights.models.settings import WorkspaceSettings
from ensemble_insights.services.leader import Leadership
from ensemble_insights.services.metrics import FOLDED, LAG, ROUND_SECONDS
from ensemble_insights.services.projection.buckets import Deltas, bucket, rederive
from ensemble_insights.services.projection.fold import Fold
from ensemble_insights.services.projection.state import State
from ensemble_insights.storage.journal import Journal
from ensemble_insights.storage.progress import Progress
from ensemble_insights.storage.rollups import Rollups
from ensemble_insights.storage.seen import Seen
from ensemble_insights.storage.settings import SettingsRepository, Views
from ensemble_insights.storage.staging import Staged, Staging

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FolderConfig:
    batches_per_round: int = 40
    idle_seconds: float = 0.2
    snapshot_rounds: int = 50
    snapshot_seconds: float = 300.0
    window_seconds: float = 30 * 86400.0
    cache_documents: int = 20_000


@dataclass(frozen=True)
class Stores:
    staging: Staging
    seen: Seen
    journal: Journal
    rollups: Rollups
    settings: SettingsRepository
    views: Views
    progress: Progress


def _encode(deltas: Deltas) -> list[list[Any]]:
    return [[list(ref), content] for ref, content in deltas.items()]


def _decode(rows: list[list[Any]]) -> Deltas:
    return {Ref(*ref): content for ref, content in rows}


class Folder:
    def __init__(self, stores: Stores, leadership: Leadership, config: FolderConfig) -> None:
        self._stores = stores
        self._leadership = leadership
        self._config = config
        self._loaded = False
        self._state = State()
        self._next = 1
        self._redo: list[str] | None = None  # staged ids of an open round to redo
        self._cache: OrderedDict[Ref, tuple[int, Content]] = OrderedDict()
        self._settings: dict[str, WorkspaceSettings] = {}
        self._zones: dict[str, str] = {}
        self._snapshot_round = 0
        self._snapshot_at = time.monotonic()
        self._batches = config.batches_per_round  # adapted to keep rounds short

    @property
    def state(self) -> State:
        return self._state

    async def tick(self) -> float:
        """Lead if possible and do one step; seconds to wait before the next tick. A failure
        drops the in-memory state, which the next step loads again from the store."""
        try:
            if not await self._leadership.lead():
                self._unload()
                return 1.0
            return 0.0 if await self.step() else self._config.idle_seconds
        except Exception:
            log.exception("projection step failed; reloading from the store")
            self._unload()
            return 1.0

    async def step(self) -> int:
        """One unit of work as leader: load, re-derive a zone, or fold a round. Facts folded."""
        if not self._loaded:
            await self._load()
        await self._refresh_settings()
        for workspace, settings in self._settings.items():
            if self._zones.get(workspace, settings.time_zone) != settings.time_zone:
                await self._rederive(workspace, settings.time_zone)
                return 0
        return await self._round()

    def _unload(self) -> None:
        self._loaded = False
        self._cache.clear()
        self._state = State()
        self._redo = None

    async def _load(self) -> None:
        started = time.perf_counter()
        snapshot, entities = await self._stores.journal.load()
        self._state = State(entities)
        self._next, self._snapshot_round = snapshot + 1, snapshot
        last: tuple[int, Deltas, list[str]] | None = None
        for entry in await self._stores.journal.after(snapshot):
            if entry.committed is None:
                self._redo = entry.staged
                self._next = entry.number
                continue
            self._state.apply(entry.committed["changes"])
            last = (entry.number, _decode(entry.committed["deltas"]), entry.staged)
            self._next = entry.number + 1
        self._zones = await self._stores.views.all()
        if last is not None:  # it may not have been applied (wholly) before the crash
            await self._apply(last[0], last[1])
            await self._stores.staging.remove(last[2])
        self._loaded = True
        log.info(
            "projection loaded: snapshot %d, next round %d, %d entities, %.1fs",
            snapshot,
            self._next,
            len(self._state),
            time.perf_counter() - started,
        )

    async def _refresh_settings(self) -> None:
        self._settings = await self._stores.settings.all()

    def _settings_of(self, workspace: str) -> WorkspaceSettings:
        return self._settings.get(workspace) or WorkspaceSettings.default(workspace)

    async def _zone_of_all(self, workspaces: Sequence[str]) -> None:
        """Fix the zone of workspaces seen for the first time (reads must know it)."""
        for workspace in workspaces:
            if workspace not in self._zones:
                zone = self._settings_of(workspace).time_zone
                await self._stores.views.set(workspace, zone)
                self._zones[workspace] = zone

    async def _round(self) -> int:
        clock = _Phases()
        number, staging = self._next, self._stores.staging
        waiting = 0
        if self._redo is not None:
            batches = await staging.by_ids(self._redo)
        else:
            batches, waiting = await staging.oldest(
                self._batches, lookahead=self._config.batches_per_round
            )
            if not batches:
                return 0
            await self._stores.journal.open(number, [b.id for b in batches])
        facts = _unique(batches)
        ids = [fact.id for fact in facts]
        clock.mark("read")
        new = await self._stores.seen.claim(ids, number)
        if self._redo is not None:
            new |= await self._stores.seen.claimed_by(number)
        folded = [fact for fact in facts if fact.id in new]
        clock.mark("claim")
        await self._zone_of_all(sorted({fact.workspace for fact in folded}))
        fold = Fold(self._state, self._settings_of, window_seconds=self._config.window_seconds)
        deltas = bucket(fold.run(folded), lambda ws: self._zones[ws])
        clock.mark("fold")
        await self._still_leading("a round")
        changes = self._state.take_changes()
        await self._stores.journal.commit(number, {"changes": changes, "deltas": _encode(deltas)})
        clock.mark("commit")
        await self._apply(number, deltas)
        clock.mark("apply")
        await staging.remove([b.id for b in batches])
        clock.mark("cleanup")
        self._next, self._redo = number + 1, None
        visible = time.time()
        for fact in folded:
            LAG.observe(max(visible - fact.at, 0.0))
        FOLDED.inc(len(folded))
        ROUND_SECONDS.observe(clock.total())
        # Consumers slow down while a full round's worth of batches waits behind this one.
        full = waiting >= self._config.batches_per_round
        self._adapt(clock.total())
        await self._stores.progress.record(
            round=number,
            batches=len(batches),
            full=full,
            waiting=waiting,
            facts=len(facts),
            folded=len(folded),
            seconds=clock.total(),
            phases=clock.phases,
            entities=len(self._state),
        )
        await self._maybe_snapshot(number)
        return len(facts)

    def _adapt(self, seconds: float) -> None:
        """Halve the round after a slow one, grow it back after quick ones: a round must fit
        well within the lease, and long ones delay every figure."""
        target = self._leadership.slot_seconds / 6
        if seconds > target:
            self._batches = max(1, self._batches // 2)
        elif seconds < target / 4:
            self._batches = min(self._config.batches_per_round, self._batches * 2)

    async def _still_leading(self, what: str) -> None:
        """Extend the lease if due; raise when it is lost (another process may lead now)."""
        if not await self._leadership.lead():
            raise RuntimeError(f"the lease ran out during {what}; another process may lead")

    async def _apply(self, number: int, deltas: Deltas) -> None:
        missing = [ref for ref in deltas if ref not in self._cache]
        found = await self._stores.rollups.read(missing, private=True)  # added to in place
        for ref in missing:
            self._cache[ref] = found.get(ref, (0, empty()))
        contents: dict[Ref, Content] = {}
        for ref, delta in deltas.items():
            applied, content = self._cache[ref]
            if applied < number:
                contents[ref] = add(content, delta)
        await self._still_leading("applying a round")
        await self._stores.rollups.write(contents, number)
        # Even when every document already held the round (applied again after a crash): a
        # reader may have cached some of them half-written under the old stamp.
        await self._stores.views.renew(sorted({ref.workspace for ref in deltas}))
        for ref, content in contents.items():
            self._cache[ref] = (number, content)
            self._cache.move_to_end(ref)
        while len(self._cache) > self._config.cache_documents:
            self._cache.popitem(last=False)

    async def _maybe_snapshot(self, number: int) -> None:
        due = number - self._snapshot_round >= self._config.snapshot_rounds
        late = time.monotonic() - self._snapshot_at >= self._config.snapshot_seconds
        if due or (late and number > self._snapshot_round):
            await self._stores.journal.snapshot(number, self._state.dump())
            self._snapshot_round, self._snapshot_at = number, time.monotonic()

    async def _rederive(self, workspace: str, zone: str) -> None:
        """Rebuild a workspace's daily rollups in a new zone from its quarter-hours."""
        started = time.perf_counter()
        rollups = self._stores.rollups
        by_family: dict[str, dict[str, Content]] = {}
        for name in await rollups.quarter_collections(workspace):
            for doc_id, content in await rollups.read_collection(name):
                family, _, day = doc_id.partition(":")
                by_family.setdefault(family, {})[day] = content
        contents: dict[Ref, Content] = {}
        for family, days in by_family.items():
            for month, content in rederive(days, zone).items():
                contents[Ref("d", workspace, family, month, zone)] = content
        await rollups.write(contents, self._next - 1)
        for ref, content in contents.items():
            self._cache[ref] = (self._next - 1, content)
        await self._stores.views.set(workspace, zone)
        self._zones[workspace] = zone
        log.info(
            "re-derived %d daily documents of %s in %s (%.1fs)",
            len(contents),
            workspace,
            zone,
            time.perf_counter() - started,
        )


class _Phases:
    """Seconds spent in each step of a round (shown by the admin status)."""

    def __init__(self) -> None:
        self._started = self._last = time.perf_counter()
        self.phases: dict[str, float] = {}

    def mark(self, name: str) -> None:
        now = time.perf_counter()
        self.phases[name] = round(now - self._last, 3)
        self._last = now

    def total(self) -> float:
        return time.perf_counter() - self._started


def _unique(batches: Sequence[Staged]) -> list[Fact]:
    """The batches' facts in staging order, each event once."""
    seen: set[str] = set()
    found: list[Fact] = []
    for batch in batches:
        for fact in batch.facts:
            if fact.id not in seen:
                seen.add(fact.id)
                found.append(fact)
    return found
