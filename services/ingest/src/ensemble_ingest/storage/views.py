"""Saved inbox views, one document each, unique by (workspace, owner, name)."""

from __future__ import annotations

from ensemble_ingest.models.views import InboxView
from ensemble_shared.storage import ASCENDING, Collection, Document, DuplicateKeyError, Index

COLLECTION = "inbox_views"


def _document(view: InboxView, workspace: str, owner: str) -> Document:
    stored = view.model_dump(mode="json", exclude={"id", "created_at"})
    return {
        "_id": view.id,
        "workspace": workspace,
        "owner": owner,
        **stored,
        "created_at": view.created_at,
    }


def _view(document: Document) -> InboxView:
    return InboxView.model_validate({**document, "id": document["_id"]})


class ViewRepository:
    INDEXES = {
        COLLECTION: [
            Index(
                [("workspace", ASCENDING), ("owner", ASCENDING), ("name", ASCENDING)],
                name="owner_name",
                unique=True,
            ),
        ]
    }

    def __init__(self, collection: Collection) -> None:
        self.collection = collection

    async def insert(self, view: InboxView, workspace: str, owner: str) -> bool:
        """False when the person already has a view of that name (the unique index decides,
        so two saves racing cannot both win)."""
        try:
            await self.collection.insert_one(_document(view, workspace, owner))
        except DuplicateKeyError:
            return False
        return True

    async def of_owner(self, workspace: str, owner: str, *, limit: int) -> list[InboxView]:
        """The person's views by name (the unique index serves the order)."""
        cursor = self.collection.find({"workspace": workspace, "owner": owner}).sort(
            [("name", ASCENDING)]
        )
        return [_view(d) for d in await cursor.limit(limit).to_list(limit)]

    async def count(self, workspace: str, owner: str) -> int:
        return await self.collection.count_documents({"workspace": workspace, "owner": owner})

    async def delete(self, workspace: str, owner: str, view_id: str) -> bool:
        """False when the person has no such view (another person's is not theirs to delete)."""
        result = await self.collection.delete_one(
            {"_id": view_id, "workspace": workspace, "owner": owner}
        )
        return bool(result.deleted_count)
