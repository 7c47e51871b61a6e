"""The console's event streams on the wire: events with JSON data, comments, a stream that
ends when its time is up (the browser reconnects after `retry`), and which requests are
streams rather than pages (those draw no navigation count)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from starlette.requests import Request

from ensemble_console.web import live


def a_request(accept: str) -> Request:
    headers = [(b"accept", accept.encode())] if accept else []
    return Request({"type": "http", "method": "GET", "path": "/", "headers": headers})


def test_an_event_is_named_and_its_data_is_one_json_line() -> None:
    text = live.event("unread", {"unread": 3, "html": "<span>\n3</span>"})
    name, data, end = text.split("\n", 2)
    assert name == "event: unread"
    assert json.loads(data.removeprefix("data: ")) == {"unread": 3, "html": "<span>\n3</span>"}
    assert end == "\n"
    assert live.comment("notify did not answer") == ": notify did not answer\n\n"


def test_rounds_come_at_once_then_at_their_pace_until_the_stream_ends() -> None:
    async def counted(every: float, lasting: float) -> list[int]:
        return [n async for n in live.rounds(every=every, lasting=lasting)]

    assert asyncio.run(counted(every=1.0, lasting=0.05)) == [0]  # one at once, then over
    several = asyncio.run(counted(every=0.01, lasting=0.3))
    assert 2 <= len(several) <= 31
    assert several == list(range(len(several)))


def test_an_event_source_is_told_apart_from_a_page() -> None:
    assert live.wants_stream(a_request("text/event-stream"))
    assert not live.wants_stream(a_request("text/html,application/xhtml+xml,*/*;q=0.8"))
    assert not live.wants_stream(a_request(""))


def test_the_stream_says_when_to_reconnect_before_its_events() -> None:
    async def two() -> AsyncIterator[str]:
        yield live.event("a", 1)
        yield live.event("b", 2)

    async def body() -> str:
        response = live.response(two())
        chunks = [c async for c in response.body_iterator]
        return "".join(c if isinstance(c, str) else bytes(c).decode() for c in chunks)

    assert asyncio.run(body()).startswith(f"retry: {live.RETRY_MILLISECONDS}\n\nevent: a\n")
