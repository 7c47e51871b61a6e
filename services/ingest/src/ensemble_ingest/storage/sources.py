"""Configured sources, and the state of the pulled ones (cursor, health, rate budget)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ensemble_ingest.models.sources import Source, SourceState
from ensemble_shared.sealing import Sealer
from ensemble_shared.storage import ASCENDING, Collection, Document, Index

SOURCES = "sources"
STATES = "source_states"
SEALED = frozenset(
    {
        "secrets",
        "app_secret",
        "verify_token",
        "consumer_secret",
        "signing_secret",
        "webhook_secret",
        "hub_secret",
        "access_token",
    }
)
"""The fields of a source's `config` that are credentials: sealed at rest."""


class SourceRepository:
    INDEXES = {SOURCES: [Index([("workspace", ASCENDING)], name="by_workspace")]}

    def __init__(self, sources: Collection, states: Collection, sealer: Sealer) -> None:
        self.collection = sources
        self._states = states
        self._sealer = sealer

    def _source(self, document: Document) -> Source:
        config = self._sealer.open_fields(document.get("config") or {}, SEALED)
        return Source.model_validate({**document, "config": config, "id": document["_id"]})

    async def add(self, source: Source) -> None:
        document = source.model_dump(mode="json", exclude={"id", "created_at"})
        document["config"] = self._sealer.seal_fields(document["config"], SEALED)
        await self.collection.insert_one(
            {"_id": source.id, **document, "created_at": source.created_at}
        )

    async def reseal(self) -> int:
        """Seal every source's secrets under the first sealing key (after a key rotation, or
        for sources written before sealing); how many documents changed."""
        changed = 0
        async for document in self.collection.find({}):
            config = document.get("config") or {}
            resealed = self._sealer.reseal_fields(config, SEALED)
            if resealed != config:
                await self.collection.update_one(
                    {"_id": document["_id"]}, {"$set": {"config": resealed}}
                )
                changed += 1
        return changed

    async def get(self, source_id: str) -> Source | None:
        document = await self.collection.find_one({"_id": source_id})
        return self._source(document) if document else None

    async def get_many(self, source_ids: list[str]) -> list[Source | None]:
        """Several sources in one round trip, in the order asked (None for an unknown id)."""
        found = {
            d["_id"]: self._source(d)
            async for d in self.collection.find({"_id": {"$in": list(set(source_ids))}})
        }
        return [found.get(source_id) for source_id in source_ids]

    async def in_workspace(self, workspace: str, *, limit: int) -> list[Source]:
        cursor = self.collection.find({"workspace": workspace}).sort("created_at", ASCENDING)
        return [self._source(d) for d in await cursor.limit(limit).to_list(limit)]

    async def enabled(self, platforms: frozenset[str]) -> list[Source]:
        """Every enabled source of these platforms, all workspaces (for the pull runner)."""
        cursor = self.collection.find(
            {"enabled": True, "config.platform": {"$in": sorted(platforms)}}
        )
        return [self._source(d) async for d in cursor]

    async def all_by_id(self) -> dict[str, Source]:
        return {d["_id"]: self._source(d) async for d in self.collection.find({})}

    async def set_enabled(self, workspace: str, source_id: str, enabled: bool) -> bool:
        result = await self.collection.update_one(
            {"_id": source_id, "workspace": workspace}, {"$set": {"enabled": enabled}}
        )
        return result.matched_count == 1

    async def state(self, source_id: str) -> SourceState:
        document = await self._states.find_one({"_id": source_id})
        if document is None:
            return SourceState(source_id=source_id)
        return SourceState.model_validate({**document, "source_id": document["_id"]})

    async def save_state(self, state: SourceState) -> None:
        document: dict[str, Any] = state.model_dump(exclude={"source_id"})
        await self._states.replace_one(
            {"_id": state.source_id}, {"_id": state.source_id, **document}, upsert=True
        )

    async def record_error(self, source_id: str, error: str, at: datetime) -> None:
        state = await self.state(source_id)
        await self.save_state(
            state.model_copy(
                update={"last_error": error[:1000], "last_error_at": at, "errors": state.errors + 1}
            )
        )
