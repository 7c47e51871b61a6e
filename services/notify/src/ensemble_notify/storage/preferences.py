"""Preference layers: a workspace's defaults and each person's overrides, one document each.

Small documents (one per person) replaced under a version guard: self-service edits and
unsubscribe clicks are rare, and a lost race is retried by the service, not overwritten.
"""

from __future__ import annotations

from collections.abc import Iterable

from ensemble_notify.models.preferences import Preferences
from ensemble_shared.storage import ASCENDING, Database, Document, Index
from ensemble_shared.storage.idempotency import insert_new

COLLECTION = "preferences"
WORKSPACE = "*"  # the defaults' key in place of a person id


def _key(workspace: str, person: str | None) -> str:
    return f"{workspace}/{person if person is not None else WORKSPACE}"


def _preferences(document: Document) -> Preferences:
    return Preferences.model_validate(document)


class PreferenceRepository:
    INDEXES = {COLLECTION: [Index([("workspace", ASCENDING)], name="by_workspace")]}

    def __init__(self, database: Database) -> None:
        self.collection = database[COLLECTION]

    async def get(self, workspace: str, person: str | None) -> Preferences | None:
        document = await self.collection.find_one({"_id": _key(workspace, person)})
        return _preferences(document) if document else None

    async def many(
        self, keys: Iterable[tuple[str, str | None]]
    ) -> dict[tuple[str, str | None], Preferences]:
        """Layers by (workspace, person or None for the defaults), one query per batch."""
        wanted = sorted({_key(w, p) for w, p in keys})
        if not wanted:
            return {}
        cursor = self.collection.find({"_id": {"$in": wanted}})
        found = [_preferences(d) async for d in cursor]
        return {(p.workspace, p.person): p for p in found}

    async def replace(self, preferences: Preferences, *, version: int) -> bool:
        """Store `preferences` (whose version is `version` + 1) if the stored one is still
        at `version` (0: none stored yet); False when someone wrote meanwhile."""
        key = _key(preferences.workspace, preferences.person)
        document = {"_id": key, **preferences.model_dump(mode="json")}
        if version == 0:
            return bool(await insert_new(self.collection, [document]))
        result = await self.collection.replace_one({"_id": key, "version": version}, document)
        return result.matched_count == 1
