"""Signed mentions into ingest, webhook notifications out at a receiver, counted the way Kafka's
system tests count: acked, consumed, missing = acked - consumed, duplicated side effects."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

import httpx

from support.mentions import mention_body, signed
from support.receiver import Receiver

# 503 means "store busy, retry"; a sender gives up nothing, like a platform that redelivers.
RETRYABLE = {502, 503, 504}


@dataclass(frozen=True)
class Counts:
    acked: int
    consumed: int
    missing: int
    duplicates: int

    def line(self) -> str:
        return (
            f"acked={self.acked} consumed={self.consumed} missing={self.missing} "
            f"duplicate_notifications={self.duplicates}"
        )


class MentionFlow:
    """One source on ingest, one integrator endpoint on notify for `mention.received.v1`."""

    def __init__(self, client: httpx.AsyncClient, receiver: Receiver) -> None:
        self._client = client
        self._receiver = receiver
        self.acked: set[str] = set()
        self.retries: Counter[str] = Counter()  # why senders had to redeliver
        self._source: dict[str, Any] = {}
        self._ingest = ""

    async def set_up(self, ingest: str, notify: str, admin: dict[str, str]) -> None:
        self._ingest = ingest
        endpoint = await self._client.post(
            f"{notify}/endpoints",
            json={"url": self._receiver.url, "events": ["mention.received.v1"]},
            headers=admin,
        )
        assert endpoint.status_code == 201, endpoint.text
        source = await self._client.post(f"{ingest}/sources", json={"name": "flow"}, headers=admin)
        assert source.status_code == 201, source.text
        self._source = source.json()

    async def send(self, external_id: str) -> httpx.Response:
        """One signed delivery; its mention counts as acked on a 202."""
        body = mention_body(external_id)
        response = await self._client.post(
            f"{self._ingest}{self._source['webhook_path']}",
            content=body,
            headers=signed(self._source["secret"], body),
        )
        if response.status_code == 202:
            self.acked.add(response.json()["mentions"][0]["mention_id"])
        return response

    async def send_until_acked(self, external_id: str) -> None:
        """Redeliver until ingest takes it, as platforms do; a refusal that is not about
        availability is a real failure."""
        while True:
            try:
                response = await self.send(external_id)
            except httpx.TransportError as exc:
                self.retries[type(exc).__name__] += 1
                await asyncio.sleep(0.2)
                continue
            if response.status_code == 202:
                return
            assert response.status_code in RETRYABLE, response.text
            self.retries[str(response.status_code)] += 1
            await asyncio.sleep(0.2)

    async def send_many(self, names: list[str], *, senders: int) -> None:
        queue: asyncio.Queue[str] = asyncio.Queue()
        for name in names:
            queue.put_nowait(name)

        async def sender() -> None:
            while not queue.empty():
                await self.send_until_acked(queue.get_nowait())

        await asyncio.gather(*(sender() for _ in range(senders)))

    def receipts(self) -> Counter[str]:
        """Notifications received per mention (a receiver dedupes nothing here)."""
        return Counter(json.loads(r.body)["data"]["mention_id"] for r in self._receiver.delivered())

    async def consumed(self) -> int:
        return len(self.receipts())

    def counts(self) -> Counts:
        receipts = self.receipts()
        return Counts(
            acked=len(self.acked),
            consumed=len(receipts),
            missing=len(self.acked - set(receipts)),
            duplicates=sum(n - 1 for n in receipts.values()),
        )
