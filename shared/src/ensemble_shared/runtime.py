"""A service's infrastructure for one process lifetime: store, broker, token keys, background
tasks."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Coroutine,
    Iterable,
    Mapping,
    Sequence,
)
from dataclasses import dataclass, field
from typing import Any

from faststream import FastStream
from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI

from ensemble_shared.events import Event
from ensemble_shared.kafka import RetryPolicy, create_broker, subscribe_reliably
from ensemble_shared.kafka.consumer import BatchHandler
from ensemble_shared.keys import JwksVerifier
from ensemble_shared.settings import ServiceSettings
from ensemble_shared.storage import Client, Database, Index, create_client, ensure_indexes, ping
from ensemble_shared.topics import Stream, Topics, ensure_topics

log = logging.getLogger(__name__)

Loop = Callable[[], Coroutine[Any, Any, None]]


async def repeat(step: Callable[[], Awaitable[object]], *, every: float, what: str) -> None:
    """Run `step` forever, `every` seconds apart; a failure is logged and tried again next time."""
    while True:
        try:
            await step()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("%s failed: %r", what, exc)
        await asyncio.sleep(every)


Subscription = tuple[str, Stream, BatchHandler[Any], Sequence[type[Event]] | None, str]
"""(group, stream, handler, event types it wants (None: every type of the stream),
description): one reliable consumer group."""


@dataclass
class Infrastructure:
    """Clients created once per process and closed when it stops."""

    service: str
    settings: ServiceSettings
    topics: Topics
    broker: KafkaBroker
    client: Client
    database: Database
    verifier: JwksVerifier | None
    """Verifies identity's access tokens; None in identity itself (it holds the keys)."""
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def subscribe(self, subscriptions: Iterable[Subscription]) -> None:
        """One reliable consumer group per subscription, `{topic prefix}{group}`, each reading
        its stream at its own pace (register before `start`)."""
        retry = RetryPolicy.from_settings(self.settings.kafka)
        for group, stream, handler, wants, description in subscriptions:
            subscribe_reliably(
                self.broker,
                topics=self.topics,
                stream=stream,
                group=f"{self.topics.prefix}{group}",
                handler=handler,
                wants=wants,
                retry=retry,
                description=description,
            )

    async def start(
        self,
        *,
        indexes: Mapping[str, Iterable[Index]],
        background: Sequence[Loop] = (),
    ) -> None:
        """Create topics and indexes, start consuming, then the background loops."""
        kafka = self.settings.kafka
        created = await ensure_topics(
            kafka.bootstrap_servers, self.topics, replication_factor=kafka.replication_factor
        )
        if created:
            log.info("created topics %s", created)
        await ensure_indexes(self.database, indexes)
        await self.broker.start()
        for loop in background:
            self._tasks.append(asyncio.create_task(loop(), name=getattr(loop, "__qualname__", "")))

    async def readiness(self) -> dict[str, str]:
        """'ok' or the error, per dependency."""
        checks: dict[str, str] = {}
        try:
            await asyncio.wait_for(ping(self.client), timeout=2)
            checks["mongodb"] = "ok"
        except Exception as exc:
            checks["mongodb"] = f"unavailable: {exc!r}"[:300]
        try:
            reachable = await self.broker.ping(timeout=2)
            checks["kafka"] = "ok" if reachable else "unavailable"
        except Exception as exc:
            checks["kafka"] = f"unavailable: {exc!r}"[:300]
        for task in self._tasks:
            if task.done():
                checks[task.get_name()] = "stopped"
        return checks

    def asyncapi(self, version: str) -> Any:
        """The AsyncAPI 3.0 document FastStream generates from this process's declarations."""
        app = FastStream(
            self.broker,
            specification=AsyncAPI(title=f"Ensemble {self.service}", version=version),
        )
        return app.schema.to_specification().to_jsonable()

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.broker.stop()
        self.client.close()
        if self.verifier is not None:
            await self.verifier.aclose()


@contextlib.asynccontextmanager
async def open_infrastructure(
    settings: ServiceSettings, *, service: str, verifies_tokens: bool = True
) -> AsyncIterator[Infrastructure]:
    """Build the clients (no I/O yet); whatever happens next, they are closed on exit. A service
    that `verifies_tokens` refuses to start without a source of keys (ENSEMBLE_AUTH_JWKS_URL)."""
    verifier = JwksVerifier.from_settings(settings.auth) if verifies_tokens else None
    client = create_client(settings.mongo)
    infra = Infrastructure(
        service=service,
        settings=settings,
        topics=Topics(settings.kafka.topic_prefix),
        broker=create_broker(settings.kafka, client_id=f"ensemble-{service}"),
        client=client,
        database=client[settings.database],
        verifier=verifier,
    )
    try:
        yield infra
    finally:
        await infra.close()
