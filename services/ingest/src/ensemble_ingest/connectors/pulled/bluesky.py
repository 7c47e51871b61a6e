"""Bluesky posts mentioning the brand, read from Jetstream (the firehose as JSON over a websocket).

Cursor: `time_us` of the last event read (Jetstream's cursors are Unix microseconds). Resuming
(after a restart or a dropped connection) asks for `cursor = last - rewind`: Jetstream's README
advises rewinding a few seconds for gapless playback, and duplicates are harmless here. Replayed
events this stream already yielded are skipped by their (repo, rkey, operation, rev).

Only relevant events are yielded (the whole network's posts would flood the archive): posts whose
facets mention `brand_did` or whose text has a keyword, and deletes of posts this process yielded
for the same configuration (or that `is_known` recognises, when given: the runner can look its
store up, so deletes after a restart are not missed). So that a restart does not replay hours
of firehose when mentions are rare, an irrelevant event is yielded as a checkpoint every
`checkpoint_every` seconds; its `parse` gives no change.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI

from ensemble_ingest.connectors.base import (
    MalformedPayload,
    MentionChange,
    MentionDeleted,
    Streamed,
)
from ensemble_ingest.connectors.keywords import matches_keywords
from ensemble_ingest.connectors.pulled.common import (
    RECONNECT_BACKOFF,
    Recent,
    iso_datetime,
    language,
    mapping_field,
    natural_key,
    text_field,
    upsert,
)
from ensemble_ingest.models.sources import BlueskyConfig
from ensemble_shared.events import Author
from ensemble_shared.outbound import check_url
from ensemble_shared.retries import Backoff
from ensemble_shared.settings import OutboundSettings

PLATFORM = "bluesky"
POST = "app.bsky.feed.post"
MENTION_FEATURE = "app.bsky.richtext.facet#mention"
REWIND_US = 3_000_000  # "subtract a few seconds" (Jetstream README)
MAX_CONFIGS = 1000


def post_uri(did: str, rkey: str) -> str:
    return f"at://{did}/{POST}/{rkey}"


def _mentioned_dids(record: Mapping[str, Any]) -> set[str]:
    dids: set[str] = set()
    for facet in record.get("facets") or []:
        if not isinstance(facet, Mapping):
            continue
        for feature in facet.get("features") or []:
            if (
                isinstance(feature, Mapping)
                and feature.get("$type") == MENTION_FEATURE
                and isinstance(did := feature.get("did"), str)
            ):
                dids.add(did)
    return dids


def is_relevant(config: BlueskyConfig, record: Mapping[str, Any]) -> bool:
    """A post that mentions the brand's DID in a facet, or has a keyword as a whole word."""
    if config.brand_did and config.brand_did in _mentioned_dids(record):
        return True
    text = record.get("text")
    return isinstance(text, str) and matches_keywords(text, config.keywords)


def _created_at(record: Mapping[str, Any], item: Mapping[str, Any]) -> datetime:
    try:
        return iso_datetime(record.get("createdAt"), "post record")
    except MalformedPayload:
        time_us = item.get("time_us")
        if isinstance(time_us, int):  # createdAt is client-set and sometimes unusable
            return datetime.fromtimestamp(time_us / 1_000_000, UTC)
        raise


def _decode(message: str | bytes) -> dict[str, Any] | None:
    try:
        event = json.loads(message)
    except ValueError:
        return None
    return event if isinstance(event, dict) else None


def _commit(event: Mapping[str, Any]) -> Mapping[str, Any] | None:
    commit = event.get("commit")
    if event.get("kind") != "commit" or not isinstance(commit, Mapping):
        return None
    return commit if commit.get("collection") == POST else None


