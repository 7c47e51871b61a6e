"""Driving the ingest service in tests: its HTTP API, its store, what it put on Kafka."""

from __future__ import annotations

from typing import Any

import httpx

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_ingest.config import IngestSettings
from ensemble_shared.auth import Role
from ensemble_shared.events import Event, parse_event
from ensemble_shared.settings import MongoSettings
from ensemble_shared.storage import create_client
from ensemble_shared.topics import MENTIONS, Topics
from support.apps import bearer
from support.kafka import read_topic
from support.mentions import mention_body, signed
from support.stored import stored


class Ingest:
    def __init__(
        self, client: httpx.AsyncClient, settings: IngestSettings, issuer: LocalIssuer
    ) -> None:
        self.client = client
        self.settings = settings
        self.issuer = issuer
        self.admin = bearer(issuer, "acme", Role.ADMIN)
        self.manager = bearer(issuer, "acme", Role.MANAGER, subject="maya")

    async def source(self) -> dict[str, str]:
        response = await self.client.post("/sources", json={"name": "forum"}, headers=self.admin)
        assert response.status_code == 201, response.text
        created: dict[str, str] = response.json()
        return created

    async def post(
        self, source: dict[str, str], body: bytes, headers: dict[str, str]
    ) -> httpx.Response:
        return await self.client.post(source["webhook_path"], content=body, headers=headers)

    async def send(
        self, source: dict[str, str], external_id: str, text: str = "I love the new app"
    ) -> str:
        body = mention_body(external_id, text=text)
        response = await self.post(source, body, signed(source["secret"], body))
        assert response.status_code == 202, response.text
        mention_id: str = response.json()["mentions"][0]["mention_id"]
        return mention_id

    async def count(self, collection: str, query: dict[str, Any] | None = None) -> int:
        client = create_client(MongoSettings(url=self.settings.mongo.url))
        try:
            return await client[self.settings.database][collection].count_documents(query or {})
        finally:
            client.close()

    async def stored(self, collection: str, document_id: str) -> dict[str, Any]:
        return await stored(
            self.settings.mongo.url, self.settings.database, collection, document_id
        )

    async def announced(self, infra: Infra) -> list[Event]:
        topic = Topics(self.settings.kafka.topic_prefix).topic(MENTIONS)
        records = await read_topic(infra.kafka_bootstrap, topic, idle_ms=500)
        return [parse_event(r.value or b"") for r in records]
