"""The four services as real processes, and helpers to drive them like their users do."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest

from ensemble_devtools.stack import Stack
from ensemble_shared.auth import Role
from support.apps import bearer


@dataclass
class System:
    stack: Stack
    admin: dict[str, str]
    manager: dict[str, str]

    def url(self, service: str) -> str:
        return self.stack.services[service].url

    def source(self) -> dict[str, str]:
        response = httpx.post(f"{self.url('ingest')}/sources", json={"name": "forum"}, headers=self.admin)
        assert response.status_code == 201, response.text
        created: dict[str, str] = response.json()
        return created

    def endpoint(self, url: str) -> dict[str, str]:
        response = httpx.post(f"{self.url('notify')}/endpoints", json={"url": url}, headers=self.admin)
        assert response.status_code == 201, response.text
        created: dict[str, str] = response.json()
        return created

    def webhook(self, source: dict[str, str], body: bytes, headers: dict[str, str]) -> httpx.Response:
        return httpx.post(f"{self.url('ingest')}{source['webhook_path']}", content=body, headers=headers)


@pytest.fixture
def system(stack_factory: Callable[..., Stack], auth_secret: str) -> Iterator[System]:
    stack = stack_factory(env={"NOTIFY_SWEEP_INTERVAL_SECONDS": "0.5", "NOTIFY_LEASE_SECONDS": "3"})
    stack.start_all()
    yield System(stack, bearer(auth_secret, "acme", Role.ADMIN), bearer(auth_secret, "acme", Role.MANAGER))
