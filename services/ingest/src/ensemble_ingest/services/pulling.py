"""Pulled and streamed sources: each one read by a single replica at a time, resumable.

A replica takes a source for one lease period by inserting the claim `{source}#{period}` (a
unique key: exactly one replica wins), reads it until the period ends, then competes again.
The cursor is saved only after a page's items are stored, so a crash re-reads at most that page
(repeats are deduplicated) and never skips one. Rate limits the platform announces are obeyed:
a 429 or an exhausted budget pauses the source until the platform's reset time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import httpx

from ensemble_ingest.connectors.base import (
    MalformedPayload,
    MentionUpsert,
    PulledConnector,
    RateLimit,
    StreamedConnector,
)
from ensemble_ingest.connectors.registry import (
    PULLED_CONNECTORS,
    STREAMED_CONNECTORS,
    is_streamed,
)
from ensemble_ingest.metrics import SOURCE_ERRORS, SOURCE_ITEMS, SOURCE_LAG, SOURCE_LAST_SUCCESS
from ensemble_ingest.models.sources import Source, SourceState
from ensemble_ingest.services.pipeline import IngestPipeline
from ensemble_ingest.storage.sources import SourceRepository
from ensemble_shared.events import new_id, utcnow
from ensemble_shared.storage.claims import Claims

log = logging.getLogger(__name__)

ITEM_PLATFORMS = frozenset(PULLED_CONNECTORS) | frozenset(STREAMED_CONNECTORS)


class PullRunner:
    def __init__(
        self,
        *,
        sources: SourceRepository,
        pipeline: IngestPipeline,
        claims: Claims,
        http: httpx.AsyncClient,
        owner: str,
        lease: timedelta = timedelta(seconds=60),
        poll_interval: float = 30.0,
        stream_flush_seconds: float = 1.0,
        stream_batch: int = 200,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sources = sources
        self._pipeline = pipeline
        self._claims = claims
        self._http = http
        self._owner = owner
        self._lease = lease
        self._poll_interval = poll_interval
        self._flush_seconds = stream_flush_seconds
        self._stream_batch = stream_batch
        self._clock = clock
        self._running: dict[str, asyncio.Task[None]] = {}

    async def scan_once(self) -> list[str]:
        """Take every enabled source no replica holds for this period; returns those taken."""
        now = self._clock()
        period = int(now.timestamp() // self._lease.total_seconds())
        until = datetime.fromtimestamp((period + 1) * self._lease.total_seconds(), tz=now.tzinfo)
        taken = []
        for source in await self._sources.enabled(ITEM_PLATFORMS):
            if source.id in self._running:
                continue
            claim_id = f"{source.id}#{period}"
            if await self._claims.take(
                claim_id, owner=self._owner, lease=self._lease, source_id=source.id
            ):
                task = asyncio.create_task(self._drive(source, until), name=f"pull {source.id}")
                self._running[source.id] = task
                task.add_done_callback(partial(self._forget, source.id))
                taken.append(source.id)
        return taken

    def _forget(self, source_id: str, _: asyncio.Task[None]) -> None:
        self._running.pop(source_id, None)

    async def run(self, every: float = 5.0) -> None:
        try:
            while True:
                try:
                    await self.scan_once()
                except Exception as exc:
                    log.warning("source scan failed: %r", exc)
                await asyncio.sleep(every)
        finally:
            await self.stop()

    async def stop(self) -> None:
        tasks = list(self._running.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _drive(self, source: Source, until: datetime) -> None:
        try:
            if is_streamed(source):
                await self._stream(source, STREAMED_CONNECTORS[source.platform], until)
            else:
                await self._poll(source, PULLED_CONNECTORS[source.platform], until)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("source %s failed: %r", source.id, exc)
            SOURCE_ERRORS.labels(source.workspace, source.id).inc()
            await self._sources.record_error(
                source.id, f"{type(exc).__name__}: {exc}", self._clock()
            )

    async def _poll(self, source: Source, connector: PulledConnector, until: datetime) -> None:
        while self._clock() < until:
            state = await self._sources.state(source.id)
            if state.paused_until is not None and state.paused_until > self._clock():
                await self._sleep_until(min(state.paused_until, until))
                continue
            page = await connector.fetch(source.config, state.cursor, self._http)
            await self._store(source, connector, state, page.items, page.cursor, page.rate)
            if not page.more:
                await self._sleep_until(
                    min(until, self._clock() + timedelta(seconds=self._poll_interval))
                )

    async def _stream(self, source: Source, connector: StreamedConnector, until: datetime) -> None:
        state = await self._sources.state(source.id)
        queue: asyncio.Queue[tuple[dict[str, Any], str]] = asyncio.Queue(
            maxsize=self._stream_batch * 4
        )

        async def produce() -> None:
            async for streamed in connector.stream(source.config, state.cursor):
                await queue.put((streamed.item, streamed.cursor))

        producer = asyncio.create_task(produce(), name=f"stream {source.id}")
        try:
            while self._clock() < until and not producer.done():
                batch: list[dict[str, Any]] = []
                cursor: str | None = None
                deadline = time.monotonic() + self._flush_seconds
                while len(batch) < self._stream_batch:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        break
                    try:
                        item, cursor = await asyncio.wait_for(queue.get(), timeout=remaining)
                    except TimeoutError:
                        break
                    batch.append(item)
                if batch:
                    state = await self._store(source, connector, state, batch, cursor, RateLimit())
            if producer.done() and (error := producer.exception()) is not None:
                raise error
        finally:
            producer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await producer

    async def _store(
        self,
        source: Source,
        connector: PulledConnector | StreamedConnector,
        state: SourceState,
        items: Sequence[dict[str, Any]],
        cursor: str | None,
        rate: RateLimit,
    ) -> SourceState:
        """Items first, then the cursor: a crash in between re-reads, never skips."""
        now = self._clock()
        if items:
            await self._pipeline.ingest_items(source, items, correlation_id=new_id())
        lag = _lag(connector, source, items, now)
        paused = None
        if rate.retry_after is not None:
            paused = now + timedelta(seconds=rate.retry_after)
        elif rate.remaining is not None and rate.remaining <= 0 and rate.reset_at is not None:
            paused = rate.reset_at
        updated = state.model_copy(
            update={
                "cursor": cursor if cursor is not None else state.cursor,
                "last_success_at": now,
                "items": state.items + len(items),
                "lag_seconds": lag if lag is not None else state.lag_seconds,
                "rate_remaining": rate.remaining,
                "paused_until": paused,
            }
        )
        await self._sources.save_state(updated)
        SOURCE_ITEMS.labels(source.workspace, source.id).inc(len(items))
        SOURCE_LAST_SUCCESS.labels(source.workspace, source.id).set(now.timestamp())
        if lag is not None:
            SOURCE_LAG.labels(source.workspace, source.id).set(lag)
        return updated

    async def _sleep_until(self, when: datetime) -> None:
        await asyncio.sleep(max(0.0, (when - self._clock()).total_seconds()))


def _lag(
    connector: PulledConnector | StreamedConnector,
    source: Source,
    items: Sequence[dict[str, Any]],
    now: datetime,
) -> float | None:
    newest: datetime | None = None
    for item in items:
        try:
            changes = connector.parse(source.config, item)
        except MalformedPayload:
            continue
        for change in changes:
            if isinstance(change, MentionUpsert):
                created = change.mention.created_at
                newest = created if newest is None or created > newest else newest
    return (now - newest).total_seconds() if newest is not None else None
