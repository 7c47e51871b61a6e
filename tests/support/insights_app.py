"""Insights in-process against the real broker and store, and a publisher for its inputs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from faststream.kafka import KafkaBroker

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_insights.config import InsightsSettings
from ensemble_insights.main import create_app
from ensemble_insights.runtime import Runner
from ensemble_shared.auth import Role
from ensemble_shared.events import Event
from ensemble_shared.kafka import EventPublisher, create_broker
from ensemble_shared.settings import KafkaSettings
from ensemble_shared.topics import STREAMS, Topics
from support.apps import bearer, running, settings_for
from support.waiting import eventually


def insights_settings(
    infra: Infra, prefix: str, issuer: LocalIssuer, **overrides: Any
) -> InsightsSettings:
    return InsightsSettings(
        **settings_for(infra, prefix, issuer),
        log_database=f"{prefix}_log",
        lease_seconds=10,
        generation_poll_seconds=1,
        snapshot_rounds=3,
        batches_per_round=4,
        public_url="http://insights.test",
        **{"operator_workspaces": ("acme",), **overrides},
    )


@dataclass
class InsightsDriver:
    client: httpx.AsyncClient
    app: Any
    settings: InsightsSettings
    issuer: LocalIssuer

    @property
    def runner(self) -> Runner:
        runner: Runner = self.app.state.runner
        return runner

    def headers(
        self, workspace: str = "acme", *roles: Role, subject: str = "alice"
    ) -> dict[str, str]:
        return bearer(self.issuer, workspace, *(roles or (Role.MANAGER,)), subject=subject)

    async def get(self, path: str, workspace: str = "acme", **params: Any) -> Any:
        response = await self.client.get(path, params=params, headers=self.headers(workspace))
        assert response.status_code == 200, response.text
        return response.json()

    async def get_as(self, path: str, *roles: Role, **params: Any) -> Any:
        response = await self.client.get(path, params=params, headers=self.headers("acme", *roles))
        assert response.status_code == 200, response.text
        return response.json()

    async def total(self, metric: str, start: str, end: str, workspace: str = "acme") -> float:
        series = await self.get("/insights/series", workspace, metric=metric, start=start, end=end)
        return float(series["total"])

    async def until_totals(
        self, wanted: dict[str, float], start: str, end: str, wait: float = 120
    ) -> None:
        async def probe() -> dict[str, float]:
            return {m: await self.total(m, start, end) for m in wanted}

        await eventually(probe, lambda got: got == wanted, timeout=wait, what="insights totals")


@asynccontextmanager
async def insights_app(
    settings: InsightsSettings, issuer: LocalIssuer
) -> AsyncIterator[InsightsDriver]:
    app = create_app(settings)
    async with running(app) as client:
        yield InsightsDriver(client, app, settings, issuer)


@asynccontextmanager
async def publisher_for(infra: Infra, prefix: str) -> AsyncIterator[EventPublisher]:
    """Publishes to every stream under `prefix` (the producing services' place)."""
    broker: KafkaBroker = create_broker(
        KafkaSettings(bootstrap_servers=infra.kafka_bootstrap), client_id="insights-tests"
    )
    publisher = EventPublisher(broker, Topics(prefix), list(STREAMS))
    async with broker:
        await broker.start()
        yield publisher


async def publish_all(publisher: EventPublisher, events: Sequence[Event], chunk: int = 200) -> None:
    for start in range(0, len(events), chunk):
        await publisher.publish(events[start : start + chunk])
