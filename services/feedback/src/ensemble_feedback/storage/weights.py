"""Per-workspace engagement weights: one small document each, replaced whole."""

from __future__ import annotations

from ensemble_feedback.models.activity import EngagementWeights
from ensemble_shared.events import utcnow
from ensemble_shared.storage import Database, Index

SETTINGS = "member_settings"


class WeightsRepository:
    INDEXES: dict[str, list[Index]] = {SETTINGS: []}

    def __init__(self, database: Database) -> None:
        self.collection = database[SETTINGS]

    async def weights(self, workspace: str) -> EngagementWeights | None:
        document = await self.collection.find_one({"_id": workspace})
        if not document or "weights" not in document:
            return None
        return EngagementWeights.model_validate(document["weights"])

    async def set_weights(self, workspace: str, weights: EngagementWeights, by: str) -> None:
        # A rare, whole-document replace: last writer wins, which is what an admin expects.
        await self.collection.replace_one(
            {"_id": workspace},
            {"weights": weights.model_dump(), "by": by, "at": utcnow()},
            upsert=True,
        )
