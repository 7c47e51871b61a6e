"""Preference layers: a workspace's defaults and each person's overrides, one document each.

Small documents (one per person) replaced under a version guard: self-service edits and
unsubscribe clicks are rare, and a lost race is retried by the service, not overwritten.
The events announcing what a person turned off ride in the same single-document write (the
outbox); every field is `$set`, so earlier events not yet relayed stay beside the new ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ensemble_notify.models.preferences import Preferences
from ensemble_shared.events import Event
from ensemble_shared.outbox import Outbox
from ensemble_shared.storage import ASCENDING, Database, Document, Index

COLLECTION = "preferences"
WORKSPACE = "*"  # the defaults' key in place of a person id


def _key(workspace: str, person: str | None) -> str:
    return f"{workspace}/{person if person is not None else WORKSPACE}"


def _preferences(document: Document) -> Preferences:
    return Preferences.model_validate(document)


class PreferenceRepository:
    INDEXES = {COLLECTION: [Index([("workspace", ASCENDING)], name="by_workspace")]}

    def __init__(self, database: Database, outbox: Outbox) -> None:
        self.collection = database[COLLECTION]
        self._outbox = outbox

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

    async def replace(
        self, preferences: Preferences, *, version: int, events: Sequence[Event] = ()
    ) -> bool:
        """Store `preferences` (whose version is `version` + 1) with `events` if the stored
        one is still at `version` (0: none stored yet); False when someone wrote meanwhile."""
        key = _key(preferences.workspace, preferences.person)
        fields = preferences.model_dump(mode="json")
        if version == 0:
            return await self._outbox.insert_one(self.collection, {"_id": key, **fields}, events)
        staged, event_fields = self._outbox.stage_update(key, events)

        async def write() -> list[str]:
            result = await self.collection.update_one(
                {"_id": key, "version": version}, {"$set": {**fields, **event_fields}}
            )
            return [key] if result.matched_count == 1 else []

        return bool(await self._outbox.write(self.collection, [staged], write))
