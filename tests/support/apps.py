"""Running a service's FastAPI app in-process (lifespan included) against the real stack."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI

from ensemble_devtools.infra import Infra
from ensemble_shared.auth import Principal, Role, Tokens
from ensemble_shared.settings import AuthSettings, KafkaSettings, MongoSettings


def settings_for(infra: Infra, prefix: str, auth_secret: str, **kafka: Any) -> dict[str, Any]:
    """Keyword arguments every service's settings class accepts."""
    return {
        "kafka": KafkaSettings(
            bootstrap_servers=infra.kafka_bootstrap, topic_prefix=f"{prefix}.", **kafka
        ),
        "mongo": MongoSettings(url=infra.mongodb_url),
        "auth": AuthSettings(secret=auth_secret),
        "database": f"{prefix}_db",
    }


def bearer(
    auth_secret: str, workspace: str, *roles: Role, subject: str = "alice"
) -> dict[str, str]:
    token = Tokens(AuthSettings(secret=auth_secret)).mint(
        Principal(subject=subject, workspace=workspace, roles=frozenset(roles))
    )
    return {"authorization": f"Bearer {token}"}


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            yield client
