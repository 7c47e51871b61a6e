"""Per-workspace engagement weights: one small document each, with the event announcing them.

The weights and their `member.engagement_weights_changed` event are one single-document write
(the outbox rides in the document, `$set` so earlier events not yet relayed stay beside it):
insights scores members with the weights feedback uses, and never misses a change.
"""

from __future__ import annotations

from collections.abc import Sequence

from ensemble_shared.engagement import EngagementWeights
from ensemble_shared.events import Event, utcnow
from ensemble_shared.outbox import Outbox
from ensemble_shared.storage import Database, Index

SETTINGS = "member_settings"


class WeightsRepository:
    INDEXES: dict[str, list[Index]] = {SETTINGS: []}

    def __init__(self, database: Database, outbox: Outbox) -> None:
        self.collection = database[SETTINGS]
        self._outbox = outbox

    async def weights(self, workspace: str) -> EngagementWeights | None:
        document = await self.collection.find_one({"_id": workspace})
        if not document or "weights" not in document:
            return None
        return EngagementWeights.model_validate(document["weights"])

    async def set_weights(
        self, workspace: str, weights: EngagementWeights, by: str, events: Sequence[Event]
    ) -> None:
        """A rare write of the whole weights: last writer wins, which is what an admin
        expects; `events` are published once the write is stored."""
        staged, event_fields = self._outbox.stage_update(workspace, events)

        async def write() -> list[str]:
            await self.collection.update_one(
                {"_id": workspace},
                {
                    "$set": {
                        "weights": weights.model_dump(),
                        "by": by,
                        "at": utcnow(),
                        **event_fields,
                    }
                },
                upsert=True,
            )
            return [workspace]

        await self._outbox.write(self.collection, [staged], write)
