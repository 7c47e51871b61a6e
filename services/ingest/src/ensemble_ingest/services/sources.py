"""Sources: created by a workspace's staff, looked up by every webhook delivery."""

from __future__ import annotations

from ensemble_ingest.exceptions import SourceNotFound, WebhookRefused
from ensemble_ingest.models.sources import Source, SourceCreate
from ensemble_ingest.storage import SourceRepository
from ensemble_shared.signatures import SignatureError, new_secret, verify


class SourceService:
    def __init__(self, sources: SourceRepository) -> None:
        self._sources = sources

    async def create(self, workspace: str, request: SourceCreate) -> tuple[Source, str]:
        """The new source and its signing secret (returned once, stored for verification)."""
        secret = new_secret()
        source = Source(
            workspace=workspace, name=request.name, platform=request.platform, secrets=[secret]
        )
        await self._sources.add(source)
        return source, secret

    async def list(self, workspace: str, *, limit: int) -> list[Source]:
        return await self._sources.list(workspace, limit=limit)

    async def authenticate(self, source_id: str, headers: dict[str, str], body: bytes) -> Source:
        """The source that signed `body`; refused when the signature is missing, stale or forged."""
        source = await self._sources.get(source_id)
        if source is None:
            raise SourceNotFound(source_id)
        try:
            verify(source.secrets, headers, body)
        except SignatureError as exc:
            raise WebhookRefused(str(exc)) from exc
        return source
