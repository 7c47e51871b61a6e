"""Workspace settings, how each workspace's rollups are read (zone and stamp), the generation.

All three collections hold one small document per workspace (or one in all), so reading them
whole is cheap; the projection reads the settings once per round.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ensemble_insights.models.rollups import View
from ensemble_insights.models.settings import WorkspaceSettings
from ensemble_shared.events import new_id, utcnow
from ensemble_shared.storage import Collection, DuplicateKeyError

GENERATION = "generation"


class SettingsRepository:
    def __init__(self, collection: Collection) -> None:
        self._collection = collection

    async def get(self, workspace: str) -> WorkspaceSettings | None:
        found = await self._collection.find_one({"_id": workspace})
        return None if found is None else _settings(found)

    async def all(self) -> dict[str, WorkspaceSettings]:
        documents = await self._collection.find({}).to_list(None)
        return {d["_id"]: _settings(d) for d in documents}

    async def replace(self, settings: WorkspaceSettings, *, version: int) -> bool:
        """Store `settings` if the stored version is still `version` (0: none stored)."""
        document = settings.model_dump(mode="json", exclude={"workspace"})
        document["updated_at"] = settings.updated_at
        if version == 0:
            try:
                await self._collection.insert_one({"_id": settings.workspace, **document})
            except DuplicateKeyError:  # a concurrent first write won
                return False
            return True
        result = await self._collection.replace_one(
            {"_id": settings.workspace, "version": version}, document
        )
        return result.modified_count == 1


def _settings(document: dict[str, Any]) -> WorkspaceSettings:
    fields = {name: value for name, value in document.items() if name != "_id"}
    return WorkspaceSettings.model_validate({**fields, "workspace": document["_id"]})


class Views:
    """How each workspace's daily rollups are read: the zone they are kept in, and a stamp
    renewed after every write to the workspace's rollups, so a reader that already decoded a
    document at this stamp need not fetch it again (`storage.rollups.Rollups.read`)."""

    def __init__(self, collection: Collection) -> None:
        self._collection = collection

    async def all(self) -> dict[str, str]:
        return {d["_id"]: d["zone"] for d in await self._collection.find({}).to_list(None)}

    async def get(self, workspace: str) -> View | None:
        found = await self._collection.find_one({"_id": workspace})
        return None if found is None else View(str(found["zone"]), found.get("stamp"))

    async def set(self, workspace: str, zone: str) -> None:
        await self._collection.replace_one(
            {"_id": workspace}, {"zone": zone, "at": utcnow(), "stamp": new_id()}, upsert=True
        )

    async def renew(self, workspaces: Iterable[str]) -> None:
        """New stamps, once the workspaces' rollups are written (never before: a reader
        that saw the new stamp must find the new contents)."""
        for workspace in workspaces:
            await self._collection.update_one({"_id": workspace}, {"$set": {"stamp": new_id()}})


class Generations:
    """The projection's generation: its consumer group and collection names follow it."""

    def __init__(self, collection: Collection) -> None:
        self._collection = collection

    async def current(self) -> int:
        return (await self.current_with_age())[0]

    async def current_with_age(self) -> tuple[int, float | None]:
        """The generation, and seconds since it started (None for the first)."""
        found = await self._collection.find_one({"_id": GENERATION})
        if found is None:
            return 1, None
        return int(found["n"]), (utcnow() - found["at"]).total_seconds()

    async def advance(self, *, by: str) -> int:
        """Start a new generation (a rebuild); returns its number."""
        number = await self.current() + 1
        await self._collection.replace_one(
            {"_id": GENERATION}, {"n": number, "by": by, "at": utcnow()}, upsert=True
        )
        return number
