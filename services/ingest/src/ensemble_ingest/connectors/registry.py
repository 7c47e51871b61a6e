"""Every connector by platform, and re-parsing an archived payload with the right one."""

from __future__ import annotations

from ensemble_ingest.connectors.base import MentionChange, PulledConnector, StreamedConnector
from ensemble_ingest.connectors.pulled import PULLED_CONNECTORS, STREAMED_CONNECTORS
from ensemble_ingest.connectors.webhooks import WEBHOOK_CONNECTORS
from ensemble_ingest.models.raw import RawPayload
from ensemble_ingest.models.sources import Source

__all__ = [
    "PULLED_CONNECTORS",
    "STREAMED_CONNECTORS",
    "WEBHOOK_CONNECTORS",
    "is_streamed",
    "item_connector",
    "parse_raw",
]


def is_streamed(source: Source) -> bool:
    """Read as a stream: a streaming-only platform, or one configured with mode "stream"."""
    mode = getattr(source.config, "mode", "poll")
    return mode == "stream" or source.platform not in PULLED_CONNECTORS


def item_connector(source: Source) -> PulledConnector | StreamedConnector:
    """The connector that reads this source's items."""
    if is_streamed(source):
        return STREAMED_CONNECTORS[source.platform]
    return PULLED_CONNECTORS[source.platform]


def parse_raw(source: Source, raw: RawPayload) -> list[MentionChange]:
    """The changes an archived payload carries (MalformedPayload when it carries none)."""
    if raw.kind == "webhook":
        connector = WEBHOOK_CONNECTORS[source.platform]
        return connector.parse(source.config, raw.headers, raw.body_bytes()).changes
    return item_connector(source).parse(source.config, raw.item or {})
