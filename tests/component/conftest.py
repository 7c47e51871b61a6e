"""Fixtures for one service or helper against the real store and broker."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from faststream.kafka import KafkaBroker

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_feedback.main import create_app as create_feedback_app
from ensemble_ingest.config import IngestSettings
from ensemble_ingest.main import create_app
from ensemble_scheduler.config import SchedulerSettings
from ensemble_scheduler.main import create_app as create_scheduler_app
from ensemble_shared.kafka import EventPublisher, create_broker
from ensemble_shared.settings import KafkaSettings, MongoSettings
from ensemble_shared.storage import Database, create_client
from ensemble_shared.topics import MENTIONS, Topics, ensure_topics
from support.apps import running, settings_for
from support.feedback import Feedback, feedback_settings
from support.ingest import Ingest
from support.scheduler import Scheduler


@pytest.fixture
async def database(infra: Infra, unique_name: Callable[[str], str]) -> AsyncIterator[Database]:
    client = create_client(MongoSettings(url=infra.mongodb_url))
    name = unique_name("db")
    yield client[name]
    await client.drop_database(name)
    client.close()


@pytest.fixture
async def topics(infra: Infra, unique_name: Callable[[str], str]) -> Topics:
    created = Topics(f"{unique_name('k')}.")
    await ensure_topics(infra.kafka_bootstrap, created)
    return created


@pytest.fixture
def broker(infra: Infra) -> KafkaBroker:
    """Not started: register subscribers and publishers first, then `async with broker`."""
    return create_broker(KafkaSettings(bootstrap_servers=infra.kafka_bootstrap), client_id="test")


@pytest.fixture
async def ingest(
    infra: Infra, unique_name: Callable[[str], str], issuer: LocalIssuer
) -> AsyncIterator[Ingest]:
    """The ingest service in-process, on its own topics and database."""
    settings = IngestSettings(**settings_for(infra, unique_name("ingest"), issuer))
    async with running(create_app(settings)) as client:
        yield Ingest(client, settings, issuer)


@pytest.fixture
async def feedback(
    infra: Infra, unique_name: Callable[[str], str], issuer: LocalIssuer
) -> AsyncIterator[Feedback]:
    """The feedback service in-process, on its own topics and database."""
    settings = feedback_settings(infra, unique_name("feedback"), issuer)
    async with running(create_feedback_app(settings)) as client:
        yield Feedback(client, settings, issuer)


@pytest.fixture
async def ingest_stand_in(feedback: Feedback) -> AsyncIterator[EventPublisher]:
    """Publishes on feedback's mentions topic, as ingest would."""
    broker: KafkaBroker = create_broker(
        KafkaSettings(bootstrap_servers=feedback.settings.kafka.bootstrap_servers),
        client_id="ingest-stand-in",
    )
    publisher = EventPublisher(broker, Topics(feedback.settings.kafka.topic_prefix), [MENTIONS])
    async with broker:
        await broker.start()
        yield publisher


@pytest.fixture
async def scheduler(
    infra: Infra, unique_name: Callable[[str], str], issuer: LocalIssuer
) -> AsyncIterator[Scheduler]:
    """The scheduler service in-process, on its own topics and database."""
    settings = SchedulerSettings(**settings_for(infra, unique_name("scheduler"), issuer))
    app = create_scheduler_app(settings)
    async with running(app) as client:
        yield Scheduler(client, settings, issuer, app)
