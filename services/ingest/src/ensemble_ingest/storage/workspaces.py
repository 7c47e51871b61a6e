"""Which workspaces hold mentions: one small document per workspace, read by `_id`.

FerretDB 1.24 serves a filter of `_id` alone from its primary key and scans the collection for
anything else, so an inbox read of a workspace with no mentions cost a scan of every other
workspace's mentions (seconds at 100,000, minutes at a million). A marker is inserted before a
workspace's first mention (a unique `_id`: idempotent, never updated, never removed), so "no
marker" means "no mention" and the read answers at once. Mentions stored before markers existed
are marked by `backfill`, once; until it has finished, every workspace is read the long way.
"""

from __future__ import annotations

from collections.abc import Iterable

from ensemble_shared.storage import Collection
from ensemble_shared.storage.idempotency import insert_new

COLLECTION = "mention_workspaces"
_COMPLETE = "complete"
"""`_id` of the document saying every workspace with mentions has its marker."""


def _marker(workspace: str) -> str:
    return f"ws:{workspace}"


class WorkspaceMarks:
    def __init__(self, collection: Collection) -> None:
        self.collection = collection
        self._marked: set[str] = set()  # markers are never removed: no need to write twice
        self._complete = False

    async def mark(self, workspaces: Iterable[str]) -> None:
        """Before storing mentions of `workspaces`: each gets its marker (one insert for all)."""
        new = set(workspaces) - self._marked
        if new:
            await insert_new(self.collection, [{"_id": _marker(w)} for w in sorted(new)])
            self._marked |= new

    async def may_hold_mentions(self, workspace: str) -> bool:
        """False only when the workspace certainly holds no mention: no marker, and every
        workspace with mentions is known to have one."""
        if workspace in self._marked:
            return True
        if await self.collection.find_one({"_id": _marker(workspace)}, {"_id": 1}):
            self._marked.add(workspace)
            return True
        if not self._complete:
            self._complete = bool(await self.collection.find_one({"_id": _COMPLETE}, {"_id": 1}))
        return not self._complete

    async def backfill(self, mentions: Collection) -> None:
        """Mark every workspace that already holds mentions, then say the markers are complete.
        A scan of the mentions, once per database (later calls are one keyed read). Mentions
        stored meanwhile are marked by `mark` before they are stored, so none is missed."""
        if await self.collection.find_one({"_id": _COMPLETE}, {"_id": 1}):
            self._complete = True
            return
        workspaces = await mentions.distinct("workspace")
        await insert_new(self.collection, [{"_id": _marker(str(w))} for w in workspaces])
        await insert_new(self.collection, [{"_id": _COMPLETE}])
        self._complete = True
