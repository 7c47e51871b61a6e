"""Identity served by uvicorn on a loopback port (real HTTP: the JWKS is fetched over a real
socket), with its SMTP going to a real aiosmtpd server, and a driver for its flows."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet
from fastapi import FastAPI

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_identity import cli
from ensemble_identity.config import IdentitySettings
from ensemble_identity.main import create_app
from ensemble_identity.services.registry import Services
from ensemble_shared.events import Event, parse_event
from ensemble_shared.kafka import EventPublisher, create_broker
from ensemble_shared.keys import JwksVerifier
from ensemble_shared.settings import KafkaSettings, MongoSettings
from ensemble_shared.storage import Database, create_client
from ensemble_shared.topics import ACCOUNTS, Topics
from support.apps import settings_for
from support.kafka import read_topic
from support.notify import serving
from support.notify_smtp import Mailbox
from support.waiting import eventually

PUBLIC_URL = "https://console.example.org"
PASSWORD = "plum-orchard-velvet-42"
ADMIN_EMAIL = "ana@acme.example"


def identity_settings(
    infra: Infra, prefix: str, issuer: LocalIssuer, **overrides: Any
) -> IdentitySettings:
    return IdentitySettings(
        **settings_for(infra, prefix, issuer),
        **{
            "public_url": PUBLIC_URL,
            "key_encryption_key": Fernet.generate_key().decode(),
            "trusted_proxies": ["127.0.0.1"],
            "rate_limit_signin": "1000/minute",
            "rate_limit_email": "1000/minute",
            "email_retry_seconds": 0.2,
            "outbox_interval_seconds": 0.5,
            **overrides,
        },
    )


def session(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def from_address(ip: str) -> dict[str, str]:
    """What the console adds when it forwards a browser's request."""
    return {"x-forwarded-for": ip, "user-agent": "Mozilla/5.0 (test browser)"}


