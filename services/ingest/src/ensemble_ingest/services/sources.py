"""Sources: created by a workspace's staff, looked up by every webhook delivery."""

from __future__ import annotations

from ensemble_ingest.exceptions import SourceNotFound
from ensemble_ingest.models.sources import (
    WEBHOOK_PLATFORMS,
    GenericConfig,
    Source,
    SourceCreate,
    SourceDetail,
    SourceOut,
)
from ensemble_ingest.storage.sources import SourceRepository
from ensemble_shared.auth import Principal
from ensemble_shared.group_commit import GroupCommit
from ensemble_shared.outbound import require_callable
from ensemble_shared.settings import OutboundSettings
from ensemble_shared.signatures import new_secret

_URL_FIELDS = ("base_url", "feed_url", "jetstream_url", "graph_url")  # what sources call


class SourceService:
    def __init__(self, sources: SourceRepository, outbound: OutboundSettings) -> None:
        self._sources = sources
        self._outbound = outbound
        # A burst of webhooks looks its sources up together (one round trip per batch).
        self._webhook_reads = GroupCommit(sources.get_many)

    async def create(
        self, principal: Principal, request: SourceCreate
    ) -> tuple[Source, str | None]:
        """The new source, and for generic sources the signing secret Ensemble made for it."""
        config = request.config
        for field in _URL_FIELDS:
            if (url := getattr(config, field, None)) is not None:
                await require_callable(str(url), self._outbound, field=f"config.{field}")
        secret = None
        if isinstance(config, GenericConfig):
            secret = new_secret()
            config = GenericConfig(secrets=[secret])
        source = Source(workspace=principal.workspace, name=request.name, config=config)
        await self._sources.add(source)
        return source, secret

    async def in_workspace(self, principal: Principal, *, limit: int) -> list[Source]:
        return await self._sources.in_workspace(principal.workspace, limit=limit)

    async def detail(self, principal: Principal, source_id: str) -> SourceDetail:
        source = await self._sources.get(source_id)
        if source is None or source.workspace != principal.workspace:
            raise SourceNotFound(source_id)
        state = (
            None if source.platform in WEBHOOK_PLATFORMS else await self._sources.state(source_id)
        )
        return SourceDetail(**SourceOut.of(source).model_dump(), state=state)

    async def set_enabled(
        self, principal: Principal, source_id: str, enabled: bool
    ) -> SourceDetail:
        if not await self._sources.set_enabled(principal.workspace, source_id, enabled):
            raise SourceNotFound(source_id)
        return await self.detail(principal, source_id)

    async def for_webhook(self, platform: str, source_id: str) -> Source:
        """The enabled source behind a webhook URL; 404 for anything else (no enumeration)."""
        source = await self._webhook_reads(source_id)
        if source is None or source.platform != platform or not source.enabled:
            raise SourceNotFound(source_id)
        return source
