"""Identity's outgoing email queue: a message waits here until the SMTP server took it.

Each attempt is claimed by inserting `<email id>#<attempt>` (one replica sends it); the claim
time is the lease that lets another replica take over an attempt whose sender died. The body
is stored encrypted (it carries a sign-in link) and the document deleted once sent.
"""

from __future__ import annotations

from datetime import datetime

from ensemble_shared.events import utcnow
from ensemble_shared.storage import Collection, Document, DuplicateKeyError

EMAIL_QUEUE = "email_queue"
EMAIL_CLAIMS = "email_claims"


class EmailQueue:
    def __init__(self, queue: Collection, claims: Collection) -> None:
        self.queue = queue
        self.claims = claims

    async def insert(self, document: Document) -> None:
        await self.queue.insert_one(document)

    async def due(self, now: datetime, limit: int = 50) -> list[Document]:
        cursor = self.queue.find({"next_at": {"$lte": now}}).sort("next_at", 1).limit(limit)
        return await cursor.to_list(limit)

    async def claim(self, email_id: str, attempt: int, owner: str) -> bool:
        try:
            await self.claims.insert_one(
                {"_id": f"{email_id}#{attempt}", "owner": owner, "at": utcnow()}
            )
        except DuplicateKeyError:
            return False
        return True

    async def claimed_at(self, email_id: str, attempt: int) -> datetime | None:
        claim = await self.claims.find_one({"_id": f"{email_id}#{attempt}"})
        return claim["at"] if claim else None

    async def reschedule(
        self, email_id: str, *, attempt: int, next_at: datetime, error: str | None
    ) -> None:
        """Move to `attempt` (only from the attempt before it: two replicas moving it on
        together move it once)."""
        await self.queue.update_one(
            {"_id": email_id, "attempt": attempt - 1},
            {"$set": {"attempt": attempt, "next_at": next_at, "last_error": error}},
        )

    async def remove(self, email_id: str) -> None:
        await self.queue.delete_one({"_id": email_id})
