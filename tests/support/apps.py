"""Running a service's FastAPI app in-process (lifespan included) against the real stack."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_shared.auth import Role
from ensemble_shared.settings import KafkaSettings, MongoSettings

SECRET_KEY = "test-secret-key-" + secrets.token_hex(24)
"""What the services that sign their own links (`<SERVICE>_SECRET_KEY`) sign them with."""


def settings_for(infra: Infra, prefix: str, issuer: LocalIssuer, **kafka: Any) -> dict[str, Any]:
    """Keyword arguments every service's settings class accepts (unknown ones are ignored):
    its own topics and database, tokens of the test `issuer` trusted."""
    return {
        "kafka": KafkaSettings(
            bootstrap_servers=infra.kafka_bootstrap, topic_prefix=f"{prefix}.", **kafka
        ),
        "mongo": MongoSettings(url=infra.mongodb_url),
        "auth": issuer.settings(),
        "database": f"{prefix}_db",
        "secret_key": SECRET_KEY,
    }


def bearer(
    issuer: LocalIssuer,
    workspace: str,
    *roles: Role,
    subject: str = "alice",
    teams: Iterable[str] = (),
) -> dict[str, str]:
    """Headers with an access token shaped as identity's, signed by the test issuer."""
    return issuer.bearer(workspace, *roles, subject=subject, teams=teams)


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            yield client
