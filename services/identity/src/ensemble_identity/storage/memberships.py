"""Memberships by `workspace:account` id; a removal leaves a tombstone that carries its event.

The outbox needs the changed document to hold the events it announces, so a removal is an
update to `removed: true` (the relay can still read the event), not a deletion. Reads skip
tombstones; joining again replaces one.
"""

from __future__ import annotations

from collections.abc import Sequence

from ensemble_identity.models.memberships import Membership, membership_id
from ensemble_shared.events import Event, utcnow
from ensemble_shared.outbox import Outbox
from ensemble_shared.storage import Collection, DuplicateKeyError

MEMBERSHIPS = "memberships"
_LIVE = {"removed": {"$ne": True}}


class MembershipRepository:
    def __init__(self, collection: Collection, outbox: Outbox) -> None:
        self.collection = collection
        self._outbox = outbox

    async def get(self, workspace: str, account_id: str) -> Membership | None:
        document = await self.collection.find_one({"_id": membership_id(workspace, account_id)})
        if document is None or document.get("removed"):
            return None
        return Membership.of(document)

    async def of_account(self, account_id: str) -> list[Membership]:
        cursor = self.collection.find({"account_id": account_id, **_LIVE})
        return [Membership.of(d) for d in await cursor.to_list(None)]

    async def in_workspace(self, workspace: str) -> list[Membership]:
        cursor = self.collection.find({"workspace": workspace, **_LIVE}).sort("created_at", 1)
        return [Membership.of(d) for d in await cursor.to_list(None)]

    async def put(self, membership: Membership, events: Sequence[Event]) -> None:
        """Write the membership's fields with its events (last write wins: admins edit by
        hand). `$set`, never a replacement: events of an earlier change that the relay has
        not published yet ride in the same document and must stay there."""
        staged, outbox_fields = self._outbox.stage_update(membership.id, events)
        fields = {**membership.document(), "removed": False, **outbox_fields}
        fields.pop("_id")

        async def write() -> list[str]:
            try:
                await self.collection.update_one(
                    {"_id": membership.id}, {"$set": fields}, upsert=True
                )
            except DuplicateKeyError:  # a concurrent upsert created it first: update it
                await self.collection.update_one({"_id": membership.id}, {"$set": fields})
            return [membership.id]

        await self._outbox.write(self.collection, [staged], write)

    async def remove(self, membership: Membership, events: Sequence[Event]) -> None:
        staged, outbox_fields = self._outbox.stage_update(membership.id, events)

        async def write() -> list[str]:
            result = await self.collection.update_one(
                {"_id": membership.id},
                {"$set": {"removed": True, "updated_at": utcnow(), **outbox_fields}},
            )
            return [membership.id] if result.matched_count else []

        await self._outbox.write(self.collection, [staged], write)