@dataclass
class IdentityDriver:
    url: str
    http: httpx.AsyncClient
    settings: IdentitySettings
    mailbox: Mailbox
    infra: Infra
    app: FastAPI

    @property
    def services(self) -> Services:
        """The running process's services (to force what a timer would do, e.g. a refresh)."""
        services: Services = self.app.state.services
        return services

    async def post(self, path: str, body: dict[str, Any], **headers: str) -> httpx.Response:
        return await self.http.post(path, json=body, headers=headers)

    async def setup(self, workspace: str = "acme", email: str = ADMIN_EMAIL) -> str:
        """The first workspace and its admin; returns the admin's session token."""
        response = await self.http.post(
            "/setup",
            json={
                "workspace": workspace,
                "workspace_name": workspace.capitalize(),
                "email": email,
                "name": "Ana Admin",
                "password": PASSWORD,
            },
        )
        assert response.status_code == 201, response.text
        return str(response.json()["session_token"])

    async def sign_in(
        self, email: str, password: str = PASSWORD, ip: str = "198.51.100.7"
    ) -> httpx.Response:
        return await self.http.post(
            "/sessions", json={"email": email, "password": password}, headers=from_address(ip)
        )

    async def access_token(self, session_token: str, workspace: str = "acme") -> str:
        response = await self.http.post(
            "/access-tokens", json={"workspace": workspace}, headers=session(session_token)
        )
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    async def invite(
        self, admin: str, email: str, roles: list[str], workspace: str = "acme", **body: Any
    ) -> dict[str, Any]:
        response = await self.http.post(
            f"/workspaces/{workspace}/invitations",
            json={"email": email, "roles": roles, **body},
            headers=session(admin),
        )
        assert response.status_code == 201, response.text
        invitation: dict[str, Any] = response.json()
        return invitation

    async def join(self, admin: str, email: str, roles: list[str], name: str = "Bo") -> str:
        """Invite, accept with a password; returns the new account's session token."""
        await self.invite(admin, email, roles)
        token = await self.link(email, "/invitations/")
        response = await self.post(
            "/invitations/accept", {"token": token, "name": name, "password": PASSWORD}
        )
        assert response.status_code == 201, response.text
        return str(response.json()["session_token"])

    async def message(self, to: str, containing: str, *, after: int = 0) -> EmailMessage:
        """The newest message to `to` whose text holds `containing` (the `after`+1-th)."""

        def matching() -> list[EmailMessage]:
            return [
                m for rcpt, m in self.mailbox.messages if to in rcpt and containing in text_of(m)
            ]

        async def probe() -> list[EmailMessage]:
            return matching()

        found = await eventually(probe, lambda ms: len(ms) > after, what=f"mail to {to}")
        return found[-1]

    async def link(self, to: str, page: str, *, after: int = 0) -> str:
        """The secret in the newest link to console page `page` mailed to `to`."""
        message = await self.message(to, PUBLIC_URL + page, after=after)
        match = re.search(re.escape(PUBLIC_URL + page) + r"([A-Za-z0-9_-]+)", text_of(message))
        assert match, text_of(message)
        return match.group(1)

    async def events(self) -> list[Event]:
        topic = Topics(self.settings.kafka.topic_prefix).topic(ACCOUNTS)
        records = await read_topic(self.infra.kafka_bootstrap, topic, idle_ms=500)
        return [parse_event(r.value or b"") for r in records]

    async def redeliver(self, *events: Event) -> None:
        """Put identity's own events on the accounts topic again (a redelivery, or a late one)."""
        producer = create_broker(
            KafkaSettings(bootstrap_servers=self.infra.kafka_bootstrap), client_id="redeliver"
        )
        async with producer:
            await producer.start()
            topics = Topics(self.settings.kafka.topic_prefix)
            await EventPublisher(producer, topics, [ACCOUNTS]).publish(list(events))

    def verifier(self, **options: Any) -> JwksVerifier:
        """How any other service will verify identity's tokens: over HTTP, from the JWKS."""
        return JwksVerifier(
            f"{self.url}/.well-known/jwks.json",
            issuer=self.settings.issuer,
            audience=self.settings.audience,
            **options,
        )

    @asynccontextmanager
    async def store(self) -> AsyncIterator[Database]:
        """Identity's own database, to check what is (and is not) kept at rest."""
        client = create_client(MongoSettings(url=self.infra.mongodb_url))
        try:
            yield client[self.settings.database]
        finally:
            client.close()


@asynccontextmanager
async def called_from(settings: IdentitySettings, peer: str) -> AsyncIterator[httpx.AsyncClient]:
    """Identity in-process, its socket peer set to `peer`. Without uvicorn, whose own proxy
    handling believes X-Forwarded-For from loopback (FORWARDED_ALLOW_IPS) before we see it."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=(peer, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://identity") as http:
            yield http


@asynccontextmanager
async def operator(identity: IdentityDriver) -> AsyncIterator[Services]:
    """What `python -m ensemble_identity.cli` works with, on the same store."""
    async with cli.services(identity.settings) as services:
        yield services


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


@asynccontextmanager
async def running_identity(
    infra: Infra, prefix: str, issuer: LocalIssuer, mailbox: Mailbox, **overrides: Any
) -> AsyncIterator[IdentityDriver]:
    settings = identity_settings(
        infra, prefix, issuer, smtp_host="127.0.0.1", smtp_port=mailbox.port, **overrides
    )
    app = create_app(settings)
    async with serving(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        yield IdentityDriver(url, http, settings, mailbox, infra, app)


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with Mailbox() as box:
        yield box


@pytest.fixture
async def identity(
    infra: Infra, unique_name: Callable[[str], str], issuer: LocalIssuer, mailbox: Mailbox
) -> AsyncIterator[IdentityDriver]:
    """Identity in-process behind a real HTTP server, its email to the real `mailbox`."""
    async with running_identity(infra, unique_name("identity"), issuer, mailbox) as driver:
        yield driver
