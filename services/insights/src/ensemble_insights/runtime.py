"""The projection of one generation, and the runner that swaps generations on a rebuild.

Everything the projection writes is named after its generation: the consumer groups
(`insights.g<n>.<stream>`), the staged, markers, journal and rollup collections (`g<n>.*`).
A rebuild (`cli rebuild`, or `POST /insights/admin/rebuild`) starts generation n+1: each
replica sees it within `generation_poll_seconds`, stops its subscribers of n, subscribes with
the new groups (no committed offsets: every stream is read from its earliest offset) and
folds into the new
collections; reads follow the current generation. The old collections are dropped a little
later (and at start-up), once no replica can still be writing them.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ensemble_insights.config import InsightsSettings
from ensemble_insights.services.folder import Folder, FolderConfig, Stores
from ensemble_insights.services.intake import Intake
from ensemble_insights.services.leader import Leadership
from ensemble_insights.services.overview import Dashboard
from ensemble_insights.services.queries import Queries
from ensemble_insights.services.reading import Reader
from ensemble_insights.services.reports import CHART_PURPOSE, ReportService
from ensemble_insights.storage.journal import Journal
from ensemble_insights.storage.progress import Leases, Progress
from ensemble_insights.storage.reports import ReportRepository
from ensemble_insights.storage.rollups import Rollups
from ensemble_insights.storage.seen import Seen
from ensemble_insights.storage.settings import Generations, SettingsRepository, Views
from ensemble_insights.storage.staging import Staging
from ensemble_shared.capabilities import Capabilities
from ensemble_shared.events import Event, new_id
from ensemble_shared.outbox import Outbox
from ensemble_shared.runtime import Infrastructure, repeat
from ensemble_shared.storage import Database
from ensemble_shared.topics import Topics

log = logging.getLogger(__name__)

Subscribe = Callable[[int, Callable[[Sequence[Event]], Awaitable[None]]], list[Any]]
"""Subscribes a generation's intake to every stream; returns the subscribers."""


@dataclass
class Projection:
    generation: int
    intake: Intake
    folder: Folder
    queries: Queries
    dashboard: Dashboard
    reports: ReportService
    progress: Progress
    staging: Staging
    leadership: Leadership
    subscribers: list[Any] = field(default_factory=list)


