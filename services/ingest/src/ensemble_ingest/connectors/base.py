"""What every connector produces, whatever the platform: changes to canonical mentions.

Connectors are adapters without storage: a webhook connector verifies and parses one request,
a pulled connector fetches one page from a cursor. The ingest service archives the raw payload,
applies the changes (dedup, edits, tombstones), triages and announces them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Literal, Protocol

import httpx
from pydantic import BaseModel

from ensemble_ingest.models.mentions import IncomingMention


class MentionUpsert(BaseModel):
    """A mention as the platform shows it now: new, or an edit of one already stored."""

    kind: Literal["upsert"] = "upsert"
    mention: IncomingMention


class MentionDeleted(BaseModel):
    """The platform deleted it: the stored mention is tombstoned, never erased."""

    kind: Literal["deleted"] = "deleted"
    platform: str
    external_id: str


MentionChange = MentionUpsert | MentionDeleted


class SignatureRefused(Exception):
    """The request is not from the platform: missing, stale, forged or replayed signature."""


class MalformedPayload(Exception):
    """Authentic, but not shaped as the platform documents it; the message says what is wrong."""


@dataclass(frozen=True)
class Reply:
    """An answer the platform expects verbatim (handshakes, challenges)."""

    status: int = 200
    body: str = ""
    media_type: str = "text/plain"


@dataclass(frozen=True)
class Parsed:
    """What one authentic webhook request carried: mention changes, or a reply it demands."""

    changes: list[MentionChange] = field(default_factory=list)
    reply: Reply | None = None


class WebhookConnector(Protocol):
    """One platform's webhook receiver, pure: no I/O, `now` passed in."""

    platform: ClassVar[str]

    def handshake(self, config: Any, query: Mapping[str, str]) -> Reply:
        """Answer the platform's GET verification (hub.challenge, crc_token, ...)."""
        ...

    def verify(self, config: Any, headers: Mapping[str, str], body: bytes, now: datetime) -> None:
        """Raise SignatureRefused unless the platform signed `body` (headers are lower-case)."""
        ...

    def parse(self, config: Any, headers: Mapping[str, str], body: bytes) -> Parsed:
        """The mention changes in an authentic body; MalformedPayload with the reason if not."""
        ...


@dataclass(frozen=True)
class RateLimit:
    """What the platform's headers said about the budget left."""

    remaining: int | None = None
    reset_at: datetime | None = None
    retry_after: float | None = None  # seconds; set when the platform refused for rate


@dataclass(frozen=True)
class Page:
    """One fetch from a pulled source: raw items (archived as they came), where to resume."""

    items: list[dict[str, Any]]
    cursor: str | None  # persisted only after the items are stored; None: keep the old one
    rate: RateLimit = field(default_factory=RateLimit)
    more: bool = False  # another page is ready now (no need to wait for the poll interval)


class PulledConnector(Protocol):
    """One platform read by polling (REST, feeds), resumable from a persisted cursor."""

    platform: ClassVar[str]

    async def fetch(self, config: Any, cursor: str | None, http: httpx.AsyncClient) -> Page: ...

    def parse(self, config: Any, item: Mapping[str, Any]) -> list[MentionChange]: ...


@dataclass(frozen=True)
class Streamed:
    """One item from a streaming source, with the cursor that resumes right after it."""

    item: dict[str, Any]
    cursor: str


class StreamedConnector(Protocol):
    """One platform read as a stream (websocket, server-sent events), resumable by cursor."""

    platform: ClassVar[str]

    def stream(self, config: Any, cursor: str | None) -> AsyncIterator[Streamed]: ...

    def parse(self, config: Any, item: Mapping[str, Any]) -> list[MentionChange]: ...