class JetstreamConnector:
    """`{jetstream_url}?wantedCollections=app.bsky.feed.post[&cursor=<time_us>]`, reconnecting."""

    platform: ClassVar[str] = PLATFORM

    def __init__(
        self,
        *,
        rewind_us: int = REWIND_US,
        backoff: Backoff | None = None,
        checkpoint_every: float = 30.0,
        is_known: Callable[[str], Awaitable[bool]] | None = None,
        remember: int = 10_000,
    ) -> None:
        self._rewind_us = rewind_us
        self._backoff = backoff or RECONNECT_BACKOFF
        self._checkpoint_every = checkpoint_every
        self._is_known = is_known
        self._remember = remember
        # Posts yielded, per configuration (the same configuration keeps the same posts), kept
        # across calls: the runner re-opens the stream every lease, and a delete comes later.
        self._known: OrderedDict[str, Recent] = OrderedDict()

    def _known_for(self, config: BlueskyConfig) -> Recent:
        key = config.model_dump_json()
        if key not in self._known:
            self._known[key] = Recent(self._remember)
            while len(self._known) > MAX_CONFIGS:
                self._known.popitem(last=False)
        self._known.move_to_end(key)
        return self._known[key]

    def url(self, config: BlueskyConfig, time_us: int | None) -> str:
        """Where to connect; resuming from `time_us` rewound by the margin."""
        parts = urlsplit(config.jetstream_url)
        query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("cursor",)]
        if ("wantedCollections", POST) not in query:
            query.append(("wantedCollections", POST))
        if time_us is not None:
            query.append(("cursor", str(max(0, time_us - self._rewind_us))))
        return urlunsplit(parts._replace(query=urlencode(query)))

    async def stream(self, config: BlueskyConfig, cursor: str | None) -> AsyncIterator[Streamed]:
        try:
            position = int(cursor) if cursor else None
        except ValueError as error:
            raise ValueError(f"not a Jetstream cursor (time_us): {cursor!r}") from error
        yielded = Recent(self._remember)  # events given in this call, met again after a rewind
        known = self._known_for(config)  # posts given, whose deletes matter
        attempt = 0
        last_yield = time.monotonic()
        while True:
            url = self.url(config, position)
            await check_url(url, OutboundSettings())  # AddressRefused: the source fails for good
            try:
                async with connect(
                    url, open_timeout=15, ping_interval=20, max_size=2**22
                ) as socket:
                    attempt = 0
                    async for message in socket:
                        event = _decode(message)
                        if event is None or not isinstance(time_us := event.get("time_us"), int):
                            continue
                        position = max(position or 0, time_us)
                        verdict = await self._verdict(config, event, known)
                        if verdict == "relevant":
                            key = _event_key(event)
                            if key in yielded:
                                continue
                            yielded.add(key)
                        elif verdict == "skip" or (
                            time.monotonic() - last_yield < self._checkpoint_every
                        ):
                            continue
                        last_yield = time.monotonic()
                        yield Streamed(event, str(position))
            except InvalidStatus as error:
                status = error.response.status_code
                if 400 <= status < 500 and status != 429:
                    raise  # a wrong URL or parameters: reconnecting will not help
            except InvalidURI:
                raise
            except (ConnectionClosed, InvalidHandshake, OSError, TimeoutError):
                pass
            attempt += 1
            await asyncio.sleep(self._backoff.delay(attempt))

    async def _verdict(
        self, config: BlueskyConfig, event: Mapping[str, Any], known: Recent
    ) -> Literal["relevant", "skip", "other"]:
        commit = _commit(event)
        if commit is None:
            return "other"
        did, rkey = event.get("did"), commit.get("rkey")
        if not isinstance(did, str) or not isinstance(rkey, str):
            return "skip"
        uri = post_uri(did, rkey)
        if commit.get("operation") == "delete":
            if uri in known or (self._is_known is not None and await self._is_known(uri)):
                return "relevant"
            return "skip"  # never a checkpoint: parse would tombstone an unknown post
        record = commit.get("record")
        if isinstance(record, Mapping) and is_relevant(config, record):
            known.add(uri)
            return "relevant"
        return "other"

    def parse(self, config: BlueskyConfig, item: Mapping[str, Any]) -> list[MentionChange]:
        commit = _commit(item)
        if commit is None:
            return []  # identity and account events, other collections: checkpoints
        did = text_field(item, "did", "Jetstream event")
        uri = post_uri(did, text_field(commit, "rkey", "Jetstream commit"))
        operation = commit.get("operation")
        if operation == "delete":
            return [MentionDeleted(platform=PLATFORM, external_id=natural_key(uri))]
        if operation not in ("create", "update"):
            raise MalformedPayload(f"Jetstream commit with operation {operation!r}")
        record = mapping_field(commit, "record", "Jetstream commit")
        if not is_relevant(config, record):
            return []
        reply = record.get("reply")
        parent = reply.get("parent") if isinstance(reply, Mapping) else None
        parent_uri = parent.get("uri") if isinstance(parent, Mapping) else None
        root = reply.get("root") if isinstance(reply, Mapping) else None
        root_uri = root.get("uri") if isinstance(root, Mapping) else None
        langs = record.get("langs")
        text = record.get("text")
        return upsert(
            platform=PLATFORM,
            external_id=natural_key(uri),
            url=f"https://bsky.app/profile/{did}/post/{commit['rkey']}",
            author=Author(id=did, handle=did),  # Jetstream carries no handle
            text=text if isinstance(text, str) else "",
            language=language(langs[0]) if isinstance(langs, list) and langs else None,
            created_at=_created_at(record, item),
            in_reply_to=parent_uri if isinstance(parent_uri, str) else None,
            thread_id=root_uri if isinstance(root_uri, str) else None,
        )


def _event_key(event: Mapping[str, Any]) -> str:
    commit = event.get("commit")
    if isinstance(commit, Mapping):
        parts = (event.get("did"), commit.get("rkey"), commit.get("operation"), commit.get("rev"))
        return "/".join(str(p) for p in parts)
    return f"{event.get('did')}@{event.get('time_us')}"
