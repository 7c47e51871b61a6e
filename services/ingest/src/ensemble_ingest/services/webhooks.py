"""Webhook deliveries: the right source and connector, its verification, then the pipeline."""

from __future__ import annotations

from collections.abc import Mapping

from ensemble_ingest.connectors.base import Reply, SignatureRefused, WebhookConnector
from ensemble_ingest.exceptions import WebhookRefused
from ensemble_ingest.services.pipeline import IngestPipeline, Received
from ensemble_ingest.services.sources import SourceService
from ensemble_shared.events import utcnow


class WebhookService:
    def __init__(
        self,
        sources: SourceService,
        pipeline: IngestPipeline,
        connectors: Mapping[str, WebhookConnector],
    ) -> None:
        self._sources = sources
        self._pipeline = pipeline
        self._connectors = connectors

    async def handshake(self, platform: str, source_id: str, query: Mapping[str, str]) -> Reply:
        source = await self._sources.for_webhook(platform, source_id)
        return self._connectors[platform].handshake(source.config, query)

    async def receive(
        self,
        platform: str,
        source_id: str,
        headers: Mapping[str, str],
        body: bytes,
        *,
        correlation_id: str,
    ) -> Received:
        """Refused before anything is stored unless the platform signed it."""
        source = await self._sources.for_webhook(platform, source_id)
        connector = self._connectors[platform]
        try:
            connector.verify(source.config, headers, body, utcnow())
        except SignatureRefused as exc:
            raise WebhookRefused(str(exc)) from exc
        return await self._pipeline.receive_webhook(
            source, connector, headers, body, correlation_id=correlation_id
        )
