"""Crisis facts, insert-only: crisis `{id}`, hold `{content}:{crisis}`, hold release `{hold}`.

A hold is never rewritten: its release is a fact of its own under the hold's id, so a crisis
replayed or released twice writes once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ensemble_scheduler.models.crises import Crisis, Hold
from ensemble_shared.events import Event
from ensemble_shared.outbox import FIELD, Outbox
from ensemble_shared.storage import ASCENDING, DESCENDING, Collection, Document, Index
from ensemble_shared.storage.lookups import find_owned

CRISES = "crises"
HOLDS = "schedule_holds"
RELEASES = "schedule_releases"


class CrisisRepository:
    INDEXES = {
        HOLDS: [
            Index([("content_id", ASCENDING), ("at", DESCENDING)], name="by_item"),
            Index([("crisis_id", ASCENDING)], name="by_crisis"),
        ],
        CRISES: [Index([("workspace", ASCENDING), ("at", DESCENDING)], name="recent")],
    }

    def __init__(
        self, crises: Collection, holds: Collection, releases: Collection, outbox: Outbox
    ) -> None:
        self.crises = crises
        self.holds = holds
        self.releases = releases
        self._outbox = outbox

    async def insert_crisis(self, crisis: Crisis) -> bool:
        return await self._outbox.insert_one(self.crises, {"_id": crisis.id, **crisis.model_dump()})

    async def crisis(self, workspace: str, crisis_id: str) -> Crisis | None:
        document = await find_owned(self.crises, crisis_id, workspace)
        return Crisis.model_validate(document) if document else None

    async def crises_of(self, workspace: str, *, limit: int) -> list[Crisis]:
        cursor = self.crises.find({"workspace": workspace}).sort("at", DESCENDING)
        return [Crisis.model_validate(d) for d in await cursor.limit(limit).to_list(limit)]

    async def insert_hold(self, hold: Hold, events: Sequence[Event]) -> bool:
        document = {"_id": hold.hold_id, **hold.model_dump(exclude={"released_at", "released_by"})}
        return await self._outbox.insert_one(self.holds, document, events)

    async def _with_release(self, document: Document) -> Hold:
        release = await self.releases.find_one({"_id": document["_id"]}, {FIELD: 0})
        extra = (
            {
                "released_at": release["at"],
                "released_by": release["by"],
                "resolution": release["resolution"],
            }
            if release
            else {}
        )
        return Hold.model_validate({**document, **extra})

    async def holds_of_crisis(self, crisis_id: str) -> list[Hold]:
        cursor = self.holds.find({"crisis_id": crisis_id}, {FIELD: 0}).sort("_id", ASCENDING)
        return [await self._with_release(d) async for d in cursor]

    async def active_hold(self, workspace: str, content_id: str) -> Hold | None:
        cursor = self.holds.find({"content_id": content_id, "workspace": workspace}, {FIELD: 0})
        async for document in cursor:
            hold = await self._with_release(document)
            if hold.resolution is None:
                return hold
        return None

    async def insert_release(
        self,
        hold: Hold,
        *,
        by: str,
        resolution: str,
        at: datetime,
        events: Sequence[Event],
    ) -> bool:
        document = {
            "_id": hold.hold_id,
            "workspace": hold.workspace,
            "content_id": hold.content_id,
            "by": by,
            "resolution": resolution,
            "at": at,
        }
        return await self._outbox.insert_one(self.releases, document, events)
