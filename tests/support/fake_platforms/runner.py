"""What the ingest runner does with a connector, reduced to what the tests need to drive one."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from ensemble_ingest.connectors.base import Page, PulledConnector, Streamed, StreamedConnector


@dataclass
class Polled:
    """Everything one poll cycle read: the items, the pages, and the cursor left persisted."""

    items: list[dict[str, Any]] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)
    cursor: str | None = None


async def poll(
    connector: PulledConnector,
    config: Any,
    cursor: str | None,
    http: httpx.AsyncClient,
    *,
    max_pages: int = 50,
    stop_after: int | None = None,
) -> Polled:
    """Fetch while `more`, persisting each page's cursor after "storing" its items, as the
    runner does; `stop_after` pages simulates a process that dies after that many."""
    polled = Polled(cursor=cursor)
    while True:
        page = await connector.fetch(config, polled.cursor, http)
        polled.pages.append(page)
        polled.items.extend(page.items)
        if page.cursor is not None:
            polled.cursor = page.cursor
        if not page.more or (stop_after is not None and len(polled.pages) >= stop_after):
            return polled
        assert len(polled.pages) < max_pages, "the connector keeps saying there is more"


class Consumer:
    """Reads a stream in the background, as the runner would, keeping what it yielded."""

    def __init__(self, connector: StreamedConnector, config: Any, cursor: str | None) -> None:
        self.received: list[Streamed] = []
        self._stream: AsyncIterator[Streamed] = connector.stream(config, cursor)
        self._task: asyncio.Task[None] | None = None

    async def _read(self) -> None:
        async for streamed in self._stream:
            self.received.append(streamed)

    async def __aenter__(self) -> Consumer:
        self._task = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._task is not None
        if self._task.done():
            self._task.result()  # surface what ended it
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        aclose: Callable[[], Any] | None = getattr(self._stream, "aclose", None)
        if aclose is not None:
            await aclose()

    @property
    def cursor(self) -> str | None:
        return self.received[-1].cursor if self.received else None

    def items(self) -> list[dict[str, Any]]:
        return [s.item for s in self.received]
