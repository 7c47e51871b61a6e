"""The board's record of moderation decisions on held content, one per item.

A unique insert, so two managers deciding at the same time cannot both publish (and announce)
the same submission or comment.
"""

from __future__ import annotations

from ensemble_feedback.models.moderation import HeldKind
from ensemble_shared.events import utcnow
from ensemble_shared.storage import Database, DuplicateKeyError, Index

DECISIONS = "submission_decisions"


class HeldDecisionRepository:
    INDEXES: dict[str, list[Index]] = {DECISIONS: []}

    def __init__(self, database: Database) -> None:
        self.collection = database[DECISIONS]

    async def take(self, kind: HeldKind, ref: str, decision: str, by: str) -> bool:
        """True when this decision (release or discard) is the first on the item."""
        try:
            await self.collection.insert_one(
                {"_id": f"{kind}:{ref}", "decision": decision, "by": by, "at": utcnow()}
            )
        except DuplicateKeyError:
            return False
        return True

    async def taken(self, kind: HeldKind, ref: str) -> str | None:
        document = await self.collection.find_one({"_id": f"{kind}:{ref}"})
        return str(document["decision"]) if document else None
