"""Handle claims waiting for their proof, by code (`_id`): a mention carrying the code reads
its claim by `_id`, the one lookup FerretDB answers without a scan."""

from __future__ import annotations

from datetime import datetime

from ensemble_feedback.models.members import IdentityClaim
from ensemble_shared.storage import Database

CLAIMS = "handle_claims"


class PendingClaim(IdentityClaim):
    workspace: str
    member_id: str


class HandleClaimRepository:
    def __init__(self, database: Database) -> None:
        self.collection = database[CLAIMS]

    async def add(self, claim: PendingClaim) -> None:
        await self.collection.insert_one({"_id": claim.code, **claim.model_dump()})

    async def get(self, code: str) -> PendingClaim | None:
        document = await self.collection.find_one({"_id": code})
        return PendingClaim.model_validate(document) if document else None

    async def settle(self, code: str) -> None:
        """The claim was proven (or can no longer be): its code opens nothing more."""
        await self.collection.delete_one({"_id": code})

    async def expired(self, now: datetime) -> int:
        return int((await self.collection.delete_many({"expires_at": {"$lt": now}})).deleted_count)
