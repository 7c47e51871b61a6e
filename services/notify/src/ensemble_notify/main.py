"""Notify's composition root: `create_app()` wires settings, clients, services and routes."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Sequence
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
from ensemble_shared.kafka import EventPublisher
from ensemble_shared.runtime import Infrastructure, Loop
from ensemble_shared.storage.outbox import Outbox, OutboxRelay
from ensemble_shared.topics import NOTIFICATIONS
from ensemble_shared.web import create_service_app

VERSION = "0.1.0"


def create_app(settings: NotifySettings | None = None) -> FastAPI:
    settings = settings or NotifySettings()

    @asynccontextmanager
    async def wire(app: FastAPI, infra: Infrastructure) -> AsyncIterator[Sequence[Loop]]:
        database = infra.database
        publisher = EventPublisher(infra.broker, infra.topics, [NOTIFICATIONS])
        outbox = Outbox(publisher, infra.topics, database)
        endpoints = EndpointRepository(database["endpoints"])
        deliveries = DeliveryRepository(
            database["deliveries"], database["delivery_outcomes"], outbox
        )
        queue = DeliveryQueue(database["delivery_queue"])
        attempts = AttemptLog(database["delivery_attempts"], database["delivery_attempt_results"])
        async with httpx.AsyncClient(
            timeout=settings.request_timeout_seconds,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=settings.concurrency * 2),
        ) as http:
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
            kafka.register(infra, service)
            app.state.endpoints = EndpointService(endpoints)
            app.state.delivery_log = DeliveryLog(deliveries, queue, attempts)

            async def sweeps() -> None:
                await service.run_sweeps(settings.sweep_interval_seconds)

            try:
                yield [OutboxRelay.from_settings(outbox, publisher, settings).run, sweeps]
            finally:
                await infra.broker.stop()  # stop consuming before in-flight sends are cancelled
                await service.drain()

    return create_service_app(
        service="notify",
        version=VERSION,
        description="Events to people, teams and integrators: routing, channels, delivery log.",
        settings=settings,
        indexes=INDEXES,
        wire=wire,
        routers=[router],
    )
