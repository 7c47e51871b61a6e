"""Reading the raw archive back, and re-driving what a crash left pending."""

from __future__ import annotations

from datetime import timedelta

from ensemble_ingest.exceptions import RawAlreadySettled, RawNotFound, SourceNotFound
from ensemble_ingest.models.raw import RawPage, RawStatus, RawView
from ensemble_ingest.services.pipeline import IngestPipeline
from ensemble_ingest.storage.raw import RawArchive
from ensemble_ingest.storage.sources import SourceRepository
from ensemble_shared.auth import Principal
from ensemble_shared.storage.pagination import encode_cursor, parse_cursor


class RawService:
    def __init__(
        self, raws: RawArchive, pipeline: IngestPipeline, sources: SourceRepository
    ) -> None:
        self._raws = raws
        self._pipeline = pipeline
        self._sources = sources

    async def view(self, principal: Principal, raw_id: str) -> RawView:
        view = await self._raws.view(principal.workspace, raw_id)
        if view is None:
            raise RawNotFound(raw_id)
        return view

    async def of_source(
        self,
        principal: Principal,
        source_id: str,
        *,
        status: RawStatus | None,
        cursor: str | None,
        limit: int,
    ) -> RawPage:
        source = await self._sources.get(source_id)
        if source is None or source.workspace != principal.workspace:
            raise SourceNotFound(source_id)
        items, last = await self._raws.of_source(
            principal.workspace, source_id, status=status, after=parse_cursor(cursor), limit=limit
        )
        return RawPage(items=items, next_cursor=None if last is None else encode_cursor(*last))

    async def redrive_one(self, principal: Principal, raw_id: str) -> RawView:
        """Process a pending payload now; a settled one answers 409 (its outcome stays)."""
        view = await self.view(principal, raw_id)
        if view.status != "pending":
            raise RawAlreadySettled(raw_id, view.status)
        source = await self._sources.get(view.payload.source_id)
        if source is None:
            raise SourceNotFound(view.payload.source_id)
        await self._pipeline.redrive_one(source, view.payload)
        return await self.view(principal, raw_id)

    async def redrive(
        self, older_than: timedelta, *, workspace: str | None = None, limit: int = 200
    ) -> int:
        """Re-drive what is pending since before `older_than`: a workspace's job asks for its
        own payloads only; the system's periodic sweep (no workspace) takes everyone's."""
        return await self._pipeline.redrive(
            await self._sources.all_by_id(), older_than, limit, workspace
        )
