"""Reading the raw archive back, and re-driving what a crash left pending."""

from __future__ import annotations

from datetime import timedelta

from ensemble_ingest.exceptions import RawNotFound
from ensemble_ingest.models.raw import RawView
from ensemble_ingest.services.pipeline import IngestPipeline
from ensemble_ingest.storage.raw import RawArchive
from ensemble_ingest.storage.sources import SourceRepository
from ensemble_shared.auth import Principal


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

    async def redrive(
        self, older_than: timedelta, *, workspace: str | None = None, limit: int = 200
    ) -> int:
        """Re-drive what is pending since before `older_than`: a workspace's job asks for its
        own payloads only; the system's periodic sweep (no workspace) takes everyone's."""
        return await self._pipeline.redrive(
            await self._sources.all_by_id(), older_than, limit, workspace
        )
