"""The four services as real processes, and helpers to drive them like their users do."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import httpx
import pytest

from ensemble_devtools.issuer import LocalIssuer
from ensemble_devtools.stack import Stack
from ensemble_shared.auth import Role
from support.apps import bearer

# The browser and the console's stack are session-scoped: declared here, once for the folder,
# so one of each serves every story (imported into each test module, each module would start
# its own and keep it until the session ends).
from support.browser import browser, camera  # noqa: F401
from support.console_stack import acme_admin, admin_page, console_stack  # noqa: F401

RECEIVED = ("mention.received.v1",)  # one webhook per mention (triage etc. are other types)


@dataclass
class System:
    stack: Stack
    http: httpx.AsyncClient
    admin: dict[str, str]
    manager: dict[str, str]
    issuer: LocalIssuer

    def url(self, service: str) -> str:
        return self.stack.services[service].url

    async def get(
        self, service: str, path: str, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        return await self.http.get(f"{self.url(service)}{path}", headers=headers)

    async def source(self) -> dict[str, str]:
        response = await self.http.post(
            f"{self.url('ingest')}/sources", json={"name": "forum"}, headers=self.admin
        )
        assert response.status_code == 201, response.text
        created: dict[str, str] = response.json()
        return created

    async def endpoint(self, url: str, events: tuple[str, ...] = RECEIVED) -> dict[str, str]:
        response = await self.http.post(
            f"{self.url('notify')}/endpoints",
            json={"url": url, "events": list(events)},
            headers=self.admin,
        )
        assert response.status_code == 201, response.text
        created: dict[str, str] = response.json()
        return created

    async def webhook(
        self, source: dict[str, str], body: bytes, headers: dict[str, str]
    ) -> httpx.Response:
        return await self.http.post(
            f"{self.url('ingest')}{source['webhook_path']}", content=body, headers=headers
        )


@pytest.fixture
async def system(stack_factory: Callable[..., Stack], issuer: LocalIssuer) -> AsyncIterator[System]:
    stack = stack_factory(env={"NOTIFY_SWEEP_INTERVAL_SECONDS": "0.5", "NOTIFY_LEASE_SECONDS": "3"})
    stack.start_all()
    async with httpx.AsyncClient(timeout=30) as http:
        yield System(
            stack,
            http,
            bearer(issuer, "acme", Role.ADMIN),
            bearer(issuer, "acme", Role.MANAGER),
            issuer,
        )
