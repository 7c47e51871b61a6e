"""Members' platform handles: one document per linked handle, its unique keys the locks.

`_id` = workspace|platform|handle makes a handle one member's; the (workspace, member,
platform) unique index makes one identity per platform per member. FerretDB's findAndModify is
not atomic, a unique insert is.
"""

from __future__ import annotations

from collections.abc import Iterable

from ensemble_feedback.models.members import Identity, handle_key, handle_stem
from ensemble_shared.events import utcnow
from ensemble_shared.storage import ASCENDING, Database, Document, DuplicateKeyError, Index

HANDLES = "member_handles"


class HandleRepository:
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

    def __init__(self, database: Database) -> None:
        self.collection = database[HANDLES]

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
