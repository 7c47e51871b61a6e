"""Bluesky's Jetstream: a websocket at /subscribe sending the network's events as JSON.

As documented (bluesky-social/jetstream README): `wantedCollections` filters commit events (all
subscribers still get `identity` and `account` events); `cursor` (Unix microseconds) replays
from that time, then tails live; without it, live tail only. Events carry `did`, `time_us`,
`kind` and, for commits, `commit.{rev, operation, collection, rkey, record, cid}` (no record
on delete). Records follow the app.bsky.feed.post lexicon (text, createdAt, facets with
`app.bsky.richtext.facet#mention` features, langs, reply).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve

from ensemble_devtools.processes import free_port

POST = "app.bsky.feed.post"
_TID = "234567abcdefghijklmnopqrstuvwxyz"


def tid(number: int) -> str:
    """A record key shaped like a TID (13 base32-sortable characters)."""
    digits = ""
    for _ in range(13):
        number, rest = divmod(number, 32)
        digits = _TID[rest] + digits
    return digits


@dataclass(frozen=True)
class Connection:
    """One subscription as the fake received it."""

    query: tuple[tuple[str, str], ...]

    def param(self, name: str) -> str | None:
        return next((v for k, v in self.query if k == name), None)

    def params(self, name: str) -> list[str]:
        return [v for k, v in self.query if k == name]


class FakeJetstream:
    """Build events with `post()`, `delete()`, `identity()`; `publish()` them; `drop()` sockets."""

    def __init__(self) -> None:
        self.port = free_port()
        self.events: list[dict[str, Any]] = []
        self.connections: list[Connection] = []
        self._queues: list[asyncio.Queue[dict[str, Any] | None]] = []
        self._lock = threading.Lock()
        self._clock = int(time.time() * 1_000_000) - 60_000_000
        self._keys = itertools.count(1 << 50)
        self._revs = itertools.count(1 << 52)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Future[None] | None = None
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/subscribe"

    # -- events -----------------------------------------------------------------------------

    def _time_us(self) -> int:
        with self._lock:
            self._clock = max(self._clock + 1, int(time.time() * 1_000_000))
            return self._clock

    def post(
        self,
        did: str,
        text: str,
        *,
        mentions: tuple[str, ...] = (),
        langs: tuple[str, ...] = ("en",),
        reply_to: str | None = None,
        operation: str = "create",
        rkey: str | None = None,
        collection: str = POST,
    ) -> dict[str, Any]:
        """A commit creating a post; each mentioned DID gets a mention facet over `@handle`."""
        facets = []
        for did_mentioned in mentions:
            handle = f"@{did_mentioned.rsplit(':', 1)[-1][:8]}.bsky.social"
            text = f"{handle} {text}"
            end = len(handle.encode())
            facets.append(
                {
                    "$type": "app.bsky.richtext.facet",
                    "index": {"byteStart": 0, "byteEnd": end},
                    "features": [
                        {"$type": "app.bsky.richtext.facet#mention", "did": did_mentioned}
                    ],
                }
            )
        record: dict[str, Any] = {
            "$type": collection,
            "createdAt": datetime.now(UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "langs": list(langs),
            "text": text,
        }
        if facets:
            record["facets"] = facets
        if reply_to:
            ref = {
                "cid": "bafyreidc6sydkkbchcyg62v77wbhzvb2mvytlmsychqgwf2xojjtirmzj4",
                "uri": reply_to,
            }
            record["reply"] = {"parent": ref, "root": ref}
        return {
            "did": did,
            "time_us": self._time_us(),
            "kind": "commit",
            "commit": {
                "rev": tid(next(self._revs)),
                "operation": operation,
                "collection": collection,
                "rkey": rkey or tid(next(self._keys)),
                "record": record,
                "cid": "bafyreidwaivazkwu67xztlmuobx35hs2lnfh3kolmgfmucldvhd3sgzcqi",
            },
        }

    def delete(self, did: str, rkey: str, collection: str = POST) -> dict[str, Any]:
        return {
            "did": did,
            "time_us": self._time_us(),
            "kind": "commit",
            "commit": {
                "rev": tid(next(self._revs)),
                "operation": "delete",
                "collection": collection,
                "rkey": rkey,
            },
        }

    def identity(self, did: str, handle: str) -> dict[str, Any]:
        moment = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return {
            "did": did,
            "time_us": self._time_us(),
            "kind": "identity",
            "identity": {"did": did, "handle": handle, "seq": 1409752997, "time": moment},
        }

    def publish(self, *events: dict[str, Any]) -> None:
        """Append to the log (for replays) and send to every live subscriber."""
        with self._lock:
            self.events.extend(events)
            queues = list(self._queues)
        for queue in queues:
            for event in events:
                self._call(queue.put_nowait, event)

    def drop(self) -> None:
        """Close every socket, as a restarting Jetstream instance would."""
        with self._lock:
            queues = list(self._queues)
        for queue in queues:
            self._call(queue.put_nowait, None)

    def live(self) -> int:
        with self._lock:
            return len(self._queues)

    # -- server -----------------------------------------------------------------------------

    def _call(self, function: Any, argument: Any) -> None:
        assert self._loop is not None
        self._loop.call_soon_threadsafe(function, argument)

    async def _handler(self, socket: ServerConnection) -> None:
        request = socket.request
        assert request is not None
        parts = urlsplit(request.path)
        if parts.path != "/subscribe":
            await socket.close(1008, "not found")
            return
        connection = Connection(tuple(parse_qsl(parts.query)))
        wanted = set(connection.params("wantedCollections"))
        cursor = connection.param("cursor")
        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        with self._lock:
            self.connections.append(connection)
            backlog = [e for e in self.events if cursor is not None and e["time_us"] >= int(cursor)]
            self._queues.append(queue)
        try:
            for event in backlog:
                if _wanted(event, wanted):
                    await socket.send(json.dumps(event))
            while (live := await queue.get()) is not None:
                if _wanted(live, wanted):
                    await socket.send(json.dumps(live))
        finally:
            with self._lock:
                self._queues.remove(queue)

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = self._loop.create_future()
        server: Server
        async with serve(self._handler, "127.0.0.1", self.port) as server:
            self._started.set()
            await self._stop
            server.close()

    def __enter__(self) -> Self:
        self._thread.start()
        if not self._started.wait(timeout=10):
            raise TimeoutError("FakeJetstream did not start")
        return self

    def __exit__(self, *_: object) -> None:
        self.drop()
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set_result, None)
        self._thread.join(timeout=10)


def _wanted(event: dict[str, Any], collections: set[str]) -> bool:
    if event.get("kind") != "commit" or not collections:
        return True
    return bool(event["commit"].get("collection") in collections)