class Runner:
    def __init__(
        self,
        infra: Infrastructure,
        settings: InsightsSettings,
        log_database: Database,
        outbox: Outbox,
        subscribe: Subscribe,
    ) -> None:
        self._subscribe_with = subscribe
        self._infra = infra
        self._settings = settings
        self._log = log_database
        self._outbox = outbox
        self._owner = f"{socket.gethostname()}:{new_id()}"
        self._generations = Generations(infra.database["meta"])
        self._settings_repo = SettingsRepository(infra.database["settings"])
        self._capabilities = Capabilities(settings.secret_key.get_secret_value(), CHART_PURPOSE)
        self._lock = asyncio.Lock()
        self.current: Projection | None = None

    @property
    def settings_repository(self) -> SettingsRepository:
        return self._settings_repo

    @property
    def generations(self) -> Generations:
        return self._generations

    @property
    def topics(self) -> Topics:
        return self._infra.topics

    def operates(self, workspace: str) -> bool:
        """Whether admins of `workspace` operate the whole deployment (rebuilds, status)."""
        return workspace in self._settings.operator_workspaces

    @property
    def bootstrap_servers(self) -> str:
        return self._settings.kafka.bootstrap_servers

    def projection(self) -> Projection:
        if self.current is None:
            raise RuntimeError("the projection is not prepared yet")
        return self.current

    def build(self, generation: int) -> Projection:
        g, database = f"g{generation}.", self._infra.database
        progress = Progress(self._log[f"{g}meta"])
        staging = Staging(self._log[f"{g}staged"])
        rollups = Rollups(database, generation)
        views = Views(database[f"{g}views"])
        leadership = Leadership(
            Leases(self._log[f"{g}leases"]),
            self._owner,
            slot_seconds=self._settings.lease_seconds,
            margin_seconds=self._settings.lease_seconds / 4,
        )
        stores = Stores(
            staging=staging,
            # Markers go beside the rollups, not beside the staged batches: on FerretDB each
            # database is one SQLite file with one writer, and consumers insert batches while
            # the projector claims ids.
            seen=Seen(database[f"{g}seen"]),
            journal=Journal(
                self._log[f"{g}rounds"],
                self._log[f"{g}commits"],
                self._log[f"{g}snapshots"],
                self._log[f"{g}meta"],
            ),
            rollups=rollups,
            settings=self._settings_repo,
            views=views,
            progress=progress,
        )
        config = FolderConfig(
            batches_per_round=self._settings.batches_per_round,
            snapshot_rounds=self._settings.snapshot_rounds,
            snapshot_seconds=self._settings.snapshot_seconds,
            window_seconds=self._settings.tracking_days * 86400,
        )
        queries = Queries(Reader(rollups), views, self._settings_repo)
        dashboard = Dashboard(queries)
        reports = ReportService(
            dashboard=dashboard,
            queries=queries,
            reports=ReportRepository(database["reports"], self._outbox),
            settings=self._settings_repo,
            capabilities=self._capabilities,
            public_url=self._settings.public_url,
            link_days=self._settings.chart_link_days,
        )
        return Projection(
            generation=generation,
            intake=Intake(staging, progress),
            folder=Folder(stores, leadership, config),
            queries=queries,
            dashboard=dashboard,
            reports=reports,
            progress=progress,
            staging=staging,
            leadership=leadership,
        )

    def _subscribe(self, projection: Projection) -> None:
        projection.subscribers = self._subscribe_with(
            projection.generation, projection.intake.accept
        )

    async def prepare(self) -> None:
        """Build the current generation and register its subscribers (the broker starts them)."""
        self.current = self.build(await self._generations.current())
        self._subscribe(self.current)

    async def switch(self, generation: int) -> None:
        """Leave the current generation for `generation`: new group, new collections."""
        async with self._lock:
            old = self.projection()
            if old.generation == generation:
                return
            for subscriber in old.subscribers:
                await subscriber.stop()
            old.leadership.resign()
            fresh = self.build(generation)
            self._subscribe(fresh)
            for subscriber in fresh.subscribers:
                await subscriber.start()
            self.current = fresh
            log.info("projection moved to generation %d", generation)

    async def rebuild(self, *, by: str) -> int:
        """Start a new generation here at once (other replicas follow within a poll)."""
        generation = await self._generations.advance(by=by)
        await self.switch(generation)
        return generation

    async def fold(self) -> None:
        """The folding loop of whichever generation is current."""
        while True:
            async with self._lock:
                delay = await self.projection().folder.tick()
            await asyncio.sleep(delay)

    async def watch(self) -> None:
        """Follow rebuilds started by another replica or the CLI; drop old generations."""

        async def once() -> None:
            generation, age = await self._generations.current_with_age()
            if generation != self.projection().generation:
                await self.switch(generation)
            if age is None or age > 3 * self._settings.generation_poll_seconds:
                await self.drop_older_than(generation)

        await repeat(once, every=self._settings.generation_poll_seconds, what="generation watch")

    async def drop_older_than(self, generation: int) -> list[str]:
        """Drop the collections of generations before `generation` (both databases); called
        once every replica has had time to leave them."""
        dropped: list[str] = []
        for database in (self._infra.database, self._log):
            for name in await database.list_collection_names():
                head = name.split(".", 1)[0]
                if head.startswith("g") and head[1:].isdigit() and int(head[1:]) < generation:
                    await database.drop_collection(name)
                    dropped.append(name)
        if dropped:
            log.info("dropped %d collections of old generations", len(dropped))
        return dropped

    async def reports_due(self) -> None:
        async def once() -> None:
            made = await self.projection().reports.due_once()
            if made:
                log.info("made %d weekly reports", made)

        await repeat(once, every=self._settings.report_interval_seconds, what="weekly reports")

    async def close(self) -> None:
        if self.current is not None:
            self.current.leadership.resign()
