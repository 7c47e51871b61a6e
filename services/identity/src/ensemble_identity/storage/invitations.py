"""Invitations of a workspace (few; listed by admins)."""

from __future__ import annotations

from ensemble_identity.models.invitations import Invitation
from ensemble_shared.storage import Collection

INVITATIONS = "invitations"


class InvitationRepository:
    def __init__(self, collection: Collection) -> None:
        self.collection = collection

    async def insert(self, invitation: Invitation) -> None:
        await self.collection.insert_one(invitation.document())

    async def get(self, invitation_id: str) -> Invitation | None:
        document = await self.collection.find_one({"_id": invitation_id})
        return Invitation.of(document) if document else None

    async def in_workspace(self, workspace: str, *, email: str | None = None) -> list[Invitation]:
        query: dict[str, str] = {"workspace": workspace}
        if email is not None:
            query["email"] = email
        cursor = self.collection.find(query).sort("created_at", -1)
        return [Invitation.of(d) for d in await cursor.to_list(500)]
