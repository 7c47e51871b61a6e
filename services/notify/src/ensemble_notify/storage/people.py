"""The directory of people per workspace (small; replaced in place when staff edit it)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ensemble_notify.models.people import Person
from ensemble_shared.storage import ASCENDING, Database, Document, Index

COLLECTION = "people"


def _key(workspace: str, person_id: str) -> str:
    return f"{workspace}/{person_id}"


def _person(document: Document) -> Person:
    return Person.model_validate(document)


class PeopleRepository:
    INDEXES = {COLLECTION: [Index([("workspace", ASCENDING), ("id", ASCENDING)], name="by_id")]}

    def __init__(self, database: Database) -> None:
        self.collection = database[COLLECTION]

    async def put(self, person: Person) -> None:
        """Last write wins: two staff editing one person at once is not worth a lock."""
        document = {"_id": _key(person.workspace, person.id), **person.model_dump()}
        await self.collection.replace_one({"_id": document["_id"]}, document, upsert=True)

    async def get(self, workspace: str, person_id: str) -> Person | None:
        document = await self.collection.find_one({"_id": _key(workspace, person_id)})
        return _person(document) if document else None

    async def many(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Person]:
        """People by (workspace, id), one query for a whole consumed batch."""
        wanted = sorted({_key(w, p) for w, p in keys})
        if not wanted:
            return {}
        cursor = self.collection.find({"_id": {"$in": wanted}})
        found = [_person(d) async for d in cursor]
        return {(p.workspace, p.id): p for p in found}

    async def in_workspace(self, workspace: str, *, limit: int) -> list[Person]:
        cursor = self.collection.find({"workspace": workspace}).sort("id", ASCENDING)
        return [_person(d) for d in await cursor.limit(limit).to_list(limit)]

    async def role_holders(self, workspaces: Iterable[str]) -> dict[str, dict[str, list[str]]]:
        """workspace -> role -> the ids of the people who hold it (the directory is small)."""
        found: dict[str, dict[str, list[str]]] = {}
        wanted = sorted(set(workspaces))
        if not wanted:
            return found
        query: dict[str, Any] = {"workspace": {"$in": wanted}}
        projection = {"id": 1, "workspace": 1, "roles": 1}
        async for document in self.collection.find(query, projection).sort("id", ASCENDING):
            for role in document.get("roles") or ():
                by_role = found.setdefault(document["workspace"], {})
                by_role.setdefault(str(role), []).append(document["id"])
        return found
