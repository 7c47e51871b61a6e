"""Insights against the real broker and store: the service in-process, its own topics and
databases per test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_shared.kafka import EventPublisher
from ensemble_shared.settings import MongoSettings
from ensemble_shared.storage import create_client
from ensemble_shared.topics import Topics, ensure_topics
from support.insights_app import InsightsDriver, insights_app, insights_settings, publisher_for


@pytest.fixture
def insights_prefix(unique_name: Callable[[str], str]) -> str:
    return unique_name("insights")


@pytest.fixture
async def insights(
    infra: Infra, insights_prefix: str, issuer: LocalIssuer
) -> AsyncIterator[InsightsDriver]:
    settings = insights_settings(infra, insights_prefix, issuer)
    async with insights_app(settings, issuer) as driver:
        yield driver
    client = create_client(MongoSettings(url=infra.mongodb_url))
    await client.drop_database(settings.database)
    await client.drop_database(settings.log_database)
    client.close()


@pytest.fixture
async def events_publisher(infra: Infra, insights_prefix: str) -> AsyncIterator[EventPublisher]:
    await ensure_topics(infra.kafka_bootstrap, Topics(f"{insights_prefix}."))
    async with publisher_for(infra, f"{insights_prefix}.") as publisher:
        yield publisher
