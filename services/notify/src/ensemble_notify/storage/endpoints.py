"""Webhook endpoints per workspace."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ensemble_notify.models.endpoints import Endpoint
from ensemble_shared.sealing import Sealer
from ensemble_shared.storage import ASCENDING, Database, Document, Index
from ensemble_shared.storage.lookups import find_owned
from ensemble_shared.storage.writes import changed_fields

COLLECTION = "endpoints"
SEALED = frozenset({"secrets"})
"""The signing secrets, sealed at rest (each `{value, expires_at}` keeps its expiry readable)."""


class EndpointRepository:
    INDEXES = {COLLECTION: [Index([("workspace", ASCENDING)], name="by_workspace")]}

    def __init__(self, database: Database, sealer: Sealer) -> None:
        self.collection = database[COLLECTION]
        self._sealer = sealer

    def _document(self, endpoint: Endpoint) -> dict[str, Any]:
        return self._sealer.seal_fields(endpoint.model_dump(exclude={"id"}), SEALED)

    def _endpoint(self, document: Document) -> Endpoint:
        opened = self._sealer.open_fields(document, SEALED)
        return Endpoint.model_validate({**opened, "id": document["_id"]})

    async def add(self, endpoint: Endpoint) -> None:
        await self.collection.insert_one({"_id": endpoint.id, **self._document(endpoint)})

    async def update(self, endpoint: Endpoint, *, previous: Endpoint) -> bool:
        """Write what changed since `previous` if nobody changed the endpoint since it was read.

        The version is a guard, not a lock (FerretDB's conditional updates are not atomic under
        concurrency): it turns the common stale read into a Conflict, and writing only the
        changed fields (compared before sealing) keeps a racing edit from undoing a rotation.
        """
        before, after = (e.model_dump(exclude={"id"}) for e in (previous, endpoint))
        fields = changed_fields(before, after)
        result = await self.collection.update_one(
            {"_id": endpoint.id, "workspace": endpoint.workspace, "version": previous.version},
            {"$set": self._sealer.seal_fields(fields, SEALED)},
        )
        return result.matched_count == 1

    async def get(self, workspace: str, endpoint_id: str) -> Endpoint | None:
        document = await find_owned(self.collection, endpoint_id, workspace)
        return self._endpoint(document) if document else None

    async def many(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Endpoint]:
        """Endpoints by (workspace, id) in one query; one of another workspace is not found."""
        wanted = set(keys)
        if not wanted:
            return {}
        cursor = self.collection.find({"_id": {"$in": sorted({e for _, e in wanted})}})
        found = [self._endpoint(d) async for d in cursor]
        return {(e.workspace, e.id): e for e in found if (e.workspace, e.id) in wanted}

    async def in_workspace(self, workspace: str, *, limit: int) -> list[Endpoint]:
        cursor = self.collection.find({"workspace": workspace}).sort("created_at", ASCENDING)
        return [self._endpoint(d) for d in await cursor.limit(limit).to_list(limit)]

    async def enabled_by_workspace(self, workspaces: Iterable[str]) -> dict[str, list[Endpoint]]:
        """One query for a whole consumed batch, whatever its number of workspaces."""
        found: dict[str, list[Endpoint]] = {}
        cursor = self.collection.find(
            {"workspace": {"$in": sorted(set(workspaces))}, "enabled": True}
        )
        async for document in cursor:
            endpoint = self._endpoint(document)
            found.setdefault(endpoint.workspace, []).append(endpoint)
        return found
