"""Members, their platform handles, the merge log and engagement weights.

Members are written with their events (outbox). Handles and merges are insert-only and their
unique keys are the locks: a platform handle belongs to one member per workspace, and each
workspace's merge log is a numbered sequence, so two concurrent merges cannot both take the
next number (FerretDB's findAndModify is not atomic, a unique insert is).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from ensemble_feedback.models.members import (
    EngagementWeights,
    Identity,
    Member,
    MergeEntry,
    handle_key,
    handle_stem,
)
from ensemble_shared.events import Event, utcnow
from ensemble_shared.outbox import FIELD, Outbox
from ensemble_shared.storage import (
    ASCENDING,
    DESCENDING,
    Collection,
    Document,
    DuplicateKeyError,
    Index,
)

MEMBERS = "members"
HANDLES = "member_handles"
MERGES = "member_merges"
SETTINGS = "member_settings"
POINT_READS = 20  # get_many: up to this many ids, `_id` probes rather than one `$in` scan

_DATES = ("created_at", "updated_at")


def before(at: datetime, key: str, *, at_field: str = "at") -> dict[str, Any]:
    """Filter for what sorts after (at, key) in newest-first order."""
    return {"$or": [{at_field: {"$lt": at}}, {at_field: at, "_id": {"$lt": key}}]}


def _document(member: Member) -> Document:
    document = member.model_dump(mode="json", exclude={"member_id", *_DATES})
    dates = {name: getattr(member, name) for name in _DATES}
    email_key = member.email.lower() if member.email else None
    return {"_id": member.member_id, **document, **dates, "email_key": email_key}


def _member(document: Document) -> Member:
    return Member.model_validate({**document, "member_id": document["_id"]})


class MemberRepository:
    INDEXES = {
        MEMBERS: [
            Index(
                [("workspace", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)],
                name="by_workspace",
            ),
            Index(
                [("workspace", ASCENDING), ("email_key", ASCENDING)],
                name="by_email",
            ),
        ]
    }

    def __init__(self, collection: Collection, outbox: Outbox) -> None:
        self.collection = collection
        self._outbox = outbox

    async def insert(self, member: Member, events: Sequence[Event]) -> None:
        await self._outbox.insert_one(self.collection, _document(member), events)

    async def update(
        self, member: Member, events: Sequence[Event], *, expected_version: int
    ) -> bool:
        """Replace the mutable fields unless someone changed the member since
        `expected_version`; the events ride in the same single-document update."""
        document = _document(member)
        staged, event_fields = self._outbox.stage_update(member.member_id, events)
        fields = {k: v for k, v in document.items() if k not in ("_id", "workspace", "created_at")}

        async def write() -> list[str]:
            result = await self.collection.update_one(
                {"_id": member.member_id, "version": expected_version},
                {"$set": {**fields, **event_fields}},
            )
            return [member.member_id] if result.modified_count else []

        return bool(await self._outbox.write(self.collection, [staged], write))

    async def get(self, workspace: str, member_id: str) -> Member | None:
        """Filtered on `_id` alone, the workspace checked here: FerretDB answers a bare `_id`
        from its primary key, but scans the collection for `{_id, workspace}`."""
        document = await self.collection.find_one({"_id": member_id}, {FIELD: 0})
        return _member(document) if document and document["workspace"] == workspace else None

    async def get_many(self, workspace: str, member_ids: Iterable[str]) -> dict[str, Member]:
        """A few ids are read one `_id` probe each: FerretDB scans the whole collection for an
        `$in` (85 ms at 200 members with their staged events, against ~2 ms a probe)."""
        ids = list(set(member_ids))
        if not ids:
            return {}
        if len(ids) <= POINT_READS:
            found = await asyncio.gather(*(self.get(workspace, i) for i in ids))
            return {m.member_id: m for m in found if m is not None}
        cursor = self.collection.find({"_id": {"$in": ids}, "workspace": workspace}, {FIELD: 0})
        return {d["_id"]: _member(d) async for d in cursor}

    async def page(
        self,
        workspace: str,
        *,
        after: tuple[datetime, str] | None,
        excluded: Iterable[str],
        limit: int,
    ) -> list[Member]:
        """Newest first, leaving out `excluded` (members merged into others)."""
        filters: dict[str, Any] = {"workspace": workspace}
        left_out = list(excluded)
        if left_out:
            filters["_id"] = {"$nin": left_out}
        if after is not None:
            filters = {"$and": [filters, before(*after, at_field="created_at")]}
        cursor = self.collection.find(filters, {FIELD: 0}).sort(
            [("created_at", DESCENDING), ("_id", DESCENDING)]
        )
        return [_member(d) for d in await cursor.limit(limit).to_list(limit)]

    async def verified_emails(self, workspace: str) -> dict[str, list[str]]:
        """Verified addresses shared by several members: address -> member ids."""
        # FerretDB 1.24 has no $push: count per address, then read the members of the shared.
        verified = {"workspace": workspace, "email_verified": True}
        pipeline: list[Document] = [
            {"$match": verified},
            {"$group": {"_id": "$email_key", "n": {"$sum": 1}}},
            {"$match": {"n": {"$gt": 1}}},
        ]
        shared = [d["_id"] async for d in self.collection.aggregate(pipeline) if d["_id"]]
        found: dict[str, list[str]] = {}
        if shared:
            cursor = self.collection.find(
                {**verified, "email_key": {"$in": shared}}, {"email_key": 1}
            )
            async for d in cursor:
                found.setdefault(d["email_key"], []).append(d["_id"])
        return found


class HandleRepository:
    """One document per linked handle; `_id` = workspace|platform|handle makes a handle one
    member's, the (workspace, member, platform) unique index makes one identity per platform."""

    INDEXES = {
        HANDLES: [
            Index(
                [("workspace", ASCENDING), ("member_id", ASCENDING), ("platform", ASCENDING)],
                name="one_per_platform",
                unique=True,
            ),
            Index([("workspace", ASCENDING), ("stem", ASCENDING)], name="by_stem"),
        ]
    }

    def __init__(self, collection: Collection) -> None:
        self.collection = collection

    @staticmethod
    def key(workspace: str, platform: str, handle: str) -> str:
        return f"{workspace}|{platform}|{handle_key(platform, handle)}"

    async def claim(self, workspace: str, member_id: str, platform: str, handle: str) -> bool:
        """False when the handle, or this platform for this member, is already taken."""
        key = handle_key(platform, handle)
        try:
            await self.collection.insert_one(
                {
                    "_id": self.key(workspace, platform, handle),
                    "workspace": workspace,
                    "member_id": member_id,
                    "platform": platform,
                    "handle": handle.strip(),
                    "stem": handle_stem(platform, key),
                    "linked_at": utcnow(),
                }
            )
        except DuplicateKeyError:
            return False
        return True

    async def owner(self, workspace: str, platform: str, handle: str) -> str | None:
        document = await self.collection.find_one(
            {"_id": self.key(workspace, platform, handle)}, {"member_id": 1}
        )
        return str(document["member_id"]) if document else None

    async def of_members(
        self, workspace: str, member_ids: Iterable[str]
    ) -> dict[str, list[Identity]]:
        ids = list(set(member_ids))
        found: dict[str, list[Identity]] = {m: [] for m in ids}
        if not ids:
            return found
        cursor = self.collection.find({"workspace": workspace, "member_id": {"$in": ids}})
        async for d in cursor:
            found[d["member_id"]].append(
                Identity(platform=d["platform"], handle=d["handle"], linked_at=d["linked_at"])
            )
        for identities in found.values():
            identities.sort(key=lambda i: i.platform)
        return found

    async def release(self, workspace: str, member_id: str, platform: str) -> bool:
        result = await self.collection.delete_one(
            {"workspace": workspace, "member_id": member_id, "platform": platform}
        )
        return bool(result.deleted_count)

    async def shared_stems(self, workspace: str) -> dict[str, list[tuple[str, str]]]:
        """Handle stems linked by several members: stem -> (member, platform)."""
        # FerretDB 1.24 has no $push: count per stem, then read the handles of the shared.
        pipeline: list[Document] = [
            {"$match": {"workspace": workspace}},
            {"$group": {"_id": "$stem", "n": {"$sum": 1}}},
            {"$match": {"n": {"$gt": 1}}},
        ]
        shared = [d["_id"] async for d in self.collection.aggregate(pipeline)]
        found: dict[str, list[tuple[str, str]]] = {}
        if shared:
            cursor = self.collection.find(
                {"workspace": workspace, "stem": {"$in": shared}},
                {"stem": 1, "member_id": 1, "platform": 1},
            )
            async for d in cursor:
                found.setdefault(d["stem"], []).append((d["member_id"], d["platform"]))
        return found


