"""Mentions, each stored with the events that announce what happened to it (outbox)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from ensemble_ingest.models.mentions import Mention
from ensemble_ingest.models.search import MentionQuery
from ensemble_ingest.storage.workspaces import COLLECTION as MARKS
from ensemble_ingest.storage.workspaces import WorkspaceMarks
from ensemble_shared.events import Event
from ensemble_shared.outbox import FIELD, Outbox, in_order
from ensemble_shared.storage import ASCENDING, DESCENDING, Collection, Document, Index
from ensemble_shared.storage.lookups import find_owned
from ensemble_shared.storage.pagination import Position, following, keyset_sort
from ensemble_shared.storage.writes import changed_fields

COLLECTION = "mentions"
_STORED_AS_DATES = ("created_at", "received_at", "edited_at", "deleted_at", "revised_at")


def _document(mention: Mention) -> Document:
    document = mention.model_dump(mode="json", exclude={"id", *_STORED_AS_DATES})
    dates = {name: getattr(mention, name) for name in _STORED_AS_DATES}
    return {"_id": mention.id, **document, **dates, "content_key": mention.content_key()}


def _mention(document: Document) -> Mention:
    return Mention.model_validate({**document, "id": document["_id"]})


class MentionRepository:
    INDEXES = {
        COLLECTION: [
            Index(
                [("workspace", ASCENDING), ("platform", ASCENDING), ("external_id", ASCENDING)],
                name="natural_key",
                unique=True,
            ),
            # MongoDB walks it forwards for newest first, backwards for oldest first. FerretDB
            # 1.24 on SQLite pushes neither filter nor sort down (explain: SCAN, both orders
            # alike, ~1-1.5 s for 6,000 mentions): the index is for MongoDB.
            Index(
                [("workspace", ASCENDING), ("received_at", DESCENDING), ("_id", DESCENDING)],
                name="inbox",
            ),
        ]
    }

    def __init__(
        self, collection: Collection, outbox: Outbox, marks: WorkspaceMarks | None = None
    ) -> None:
        self.collection = collection
        self._outbox = outbox
        self.marks = marks or WorkspaceMarks(collection.database[MARKS])

    async def insert_new(self, staged: Sequence[tuple[Mention, Sequence[Event]]]) -> set[str]:
        """Store mentions not seen before, each with its events, and announce those; returns
        the new ids. One pointer insert, one mention insert, one publish, one pointer delete
        (and, for a workspace this process has not stored for yet, its marker first)."""
        await self.marks.mark(m.workspace for m, _ in staged)
        documents = [self._outbox.stage(_document(m), events) for m, events in staged]
        return await self._outbox.insert(self.collection, documents)

    async def content_keys(self, ids: Iterable[str]) -> dict[str, tuple[str, Mention]]:
        """Stored content key and mention, for the ids that exist."""
        cursor = self.collection.find({"_id": {"$in": list(ids)}}, {FIELD: 0})
        return {d["_id"]: (d.get("content_key", ""), _mention(d)) async for d in cursor}

    async def update(self, mention: Mention, events: Sequence[Event], *, previous: Mention) -> bool:
        """Write the fields changed since `previous` (ensemble_shared.storage.writes: an edit
        racing an assignment keeps both) if nobody changed the mention since it was read; the
        events go into the same single-document update. False on a lost race."""
        staged, event_fields = self._outbox.stage_update(mention.id, events)
        fields = changed_fields(_document(previous), _document(mention), fixed=("_id", "workspace"))

        async def write() -> list[str]:
            result = await self.collection.update_one(
                {"_id": mention.id, "version": previous.version},
                {"$set": {**fields, **event_fields}},
            )
            return [mention.id] if result.modified_count else []

        return bool(await self._outbox.write(self.collection, [staged], write))

    async def mark_workspaces(self) -> None:
        """Mark the workspaces of mentions stored before markers existed (once per database)."""
        await self.marks.backfill(self.collection)

    async def get(self, workspace: str, mention_id: str) -> Mention | None:
        document = await find_owned(self.collection, mention_id, workspace, {FIELD: 0})
        return _mention(document) if document else None

    async def search(
        self,
        workspace: str,
        query: MentionQuery,
        *,
        after: Position | None,
        limit: int,
        oldest_first: bool = False,
    ) -> list[Mention]:
        """A page of the workspace's mentions matching `query`, newest first (or oldest first),
        after `after`. A workspace without mentions is answered without a read of them."""
        if not await self.marks.may_hold_mentions(workspace):
            return []
        filters, order = inbox_find(workspace, query, after=after, oldest_first=oldest_first)
        cursor = self.collection.find(filters, {FIELD: 0}).sort(order)
        return [_mention(d) for d in await cursor.limit(limit).to_list(limit)]

    async def events(self, workspace: str, mention_id: str) -> list[dict[str, Any]] | None:
        """Every event recorded with the mention, oldest first (its timeline)."""
        document = await find_owned(self.collection, mention_id, workspace, {FIELD: 1})
        if document is None:
            return None
        entries = in_order(document.get(FIELD, {}).values())
        return [json.loads(entry["value"]) for entry in entries]


def inbox_find(
    workspace: str, query: MentionQuery, *, after: Position | None, oldest_first: bool = False
) -> tuple[dict[str, Any], list[tuple[str, int]]]:
    """The filter and sort of an inbox page: equality on the workspace first, the keyset after
    the cursor, by arrival. MongoDB serves every combination from the `inbox` index (its
    prefix is the workspace, its order the sort); tests explain exactly this."""
    filters = {
        "workspace": workspace,
        **_search_filter(query),
        **following("received_at", after, ascending=oldest_first),
    }
    return filters, keyset_sort("received_at", ascending=oldest_first)


def _search_filter(query: MentionQuery) -> dict[str, Any]:
    """Values go in as plain values, never as operators (no injection from input)."""
    filters: dict[str, Any] = {}
    if query.text:
        filters["text"] = {"$regex": re.escape(query.text), "$options": "i"}
    exact = {
        "platform": query.platform,
        "triage.sentiment": query.sentiment,
        "triage.priority": query.priority,
        "triage.tags": query.tag,
        "triage.kind": query.kind,
        "status": query.status,
        "assignee": query.assignee,
        "team": query.team,
    }
    filters.update({k: v for k, v in exact.items() if v is not None})
    received: dict[str, datetime] = {}
    if query.since:
        received["$gte"] = query.since
    if query.until:
        received["$lt"] = query.until
    if received:
        filters["received_at"] = received
    if not query.include_deleted:
        filters["deleted_at"] = None
    return filters
