"""Notify served by uvicorn on a loopback port (real sockets, for SSE), with a test driver."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from faststream.kafka import KafkaBroker

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_devtools.processes import free_port
from ensemble_notify.config import NotifySettings
from ensemble_notify.main import create_app
from ensemble_notify.models.people import PendingAddress
from ensemble_notify.services import address_proofs
from ensemble_notify.services.address_proofs import VerificationLinks
from ensemble_shared.auth import Role
from ensemble_shared.capabilities import Capabilities
from ensemble_shared.events import Event, parse_event
from ensemble_shared.kafka import EventPublisher, create_broker
from ensemble_shared.settings import KafkaSettings
from ensemble_shared.topics import APPROVALS, INSIGHTS, MENTIONS, NOTIFICATIONS, Topics
from support.apps import bearer, settings_for
from support.kafka import read_topic


@dataclass
class NotifyDriver:
    url: str
    http: httpx.AsyncClient
    settings: NotifySettings
    admin: dict[str, str]
    issuer: LocalIssuer
    publisher: EventPublisher
    infra: Infra

    def person(self, subject: str, workspace: str = "acme") -> dict[str, str]:
        """A signed-in person: any role reads their own inbox."""
        return bearer(self.issuer, workspace, Role.APPROVER, subject=subject)

    async def put_person(self, person_id: str, **fields: Any) -> dict[str, Any]:
        """An admin's PUT, then each address it set confirmed as its owner would (the
        verification link notify sent, opened and confirmed): the addresses are in use."""
        response = await self.http.put(f"/people/{person_id}", json=fields, headers=self.admin)
        assert response.status_code == 200, response.text
        person: dict[str, Any] = response.json()
        for pending in person["pending"]:
            confirmed = await self.confirm_address(person_id, pending)
            assert confirmed.status_code == 200, confirmed.text
        if person["pending"]:
            got = await self.http.get(f"/people/{person_id}", headers=self.admin)
            person = got.json()
        return person

    def verification_token(
        self, person_id: str, pending: dict[str, Any], workspace: str = "acme"
    ) -> str:
        """The token of the link notify sent for `pending` (an entry of a person's `pending`)."""
        links = VerificationLinks(
            Capabilities(self.settings.secret_key.get_secret_value(), address_proofs.PURPOSE),
            self.settings.console_url,
        )
        return links.token(workspace, person_id, PendingAddress.model_validate(pending))

    async def confirm_address(
        self, person_id: str, pending: dict[str, Any], workspace: str = "acme"
    ) -> httpx.Response:
        token = self.verification_token(person_id, pending, workspace)
        return await self.http.post("/addresses/verification", params={"token": token})

    async def endpoint(self, **body: Any) -> dict[str, Any]:
        response = await self.http.post("/endpoints", json=body, headers=self.admin)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    async def deliveries(self, status: str | None = None) -> list[dict[str, Any]]:
        params: dict[str, str | int] = {"limit": 200}
        if status:
            params["status"] = status
        response = await self.http.get("/deliveries", params=params, headers=self.admin)
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    async def publish(self, *events: Event) -> None:
        await self.publisher.publish(list(events))

    async def notifications(self) -> list[Event]:
        topic = Topics(self.settings.kafka.topic_prefix).topic(NOTIFICATIONS)
        records = await read_topic(self.infra.kafka_bootstrap, topic, idle_ms=500)
        return [parse_event(r.value or b"") for r in records]


@asynccontextmanager
async def serving(app: Any, port: int | None = None, **config: Any) -> AsyncIterator[str]:
    """The app behind a real uvicorn server in this event loop (on `port`, else a free one);
    yields its base URL. `config` overrides uvicorn's settings (`log_config=None` logs as
    `./dev up` does)."""
    port = port or free_port()
    # Keep-alive longer than httpx's pool keeps an idle connection (5 s): with both at 5 s, a
    # request sent as the server closes the connection fails ("Server disconnected").
    settings = {"log_level": "warning", "lifespan": "on", "timeout_keep_alive": 30, **config}
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, **settings))
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(1500):
            if server.started or task.done():
                break
            await asyncio.sleep(0.02)
        if task.done():
            task.result()
        assert server.started, "notify did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=30)


@asynccontextmanager
async def running_notify(
    infra: Infra, prefix: str, issuer: LocalIssuer, **overrides: Any
) -> AsyncIterator[NotifyDriver]:
    settings = NotifySettings(
        **{
            **settings_for(infra, prefix, issuer),
            "backoff_base_seconds": 0.05,
            "backoff_max_seconds": 0.2,
            "max_attempts": 3,
            "lease_seconds": 2,
            "sweep_interval_seconds": 0.5,
            "inbox_poll_seconds": 0.5,
            **overrides,
        },
    )
    producer: KafkaBroker = create_broker(
        KafkaSettings(bootstrap_servers=infra.kafka_bootstrap), client_id="producers-stand-in"
    )
    streams = [MENTIONS, APPROVALS, INSIGHTS]
    publisher = EventPublisher(producer, Topics(settings.kafka.topic_prefix), streams)
    async with serving(create_app(settings)) as url, producer:
        await producer.start()
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            yield NotifyDriver(
                url,
                http,
                settings,
                bearer(issuer, "acme", Role.ADMIN),
                issuer,
                publisher,
                infra,
            )