class MergeLogRepository:
    """Each workspace's merges and unmerges as one numbered, insert-only log."""

    INDEXES = {MERGES: [Index([("workspace", ASCENDING), ("seq", ASCENDING)], name="log")]}

    def __init__(self, collection: Collection, outbox: Outbox) -> None:
        self.collection = collection
        self._outbox = outbox

    async def append(self, workspace: str, entry: MergeEntry, events: Sequence[Event]) -> bool:
        """False when another entry took `entry.seq` first (the caller reloads and retries)."""
        return await self._outbox.insert_one(
            self.collection,
            {
                "_id": f"{workspace}|{entry.seq:012d}",
                "workspace": workspace,
                "seq": entry.seq,
                "kind": entry.kind,
                "merge_id": entry.merge_id,
                "survivor": entry.survivor,
                "merged": entry.merged,
                "by": entry.by,
                "at": entry.at,
            },
            events,
        )

    async def since(self, workspace: str, seq: int) -> list[MergeEntry]:
        cursor = self.collection.find(
            {"workspace": workspace, "seq": {"$gt": seq}}, {FIELD: 0}
        ).sort("seq", ASCENDING)
        return [
            MergeEntry(
                seq=d["seq"],
                kind=d["kind"],
                merge_id=d["merge_id"],
                survivor=d["survivor"],
                merged=d["merged"],
                by=d["by"],
                at=d["at"],
            )
            async for d in cursor
        ]


class SettingsRepository:
    """Per-workspace member settings (engagement weights): one small document each."""

    INDEXES: dict[str, list[Index]] = {SETTINGS: []}

    def __init__(self, collection: Collection) -> None:
        self.collection = collection

    async def weights(self, workspace: str) -> EngagementWeights | None:
        document = await self.collection.find_one({"_id": workspace})
        if not document or "weights" not in document:
            return None
        return EngagementWeights.model_validate(document["weights"])

    async def set_weights(self, workspace: str, weights: EngagementWeights, by: str) -> None:
        # A rare, whole-document replace: last writer wins, which is what an admin expects.
        await self.collection.replace_one(
            {"_id": workspace},
            {"weights": weights.model_dump(), "by": by, "at": utcnow()},
            upsert=True,
        )
