"""Server-sent events the console serves itself, for what a page shows live (the inbox's
arrivals, the navigation's unread count).

A browser never talks to an API (the CSP allows `connect-src 'self'` only), and a stream held
open to an API per tab would hold one of its seats (notify caps live streams per person). So a
live page opens one stream on the console, which asks its API server to server every few
seconds with the person's token for as long as the page is open; each stream ends after a few
minutes and the browser's EventSource reconnects (`retry`), so a replica's restart or a
revoked session costs at most one round.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from fastapi import Request
from starlette.responses import StreamingResponse

POLL_SECONDS = 2.0
STREAM_SECONDS = 300.0
RETRY_MILLISECONDS = 3000
MEDIA_TYPE = "text/event-stream"


def event(name: str, data: object) -> str:
    """One event of the stream, its data as JSON."""
    return f"event: {name}\ndata: {json.dumps(data)}\n\n"


def comment(text: str) -> str:
    """A line the EventSource ignores (keeps proxies from closing an idle stream)."""
    return f": {text}\n\n"


def wants_stream(request: Request) -> bool:
    """An EventSource asking (it always sends this Accept), not a page being drawn."""
    return MEDIA_TYPE in request.headers.get("accept", "")


async def rounds(
    every: float = POLL_SECONDS, lasting: float = STREAM_SECONDS
) -> AsyncIterator[int]:
    """One round at once, then one every `every` seconds until the stream's time is up."""
    loop = asyncio.get_running_loop()
    ends = loop.time() + lasting
    number = 0
    while loop.time() < ends:
        yield number
        number += 1
        await asyncio.sleep(every)


def response(events: AsyncIterator[str]) -> StreamingResponse:
    """The stream: the browser's reconnection delay first, then `events`."""

    async def framed() -> AsyncIterator[str]:
        yield f"retry: {RETRY_MILLISECONDS}\n\n"
        async for chunk in events:
            yield chunk

    return StreamingResponse(framed(), media_type=MEDIA_TYPE, headers={"x-accel-buffering": "no"})
