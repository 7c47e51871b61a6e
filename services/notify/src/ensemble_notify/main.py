"""Notify's composition root: `create_app()` wires settings, clients, services and routes."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
from fastapi import FastAPI

from ensemble_notify.channels.webhook import WebhookSender
from ensemble_notify.config import NotifySettings
from ensemble_notify.handlers import kafka
from ensemble_notify.handlers.http import router
from ensemble_notify.services.deliveries import DeliveryService
from ensemble_notify.services.endpoints import EndpointService
from ensemble_notify.services.log import DeliveryLog
from ensemble_notify.services.policy import DeliveryPolicy
from ensemble_notify.storage import (
    INDEXES,
    AttemptLog,
    DeliveryQueue,
    DeliveryRepository,
    EndpointRepository,
)
from ensemble_shared.events import new_id
from ensemble_shared.kafka import EventPublisher, RetryPolicy
from ensemble_shared.logs import configure_logging
from ensemble_shared.runtime import open_infrastructure
from ensemble_shared.storage.outbox import Outbox, OutboxRelay
from ensemble_shared.topics import NOTIFICATIONS
from ensemble_shared.web import install_common

VERSION = "0.1.0"


def create_app(settings: NotifySettings | None = None) -> FastAPI:
    settings = settings or NotifySettings()
    configure_logging("notify", settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with (
            open_infrastructure(settings, service="notify") as infra,
            httpx.AsyncClient(
                timeout=settings.request_timeout_seconds,
                follow_redirects=False,
                limits=httpx.Limits(max_connections=settings.concurrency * 2),
            ) as http,
        ):
            publisher = EventPublisher(infra.broker, infra.topics, [NOTIFICATIONS])
            database = infra.database
            outbox = Outbox(publisher, infra.topics, database)
            endpoints = EndpointRepository(database["endpoints"])
            deliveries = DeliveryRepository(
                database["deliveries"], database["delivery_outcomes"], outbox
            )
            queue = DeliveryQueue(database["delivery_queue"])
            attempts = AttemptLog(
                database["delivery_attempts"], database["delivery_attempt_results"]
            )
            service = DeliveryService(
                endpoints=endpoints,
                deliveries=deliveries,
                queue=queue,
                attempts=attempts,
                sender=WebhookSender(http),
                policy=DeliveryPolicy(
                    max_attempts=settings.max_attempts,
                    base_seconds=settings.backoff_base_seconds,
                    max_seconds=settings.backoff_max_seconds,
                ),
                owner=f"{socket.gethostname()}:{new_id()}",
                lease=timedelta(seconds=settings.lease_seconds),
                concurrency=settings.concurrency,
            )
            kafka.register(
                infra.broker,
                infra.topics,
                service,
                RetryPolicy.from_settings(settings.kafka),
            )
            relay = OutboxRelay(
                outbox,
                publisher,
                grace=timedelta(seconds=settings.outbox_grace_seconds),
                interval=settings.outbox_interval_seconds,
            )
            app.state.infra = infra
            app.state.endpoints = EndpointService(endpoints)
            app.state.delivery_log = DeliveryLog(deliveries, queue, attempts)

            async def sweeps() -> None:
                await service.run_sweeps(settings.sweep_interval_seconds)

            await infra.start(indexes=INDEXES, background=[relay.run, sweeps])
            try:
                yield
            finally:
                await infra.broker.stop()  # stop consuming before in-flight sends are cancelled
                await service.drain()

    app = FastAPI(
        title="Ensemble notify",
        version=VERSION,
        description="Events to people, teams and integrators: routing, channels, delivery log.",
        lifespan=lifespan,
    )
    install_common(app, http=settings.http, version=VERSION)
    app.include_router(router)
    return app
