"""The audit of people's addresses: one document per change, only ever inserted."""

from __future__ import annotations

from ensemble_notify.models.addresses import AddressChange
from ensemble_shared.storage import ASCENDING, Database, DuplicateKeyError, Index

COLLECTION = "address_changes"


class AddressChangeLog:
    INDEXES = {
        COLLECTION: [
            Index(
                [("workspace", ASCENDING), ("person", ASCENDING), ("at", ASCENDING)],
                name="by_person",
            )
        ]
    }

    def __init__(self, database: Database) -> None:
        self.collection = database[COLLECTION]

    async def record(self, change: AddressChange) -> bool:
        """False when a change with this id exists already."""
        try:
            await self.collection.insert_one({"_id": change.id, **change.model_dump()})
        except DuplicateKeyError:
            return False
        return True

    async def get(self, change_id: str) -> AddressChange | None:
        document = await self.collection.find_one({"_id": change_id})
        return AddressChange.model_validate(document) if document else None

    async def of_person(self, workspace: str, person: str, *, limit: int) -> list[AddressChange]:
        """The person's changes, oldest first."""
        cursor = self.collection.find({"workspace": workspace, "person": person}).sort(
            "at", ASCENDING
        )
        return [AddressChange.model_validate(d) for d in await cursor.limit(limit).to_list(limit)]
