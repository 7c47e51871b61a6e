"""Stream tickets already used: one insert per ticket id, the unique `_id` is the lock, so of
two replicas redeeming one ticket at once exactly one wins."""

from __future__ import annotations

from datetime import datetime

from ensemble_shared.storage import ASCENDING, Database, DuplicateKeyError, Index

COLLECTION = "spent_stream_tickets"


class SpentTickets:
    INDEXES = {COLLECTION: [Index([("expires_at", ASCENDING)], name="by_expiry")]}

    def __init__(self, database: Database) -> None:
        self.collection = database[COLLECTION]

    async def spend(self, ticket_id: str, expires_at: datetime, now: datetime) -> bool:
        """True the first time `ticket_id` is spent, False ever after. Tickets past their
        expiry are refused by their signature already, so their records are dropped here."""
        try:
            await self.collection.insert_one({"_id": ticket_id, "expires_at": expires_at})
        except DuplicateKeyError:
            return False
        await self.collection.delete_many({"expires_at": {"$lt": now}})
        return True
