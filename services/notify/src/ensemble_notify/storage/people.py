"""The directory of people per workspace (small; replaced in place when staff edit it)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from ensemble_notify.models.people import ADDRESS_FIELDS, AddressChannel, Person
from ensemble_shared.sealing import Sealer
from ensemble_shared.storage import ASCENDING, Database, Document, Index

COLLECTION = "people"
DEPARTURES = "people_departures"


def _key(workspace: str, person_id: str) -> str:
    return f"{workspace}/{person_id}"


CHAT: tuple[AddressChannel, ...] = ("slack", "teams")
"""Channels whose address is a webhook URL: a credential, sealed at rest (in use and pending)."""
SEALED = frozenset(ADDRESS_FIELDS[c] for c in CHAT)


def _sealed(document: dict[str, Any], change: Callable[[str], str]) -> dict[str, Any]:
    """`document` with its chat webhook URLs passed through `change` (seal or open)."""
    pending = [
        {**p, "address": change(p["address"])} if p.get("channel") in CHAT else p
        for p in document.get("pending") or ()
    ]
    changed = {
        key: change(value) if key in SEALED and isinstance(value, str) else value
        for key, value in document.items()
    }
    return {**changed, "pending": pending} if "pending" in document else changed


class PeopleRepository:
    INDEXES = {COLLECTION: [Index([("workspace", ASCENDING), ("id", ASCENDING)], name="by_id")]}

    def __init__(self, database: Database, sealer: Sealer) -> None:
        self.collection = database[COLLECTION]
        self.departures = database[DEPARTURES]
        self._sealer = sealer

    def _person(self, document: Document) -> Person:
        return Person.stored(_sealed(dict(document), self._sealer.open))

    async def followed(
        self, workspace: str, person_id: str
    ) -> tuple[Person | None, datetime | None]:
        """The entry and the time of the newest identity event seen for it (its last update
        or its departure), for applying identity's events in order."""
        key = _key(workspace, person_id)
        person = await self.get(workspace, person_id)
        departure = await self.departures.find_one({"_id": key})
        times = [t for t in (person and person.as_of, departure and departure["as_of"]) if t]
        return person, max(times) if times else None

    async def depart(self, workspace: str, person_id: str, *, as_of: datetime) -> None:
        """The person left the workspace: the entry goes, a mark of when stays (so an older
        event arriving late cannot bring them back)."""
        key = _key(workspace, person_id)
        await self.departures.replace_one({"_id": key}, {"_id": key, "as_of": as_of}, upsert=True)
        await self.collection.delete_one({"_id": key})

    async def put(self, person: Person) -> None:
        """Last write wins: two staff editing one person at once is not worth a lock."""
        document = {"_id": _key(person.workspace, person.id), **person.model_dump()}
        document = _sealed(document, self._sealer.seal)
        await self.collection.replace_one({"_id": document["_id"]}, document, upsert=True)

    async def get(self, workspace: str, person_id: str) -> Person | None:
        document = await self.collection.find_one({"_id": _key(workspace, person_id)})
        return self._person(document) if document else None

    async def many(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Person]:
        """People by (workspace, id), one query for a whole consumed batch."""
        wanted = sorted({_key(w, p) for w, p in keys})
        if not wanted:
            return {}
        cursor = self.collection.find({"_id": {"$in": wanted}})
        found = [self._person(d) async for d in cursor]
        return {(p.workspace, p.id): p for p in found}

    async def in_workspace(self, workspace: str, *, limit: int) -> list[Person]:
        cursor = self.collection.find({"workspace": workspace}).sort("id", ASCENDING)
        return [self._person(d) for d in await cursor.limit(limit).to_list(limit)]

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

    async def team_members(self, workspaces: Iterable[str]) -> dict[str, dict[str, list[str]]]:
        """workspace -> team -> the ids of the people identity puts in it."""
        found: dict[str, dict[str, list[str]]] = {}
        query: dict[str, Any] = {
            "workspace": {"$in": sorted(set(workspaces))},
            "origin": "identity",
        }
        projection = {"id": 1, "workspace": 1, "teams": 1}
        async for document in self.collection.find(query, projection).sort("id", ASCENDING):
            for team in document.get("teams") or ():
                found.setdefault(document["workspace"], {}).setdefault(team, []).append(
                    document["id"]
                )
        return found

    async def departed(self, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which of these (workspace, id) left their workspace in identity and are not back."""
        wanted = sorted({_key(w, p) for w, p in keys})
        gone = {d["_id"] async for d in self.departures.find({"_id": {"$in": wanted}}, {"_id": 1})}
        if not gone:
            return set()
        back = {
            d["_id"] async for d in self.collection.find({"_id": {"$in": sorted(gone)}}, {"_id": 1})
        }
        return {(w, p) for w, p in keys if _key(w, p) in gone - back}
