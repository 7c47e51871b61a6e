"""Teams per workspace (small; replaced in place when staff edit one)."""

from __future__ import annotations

from collections.abc import Iterable

from ensemble_notify.models.teams import Team
from ensemble_shared.storage import ASCENDING, Database, Document, Index

COLLECTION = "teams"


def _key(workspace: str, name: str) -> str:
    return f"{workspace}/{name}"


def _team(document: Document) -> Team:
    return Team.model_validate(document)


class TeamRepository:
    INDEXES = {COLLECTION: [Index([("workspace", ASCENDING), ("name", ASCENDING)], name="by_name")]}

    def __init__(self, database: Database) -> None:
        self.collection = database[COLLECTION]

    async def put(self, team: Team) -> None:
        """Last write wins, as for people: staff edit teams by hand."""
        document = {"_id": _key(team.workspace, team.name), **team.model_dump()}
        await self.collection.replace_one({"_id": document["_id"]}, document, upsert=True)

    async def get(self, workspace: str, name: str) -> Team | None:
        document = await self.collection.find_one({"_id": _key(workspace, name)})
        return _team(document) if document else None

    async def in_workspace(self, workspace: str, *, limit: int) -> list[Team]:
        cursor = self.collection.find({"workspace": workspace}).sort("name", ASCENDING)
        return [_team(d) for d in await cursor.limit(limit).to_list(limit)]

    async def by_workspace(self, workspaces: Iterable[str]) -> dict[str, dict[str, Team]]:
        """Every team of the batch's workspaces, one query (teams are few per workspace)."""
        found: dict[str, dict[str, Team]] = {}
        cursor = self.collection.find({"workspace": {"$in": sorted(set(workspaces))}})
        async for document in cursor:
            team = _team(document)
            found.setdefault(team.workspace, {})[team.name] = team
        return found
