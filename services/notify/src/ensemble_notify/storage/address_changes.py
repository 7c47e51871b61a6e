"""The audit of people's addresses: one document per change, only ever inserted."""

from __future__ import annotations

from ensemble_notify.models.addresses import AddressChange
from ensemble_notify.storage.people import CHAT
from ensemble_shared.sealing import Sealer
from ensemble_shared.storage import ASCENDING, Database, Document, DuplicateKeyError, Index

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

    def __init__(self, database: Database, sealer: Sealer) -> None:
        self.collection = database[COLLECTION]
        self._sealer = sealer

    def _change(self, document: Document) -> AddressChange:
        address = document.get("address")
        opened = self._sealer.open(address) if isinstance(address, str) else address
        return AddressChange.model_validate({**document, "address": opened})

    async def record(self, change: AddressChange) -> bool:
        """False when a change with this id exists already. A chat webhook URL is sealed."""
        document = {"_id": change.id, **change.model_dump()}
        if change.channel in CHAT and change.address is not None:
            document["address"] = self._sealer.seal(change.address)
        try:
            await self.collection.insert_one(document)
        except DuplicateKeyError:
            return False
        return True

    async def get(self, change_id: str) -> AddressChange | None:
        document = await self.collection.find_one({"_id": change_id})
        return self._change(document) if document else None

    async def of_person(self, workspace: str, person: str, *, limit: int) -> list[AddressChange]:
        """The person's changes, oldest first."""
        cursor = self.collection.find({"workspace": workspace, "person": person}).sort(
            "at", ASCENDING
        )
        return [self._change(d) for d in await cursor.limit(limit).to_list(limit)]
